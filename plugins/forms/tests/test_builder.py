"""The form builder, as an administrator uses it through the back office: settings, steps and
questions, conditions, the validation report, publishing and versions, preview, import, export,
duplicate, and who may do what."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from forms_samples import permit
from lutetia_forms import definition as fd
from lutetia_forms import services
from lutetia_forms.models import Category, Form, FormVersion, Response, Upload

from lutetia.audit.models import AuditEntry
from lutetia.testing.pytest_plugin import grant, in_site_language

pytestmark = pytest.mark.django_db

RIGHTS = ("forms.add_form", "forms.change_form", "forms.delete_form")


@pytest.fixture
def form_admin(agent):
    """The ``agent`` persona (of ``workgroup``), with the rights to build and create forms."""
    return grant(agent, *RIGHTS)


@pytest.fixture
def builder(client, form_admin):
    client.force_login(form_admin)
    return client


@pytest.fixture
def blank(default_site, workgroup):
    """A new form of ``workgroup``: one empty step, never published."""
    return Form.objects.create(
        site=default_site, title="School canteen", slug="canteen", workgroup=workgroup
    )


def url(name, *args):
    return reverse(f"forms_builder:{name}", args=args)


def draft_of(form) -> dict:
    form.refresh_from_db()
    return form.draft


def question_data(label, **extra):
    """What the question page posts for a question with ``label`` (the boxes it ticks by
    default: personal data)."""
    return {"label": label, "anonymise": "on", "when_mode": "all", **extra}


def add_question(builder, form, step, type_id, label, **extra):
    return builder.post(
        url("question_add", form.pk, step) + f"?type={type_id}", question_data(label, **extra)
    )


def two_steps(builder, form):
    """Step "child" (first name, age, does the child eat at the canteen?) then step "meals"
    (a diet question shown only to canteen eaters)."""
    assert builder.post(url("step", form.pk, "step_1"), {"title": "Your child", "key": "child"})
    add_question(builder, form, "child", "text", "First name", required="on")
    add_question(builder, form, "child", "number", "Age", key="age", config_min="3")
    add_question(builder, form, "child", "yes_no", "Eats at the canteen?", key="canteen")
    builder.post(url("step_add", form.pk), {"title": "Meals", "key": "meals"})
    add_question(builder, form, "meals", "paragraph", "Menus change every week.", key="note")
    add_question(
        builder,
        form,
        "meals",
        "choice",
        "Diet",
        key="diet",
        required="on",
        config_choices="none|No special diet\nveggie|Vegetarian",
        config_widget="radio",
        when_0_question="canteen",
        when_0_op="eq",
        when_0_value="true",
    )


# --- settings (the viewset) -------------------------------------------------------------------


def settings_data(**changes):
    data = {
        "title": "Parking permit",
        "slug": "parking",
        "description": "For residents.",
        "category": "",
        "workgroup": "",
        "opens_at": "",
        "closes_at": "",
        "max_responses": "",
        "terms": "",
        "confirmation_message": "",
        "reference_prefix": "PRK",
        "draft_days": "30",
        "retention_days": "",
        "retention_action": "anonymise",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_a_form_is_created_through_its_settings_then_the_builder_opens(
    builder, default_site, workgroup
):
    category = Category.objects.create(site=default_site, name="Roads")
    response = builder.post(
        reverse("forms_forms:add"),
        settings_data(workgroup=str(workgroup.pk), category=str(category.pk), one_per_citizen="on"),
    )
    made = Form.objects.get(slug="parking")
    assert response.status_code == 302 and response["Location"] == url("overview", made.pk)
    assert made.site == default_site and made.workgroup == workgroup
    assert made.category == category and made.enabled is False
    # One response per citizen needs an account: sign-in is required with it.
    assert made.one_per_citizen and made.login_required
    assert made.draft == fd.empty()
    page = builder.get(url("overview", made.pk))
    assert page.status_code == 200 and "Parking permit" in page.content.decode()


def test_the_list_offers_the_build_button(builder, blank):
    page = builder.get(reverse("forms_forms:index")).content.decode()
    assert url("overview", blank.pk) in page and url("import") in page


def test_settings_refuse_a_closing_before_the_opening_and_a_slug_taken_on_the_site(builder, blank):
    page = builder.post(
        reverse("forms_forms:add"),
        settings_data(opens_at="2026-09-01 10:00", closes_at="2026-08-01 10:00"),
    )
    assert in_site_language("The form must close after it opens.") in page.content.decode()
    page = builder.post(reverse("forms_forms:add"), settings_data(slug="canteen"))
    expected = in_site_language(
        "Another form of this site already has the address “%(slug)s”: choose another one."
    ) % {"slug": "canteen"}
    assert expected in page.content.decode()
    assert Form.objects.count() == 1


def test_saving_the_settings_never_overwrites_the_draft_built_meanwhile(blank, form_admin):
    from lutetia_forms.builder_forms import FormSettingsForm

    stale = Form.objects.get(pk=blank.pk)  # the settings page, opened before…
    Form.objects.filter(pk=blank.pk).update(draft=permit())  # …the builder saved a draft
    data = settings_data(title="School canteen 2026", slug="canteen")
    settings = FormSettingsForm(data, instance=stale, for_user=form_admin)
    assert settings.is_valid(), settings.errors
    settings.save()
    blank.refresh_from_db()
    assert blank.title == "School canteen 2026" and blank.draft == permit()


def test_a_form_with_responses_is_not_deleted(builder, form, citizen):
    services.start(form, site=form.site, user=citizen)
    builder.post(reverse("forms_forms:delete", args=[form.pk]))
    assert Form.objects.filter(pk=form.pk).exists()


def test_a_form_deleted_tells_the_plugins_its_workflow_scope_is_gone(builder, blank):
    from lutetia.resources import scope_removed

    heard = []

    def listen(sender, resource_type, scope, **kwargs):
        heard.append((resource_type, scope))

    scope_removed.connect(listen, weak=False)
    try:
        builder.post(reverse("forms_forms:delete", args=[blank.pk]))
    finally:
        scope_removed.disconnect(listen)
    assert not Form.objects.filter(pk=blank.pk).exists()
    assert heard == [("forms.response", f"form:{blank.pk}")]


# --- building ----------------------------------------------------------------------------------


def test_steps_and_questions_of_several_types_are_added(
    builder, blank, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        two_steps(builder, blank)
    draft = draft_of(blank)
    fd.parse(draft)
    assert [step["key"] for step in draft["steps"]] == ["child", "meals"]
    first_name, age, canteen = draft["steps"][0]["questions"]
    assert first_name["key"] == "first_name" and first_name["type"] == "text"
    assert first_name["required"] is True and first_name["config"]["max_length"] == 200
    assert age["type"] == "number" and age["config"]["min"] == 3 and age["config"]["max"] is None
    assert canteen["type"] == "yes_no"
    note, diet = draft["steps"][1]["questions"]
    assert note == {
        "key": "note",
        "type": "paragraph",
        "label": "Menus change every week.",
        "help": "",
        "config": {},
    }
    assert diet["config"]["choices"] == [
        {"value": "none", "label": "No special diet"},
        {"value": "veggie", "label": "Vegetarian"},
    ]
    assert diet["when"] == {"question": "canteen", "op": "eq", "value": True}
    assert AuditEntry.objects.filter(action="forms.draft_changed").count() == 7

    page = builder.get(url("overview", blank.pk)).content.decode()
    assert "Diet" in page and "Vegetarian" not in page
    assert "“Eats at the canteen?”" in page  # the condition, in words


def test_a_question_is_edited_moved_and_deleted_and_a_renamed_key_follows_in_conditions(
    builder, blank
):
    two_steps(builder, blank)
    builder.post(
        url("question", blank.pk, "canteen") + "?type=yes_no",
        question_data("Eats at the canteen?", key="eats"),
    )
    draft = draft_of(blank)
    assert draft["steps"][0]["questions"][2]["key"] == "eats"
    assert draft["steps"][1]["questions"][1]["when"]["question"] == "eats"

    builder.post(url("question_command", blank.pk, "eats", "up"))
    assert [q["key"] for q in draft_of(blank)["steps"][0]["questions"]] == [
        "first_name",
        "eats",
        "age",
    ]
    builder.post(url("question_command", blank.pk, "age", "delete"))
    assert [q["key"] for q in draft_of(blank)["steps"][0]["questions"]] == ["first_name", "eats"]
    assert builder.get(url("question_command", blank.pk, "eats", "delete")).status_code == 405


def test_a_repeatable_group_holds_its_own_questions(builder, blank):
    add_question(
        builder,
        blank,
        "step_1",
        "group",
        "Children",
        key="children",
        config_min="1",
        config_max="4",
    )
    builder.post(url("child_add", blank.pk, "children") + "?type=text", question_data("Name"))
    builder.post(url("child_add", blank.pk, "children") + "?type=date", question_data("Birth"))
    group = draft_of(blank)["steps"][0]["questions"][0]
    assert [child["key"] for child in group["config"]["questions"]] == ["name", "birth"]
    assert group["config"]["max"] == 4
    # Editing the group keeps its questions.
    builder.post(
        url("question", blank.pk, "children"),
        question_data("Your children", key="children", config_min="1", config_max="5"),
    )
    group = draft_of(blank)["steps"][0]["questions"][0]
    assert group["label"] == "Your children" and len(group["config"]["questions"]) == 2
    # A group cannot hold a file.
    page = builder.get(url("child_add", blank.pk, "children") + "?type=file")
    assert page.status_code == 404
    page = builder.get(url("overview", blank.pk)).content.decode()
    assert url("child", blank.pk, "children", "birth") in page


def test_a_malformed_change_is_refused_with_the_parsers_message_and_nothing_is_saved(
    builder, blank
):
    two_steps(builder, blank)
    before = draft_of(blank)
    entries = AuditEntry.objects.count()

    page = builder.post(url("json", blank.pk), {"definition": json.dumps({"steps": []})})
    assert page.status_code == 400
    message = in_site_language(lambda: str(_parse_error({"steps": []})))
    assert message in page.content.decode()

    broken = json.loads(json.dumps(before))
    broken["steps"][1]["questions"][1]["when"] = {"question": "canteen", "op": "around"}
    page = builder.post(url("json", blank.pk), {"definition": json.dumps(broken)})
    assert page.status_code == 400 and "around" in page.content.decode()

    # The question page refuses a key already used, and a condition it cannot read.
    page = add_question(builder, blank, "meals", "text", "Again", key="age")
    assert page.status_code == 400
    page = add_question(builder, blank, "meals", "text", "Odd", when_json='{"not": {}}')
    assert page.status_code == 400
    page = add_question(builder, blank, "meals", "text", "Bad", pattern="re:", custom_pattern="(")
    assert page.status_code == 400

    assert draft_of(blank) == before
    assert AuditEntry.objects.count() == entries


def _parse_error(data):
    try:
        fd.parse(data)
    except fd.DefinitionError as exc:
        return exc
    raise AssertionError("the definition parses")


def test_a_step_is_renamed_and_transitions_follow_it(builder, blank):
    two_steps(builder, blank)
    builder.post(url("step_add", blank.pk), {"title": "End", "key": "end"})
    response = builder.post(
        url("step", blank.pk, "child"),
        {
            "title": "Your child",
            "key": "child",
            "t0_to": "end",
            "t0_when_0_question": "canteen",
            "t0_when_0_op": "eq",
            "t0_when_0_value": "false",
        },
    )
    assert response.status_code == 302
    assert draft_of(blank)["steps"][0]["transitions"] == [
        {"to": "end", "when": {"question": "canteen", "op": "eq", "value": False}}
    ]
    builder.post(url("step", blank.pk, "end"), {"title": "The end", "key": "last"})
    assert draft_of(blank)["steps"][0]["transitions"][0]["to"] == "last"
    # A step others lead to is not deleted.
    builder.post(url("step_command", blank.pk, "last", "delete"))
    assert [s["key"] for s in draft_of(blank)["steps"]] == ["child", "meals", "last"]
    builder.post(url("step_command", blank.pk, "meals", "down"))
    assert [s["key"] for s in draft_of(blank)["steps"]] == ["child", "last", "meals"]


# --- the report and publishing ------------------------------------------------------------------


def test_a_condition_on_a_later_question_is_an_error_and_publishing_is_refused(builder, blank):
    two_steps(builder, blank)
    builder.post(
        url("question", blank.pk, "first_name"),
        question_data(
            "First name", key="first_name", when_0_question="diet", when_0_value="veggie"
        ),
    )
    report = builder.get(url("report", blank.pk)).content.decode()
    expected = in_site_language("The condition tests “%(key)s”, which comes later in the form.") % {
        "key": "diet"
    }
    assert expected in report

    page = builder.post(url("publish", blank.pk), follow=True)
    assert blank.versions.count() == 0
    assert expected in page.content.decode()


def test_publishing_makes_versions_and_a_response_keeps_the_version_it_started_on(
    builder, blank, citizen
):
    two_steps(builder, blank)
    page = builder.post(url("publish", blank.pk), follow=True)
    assert [v.number for v in blank.versions.all()] == [1]
    assert "1" in page.content.decode()
    Form.objects.filter(pk=blank.pk).update(enabled=True)
    blank.refresh_from_db()
    started = services.start(blank, site=blank.site, user=citizen).response

    add_question(builder, blank, "meals", "textarea", "Allergies")
    builder.post(url("publish", blank.pk))
    assert sorted(v.number for v in blank.versions.all()) == [1, 2]
    started.refresh_from_db()
    assert started.version.number == 1
    assert services.start(blank, site=blank.site).response.version.number == 2

    page = builder.get(url("versions", blank.pk))
    assert page.status_code == 200
    rows = page.content.decode()
    assert "?version=1" in rows and "?version=2" in rows
    assert builder.get(url("export", blank.pk) + "?version=1").json()["version"] == 1


def test_an_unchanged_draft_is_not_published_twice(builder, form):
    builder.post(url("publish", form.pk))
    assert form.versions.count() == 1


# --- preview ------------------------------------------------------------------------------------


def counts():
    return [model.objects.count() for model in (Form, FormVersion, Response, Upload, AuditEntry)]


def test_the_preview_walks_the_steps_with_their_conditions_and_writes_nothing(builder, blank):
    two_steps(builder, blank)
    before, draft = counts(), draft_of(blank)

    page = builder.get(url("preview", blank.pk) + "?restart=1", follow=True)
    assert page.status_code == 200 and 'name="first_name"' in page.content.decode()
    # A mandatory answer missing: the step comes back with its error.
    refused = builder.post(url("preview", blank.pk), {"_action": "next", "age": "7"})
    assert refused.status_code == 400

    answers = {"_action": "next", "first_name": "Léa", "age": "7", "canteen": "no"}
    builder.post(url("preview", blank.pk), answers)
    page = builder.get(url("preview", blank.pk)).content.decode()
    # Not eating at the canteen: the diet question does not show on the second step.
    assert "Meals" in page and 'name="diet"' not in page
    builder.post(url("preview", blank.pk), {"_action": "back"})
    builder.post(url("preview", blank.pk), dict(answers, canteen="yes"))
    page = builder.get(url("preview", blank.pk)).content.decode()
    assert 'name="diet"' in page
    builder.post(url("preview", blank.pk), {"_action": "next", "diet": "veggie"})
    summary = builder.get(url("preview", blank.pk)).content.decode()
    assert "Léa" in summary and "Vegetarian" in summary

    assert counts() == before and draft_of(blank) == draft


# --- export, import, duplicate --------------------------------------------------------------------


def test_export_then_import_gives_the_same_draft_offline_with_its_own_address(
    builder, blank, default_site
):
    two_steps(builder, blank)
    blank.refresh_from_db()
    blank.category = Category.objects.create(site=default_site, name="Schools")
    blank.enabled = True
    blank.save()
    exported = builder.get(url("export", blank.pk))
    assert exported["Content-Disposition"].startswith("attachment;")
    upload = SimpleUploadedFile("canteen.json", exported.content, "application/json")

    response = builder.post(url("import"), {"file": upload, "workgroup": blank.workgroup_id})
    imported = Form.objects.exclude(pk=blank.pk).get()
    assert response.status_code == 302 and response["Location"] == url("overview", imported.pk)
    assert imported.draft == draft_of(blank) and len(imported.draft["steps"]) == 2
    assert imported.enabled is False and imported.slug == "canteen-2"
    assert imported.category == blank.category and imported.title == blank.title
    assert not imported.versions.exists()


def test_a_malformed_file_is_refused_and_nothing_is_created(builder, blank):
    for content in (b"not json", json.dumps({"lutetia_form": 1, "settings": {}}).encode()):
        upload = SimpleUploadedFile("bad.json", content, "application/json")
        response = builder.post(url("import"), {"file": upload, "workgroup": blank.workgroup_id})
        assert response.status_code == 400
    assert in_site_language("The form in the file has no title.") in response.content.decode()
    assert Form.objects.count() == 1


def test_a_form_is_duplicated_offline_without_its_versions_and_responses(builder, form, citizen):
    services.start(form, site=form.site, user=citizen)
    assert builder.get(url("duplicate", form.pk)).status_code == 200
    response = builder.post(url("duplicate", form.pk))
    copied = Form.objects.exclude(pk=form.pk).get()
    assert response["Location"] == url("overview", copied.pk)
    assert copied.title == in_site_language("Copy of %(title)s") % {"title": form.title}
    assert copied.slug == "event-permit-2" and copied.enabled is False
    assert copied.draft == form.draft == permit()
    assert copied.workgroup == form.workgroup and copied.site == form.site
    assert not copied.versions.exists() and not copied.responses.exists()


# --- rights -------------------------------------------------------------------------------------


def test_an_agent_without_the_right_is_refused_everywhere(client, agent, blank):
    client.force_login(agent)
    before = draft_of(blank)
    for address in (
        url("overview", blank.pk),
        url("preview", blank.pk),
        url("export", blank.pk),
        url("import"),
        url("duplicate", blank.pk),
    ):
        # Wagtail answers a refused back-office page with a redirect home and a message...
        response = client.get(address)
        assert response.status_code == 302 and response["Location"] == "/admin/"
        # ... and with 403 to a script.
        response = client.get(address, headers={"x-requested-with": "XMLHttpRequest"})
        assert response.status_code == 403
    client.post(url("json", blank.pk), {"definition": json.dumps(fd.empty())})
    client.post(url("step_add", blank.pk), {"title": "Intruder"})
    client.post(url("publish", blank.pk))
    assert draft_of(blank) == before and not blank.versions.exists()


def test_building_without_the_right_to_create_does_not_import_or_duplicate(client, agent, blank):
    client.force_login(grant(agent, "forms.change_form"))
    assert client.get(url("overview", blank.pk)).status_code == 200
    assert client.post(url("duplicate", blank.pk)).status_code == 302
    assert client.get(url("import")).status_code == 302
    assert Form.objects.count() == 1


def test_an_agent_of_another_workgroup_cannot_open_the_builder_of_a_form_not_theirs(
    client, agent_other_workgroup, blank
):
    client.force_login(grant(agent_other_workgroup, *RIGHTS))
    for address in (
        url("overview", blank.pk),
        url("step", blank.pk, "step_1"),
        url("preview", blank.pk),
        url("report", blank.pk),
        url("export", blank.pk),
        url("versions", blank.pk),
        url("duplicate", blank.pk),
        reverse("forms_forms:edit", args=[blank.pk]),
    ):
        assert client.get(address).status_code == 404, address
    assert client.post(url("publish", blank.pk)).status_code == 404
    assert client.post(url("step_command", blank.pk, "step_1", "delete")).status_code == 404
    page = client.get(reverse("forms_forms:index")).content.decode()
    assert "School canteen" not in page


def test_bad_input_gets_a_clear_answer_never_a_500(builder, blank):
    two_steps(builder, blank)
    before = draft_of(blank)
    assert builder.get(url("question_add", blank.pk, "child") + "?type=nope").status_code == 404
    assert builder.get(url("question_add", blank.pk, "nowhere") + "?type=text").status_code == 404
    assert builder.get(url("question", blank.pk, "nothing")).status_code == 404
    assert builder.post(url("step_command", blank.pk, "child", "sideways")).status_code == 404
    assert builder.post(url("question_command", blank.pk, "nothing", "up")).status_code == 404
    assert builder.get(url("export", blank.pk) + "?version=abc").status_code == 404
    assert builder.post(url("import"), {}).status_code == 400

    page = add_question(builder, blank, "child", "text", "Name", config_max_length="many")
    assert page.status_code == 400
    page = add_question(builder, blank, "child", "file", "Scan", config_types="docx2")
    assert page.status_code == 400 and "docx2" in page.content.decode()
    for definition in ("{not json", "[1, 2]"):
        assert builder.post(url("json", blank.pk), {"definition": definition}).status_code == 400
    # Well-formed, but a text where a number goes: the pages could not be drawn.
    odd = json.loads(json.dumps(before))
    odd["steps"][0]["questions"][0]["config"]["max_length"] = "many"
    page = builder.post(url("json", blank.pk), {"definition": json.dumps(odd)})
    assert page.status_code == 400 and "first_name" in page.content.decode()
    assert draft_of(blank) == before


def test_the_preview_adds_a_repetition_and_survives_a_changed_draft(builder, blank):
    add_question(builder, blank, "step_1", "group", "Children", key="children")
    builder.post(url("child_add", blank.pk, "children") + "?type=text", question_data("Name"))
    builder.get(url("preview", blank.pk) + "?restart=1")
    page = builder.post(
        url("preview", blank.pk),
        {"_action": "add:children", "children__count": "1", "children__0__name": "Léa"},
    )
    assert page.status_code == 200 and 'name="children__1__name"' in page.content.decode()
    # The step the preview stood on is renamed: it starts again from the first one.
    builder.post(url("step", blank.pk, "step_1"), {"title": "Family", "key": "family"})
    page = builder.get(url("preview", blank.pk))
    assert page.status_code == 200 and 'name="children__0__name"' in page.content.decode()
    builder.post(
        url("preview", blank.pk),
        {"_action": "next", "children__count": "1", "children__0__name": "Léa"},
    )
    assert "Léa" in builder.get(url("preview", blank.pk)).content.decode()
