"""Processing responses in the back office: the lists (scoping, filters, search, columns), a
response's page, its files and PDF, the statistics, and who may reach them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from lutetia_forms import listing, stats
from lutetia_forms.models import Response
from responses_samples import at, attach, draft, submitted

from lutetia.audit.models import AuditEntry
from lutetia.testing.pytest_plugin import grant, in_site_language

#: the fixtures shared with the other processing tests (processor, processing_form, ...)
pytest_plugins = ["responses_fixtures"]


def listed(client, url, **params) -> set[str]:
    """The references a list page shows."""
    page = client.get(url, params)
    assert page.status_code == 200, page.status_code
    return set(re.findall(r"EVT-2026-\d{6}", page.content.decode()))


def index():
    return reverse("forms_admin:index")


# --- who sees what -----------------------------------------------------------------------------


def test_an_agent_sees_their_workgroups_responses_and_another_workgroup_sees_none(
    client, processing_form, processor, other_processor
):
    response = submitted(processing_form)
    upload = attach(response)
    client.force_login(processor)
    assert listed(client, index()) == {response.reference}

    client.force_login(other_processor)
    assert listed(client, index()) == set()
    for url in (
        reverse("forms_admin:form", args=[processing_form.pk]),
        reverse("forms_admin:response", args=[response.pk]),
        reverse("forms_admin:file", args=[response.pk, upload.uid]),
        reverse("forms_admin:pdf", args=[response.pk]),
        reverse("forms_admin:export", args=[processing_form.pk]),
    ):
        assert client.get(url).status_code == 404, url
    denied = AuditEntry.objects.filter(action="forms.access_denied", outcome="denied")
    assert denied.filter(target_id=str(response.pk), actor_id=str(other_processor.pk)).exists()


def test_an_export_across_forms_holds_only_the_agents_workgroups(
    client, processing_form, other_processor
):
    submitted(processing_form)
    client.force_login(other_processor)
    answer = client.get(reverse("forms_admin:export"), {"format": "csv"})
    lines = b"".join(answer.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1  # the header alone


def test_a_site_administrator_sees_every_workgroup(client, processing_form, site_admin):
    response = submitted(processing_form)
    client.force_login(site_admin)
    assert listed(client, index()) == {response.reference}


def test_an_agent_without_the_right_to_process_gets_403(client, processing_form, agent):
    response = submitted(processing_form)
    upload = attach(response)
    client.force_login(agent)
    for url in (
        reverse("forms_admin:index"),
        reverse("forms_admin:form", args=[processing_form.pk]),
        reverse("forms_admin:response", args=[response.pk]),
        reverse("forms_admin:file", args=[response.pk, upload.uid]),
        reverse("forms_admin:pdf", args=[response.pk]),
        reverse("forms_admin:export"),
        reverse("forms_admin:stats"),
    ):
        answer = client.get(url)
        assert answer.status_code == 403, url
    assert (
        in_site_language("You may not process form responses: ask an administrator for the right.")
        in answer.content.decode()
    )
    assert AuditEntry.objects.filter(action="forms.processing_denied", outcome="denied").exists()


def test_drafts_are_the_citizens_and_never_listed(client, processing_form, processor):
    kept = draft(processing_form)
    client.force_login(processor)
    assert listed(client, index()) == set()
    assert client.get(reverse("forms_admin:response", args=[kept.pk])).status_code == 404


# --- filters, search, columns -------------------------------------------------------------------


def test_the_list_filters_by_state(client, processing_form, processor):
    received = submitted(processing_form, state="received", state_label="Received")
    granted = submitted(processing_form, state="granted", state_label="Granted", closed=True)
    plain = submitted(processing_form)
    url = reverse("forms_admin:form", args=[processing_form.pk])
    client.force_login(processor)
    page = client.get(url).content.decode()
    assert '<option value="received">Received</option>' in page
    assert listed(client, url, state="granted") == {granted.reference}
    assert listed(client, url, state=listing.NO_STATE) == {plain.reference}
    assert listed(client, url, closed="no") == {received.reference, plain.reference}
    assert listed(client, url, state="unknown") == set()


def test_the_list_filters_by_a_single_choice_and_a_yes_no_question(
    client, processing_form, processor
):
    market = submitted(processing_form, answers={"kind": "market", "company": True})
    concert = submitted(processing_form, answers={"kind": "concert"})
    url = reverse("forms_admin:form", args=[processing_form.pk])
    client.force_login(processor)
    assert listed(client, url, answer_kind="concert") == {concert.reference}
    assert listed(client, url, answer_company="yes") == {market.reference}
    assert listed(client, url, answer_company="no") == {concert.reference}
    # A value the question does not offer is a filter error, not a 500.
    assert client.get(url, {"answer_kind": "circus"}).status_code == 400


def test_the_list_filters_by_one_of_several_choices(client, processing_form, processor):
    stage = submitted(processing_form, answers={"equipment": ["stage", "éclairage"]})
    large = submitted(processing_form, answers={"equipment": ["stage_large"]})
    lights = submitted(processing_form, answers={"equipment": ["éclairage"]})
    url = reverse("forms_admin:form", args=[processing_form.pk])
    client.force_login(processor)
    # "stage" is not found inside "stage_large"; an accented value is matched as stored.
    assert listed(client, url, answer_equipment="stage") == {stage.reference}
    assert listed(client, url, answer_equipment="stage_large") == {large.reference}
    assert listed(client, url, answer_equipment="éclairage") == {stage.reference, lights.reference}


def test_the_choice_filter_is_a_query_the_database_answers(processing_form):
    """The lookup itself, on whichever database the suite runs (CI runs SQLite and
    PostgreSQL)."""
    submitted(processing_form, answers={"equipment": ["stage", "éclairage"]})
    submitted(processing_form, answers={"equipment": ["stage_large"]})
    definition = listing.latest_definition(processing_form)
    questions = listing.filter_questions(definition)
    assert [q.key for q in questions] == ["company", "kind", "equipment"]
    base = Response.objects.filter(form=processing_form)
    for value, expected in (("stage", 1), ("stage_large", 1), ("éclairage", 1), ("st", 0)):
        filters = listing.Filters(answers=(("equipment", value),))
        assert listing.apply(base, filters, questions).count() == expected, value
    # A key that is not a filter question of the form is ignored.
    filters = listing.Filters(answers=(("name", "Camille Martin"),))
    assert listing.apply(base, filters, questions).count() == 2


def test_the_list_filters_by_the_day_of_submission(client, processing_form, processor):
    early = submitted(processing_form, submitted_at=at(2026, 3, 1, 8))
    late_evening = submitted(processing_form, submitted_at=at(2026, 3, 10, 23, 30))
    later = submitted(processing_form, submitted_at=at(2026, 3, 11, 0, 10))
    client.force_login(processor)
    url = index()
    got = listed(client, url, submitted_from="2026-03-02", submitted_to="2026-03-10")
    assert got == {late_evening.reference}
    assert listed(client, url, submitted_from="2026-03-11") == {later.reference}
    assert listed(client, url, submitted_to="2026-03-01") == {early.reference}
    wrong = client.get(url, {"submitted_from": "2026-03-11", "submitted_to": "2026-03-01"})
    assert wrong.status_code == 400
    assert in_site_language("The end of the period is before its start.") in wrong.content.decode()


def test_the_search_finds_answers_whatever_their_case_and_references(
    client, processing_form, processor
):
    strasse = submitted(processing_form, answers={"name": "Jürgen Straße"})
    other = submitted(processing_form, answers={"name": "Ann Lee"})
    client.force_login(processor)
    assert listed(client, index(), q="STRASSE") == {strasse.reference}
    assert listed(client, index(), q="jürgen") == {strasse.reference}
    assert listed(client, index(), q=other.reference.lower()) == {other.reference}


def test_the_list_filters_by_form_assignee_processing_and_anonymisation(
    client, form, processing_form, processor
):
    mine = submitted(processing_form, assignee=processor)
    gone = submitted(processing_form, anonymised_at=timezone.now(), owner=None, email="")
    elsewhere = submitted(form)
    client.force_login(processor)
    assert listed(client, index(), form=form.pk) == {elsewhere.reference}
    assert listed(client, index(), mine="on") == {mine.reference}
    assert listed(client, index(), anonymised="yes") == {gone.reference}
    assert gone.reference not in listed(client, index(), anonymised="no")


def test_across_forms_one_site_is_implied_and_several_get_a_filter(
    client, processing_form, processor, default_site
):
    from lutetia_forms.models import Form
    from wagtail.models import Site

    here = submitted(processing_form)
    client.force_login(processor)
    assert listing.single_site() == default_site.pk
    assert 'name="site"' not in client.get(index()).content.decode()

    other = Site.objects.create(hostname="other.example", port=80, root_page=default_site.root_page)
    elsewhere_form = Form.objects.create(
        site=other,
        title="Elsewhere",
        slug="elsewhere",
        reference_prefix="EVT",
        workgroup=processing_form.workgroup,
    )
    elsewhere_form.versions.create(number=1, definition=processing_form.latest_version().definition)
    there = submitted(elsewhere_form)
    assert listing.single_site() is None
    assert 'name="site"' in client.get(index()).content.decode()
    assert listed(client, index()) == {here.reference, there.reference}
    assert listed(client, index(), site=other.pk) == {there.reference}


def test_a_forms_list_shows_its_column_questions(client, processing_form, processor):
    submitted(processing_form, answers={"kind": "concert", "equipment": ["stage", "éclairage"]})
    client.force_login(processor)
    page = client.get(reverse("forms_admin:form", args=[processing_form.pk])).content.decode()
    headers = re.findall(r'<th scope="col">([^<]+)</th>', page)
    assert headers[-3:] == ["Your name", "Kind of event", "Equipment needed"]
    # Shown the way the question type displays them: labels, not stored values.
    assert "Concert" in page and "Stage, Lighting" in page
    assert "Your age" not in headers


def test_a_page_reads_the_answers_only_when_a_question_column_needs_them(processing_form):
    across = str(listing.page_queryset(Response.objects.all(), listing.list_columns()).query)
    assert '"answers"' not in across and '"search_text"' not in across
    definition = listing.latest_definition(processing_form)
    one_form = listing.page_queryset(
        Response.objects.all(), listing.list_columns(definition, form=True)
    )
    assert '"answers"' in str(one_form.query)
    assert '"search_text"' not in str(one_form.query)


def test_the_list_is_paginated_with_one_count(client, processing_form, processor):
    for _n in range(55):
        submitted(processing_form)
    client.force_login(processor)
    url = reverse("forms_admin:form", args=[processing_form.pk])
    client.get(url)  # warm the caches (session, site, states)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, {"p": 2})
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert len(set(re.findall(r"EVT-2026-\d{6}", page.content.decode()))) == 5


# --- one response --------------------------------------------------------------------------------


def test_the_response_page_shows_every_answer_its_files_and_records_the_view(
    client, processing_form, processor
):
    response = submitted(
        processing_form,
        answers={"kind": "concert", "decibels": 90, "agent_note": "Checked with the police"},
        state_label="Under review",
    )
    upload = attach(response)
    client.force_login(processor)
    page = client.get(reverse("forms_admin:response", args=[response.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        response.reference,
        "Street events",
        "camille@example.org",
        "Under review",
        "Concert",
        "Checked with the police",  # a back-office question
        upload.name,
        reverse("forms_admin:file", args=[response.pk, upload.uid]),
        reverse("forms_admin:pdf", args=[response.pk]),
    ):
        assert text in html, text
    assert AuditEntry.objects.filter(
        action="personal_data.view", target_id=str(response.pk), actor_id=str(processor.pk)
    ).exists()


def test_the_response_page_shows_the_workflows_panel(
    client, processing_form, processor, site_admin
):
    from forms_samples import PERMIT_WORKFLOW
    from lutetia_workflow import services as workflow_services
    from lutetia_workflow.models import Workflow

    from lutetia import resources

    flow = Workflow.objects.create(name="Event permits", draft=PERMIT_WORKFLOW)
    workflow_services.publish(flow, site_admin)
    workflow_services.bind("forms.response", f"form:{processing_form.pk}", flow, site_admin)
    response = submitted(processing_form)
    resources.created(response)
    agent = grant(processor, "workflow.process_case")
    client.force_login(agent)
    html = client.get(reverse("forms_admin:response", args=[response.pk])).content.decode()
    assert "lutetia-workflow-panel" in html and "Take it" in html


def test_a_file_is_downloaded_as_an_attachment_never_sniffed(client, processing_form, processor):
    response = submitted(processing_form)
    upload = attach(response, content=b"%PDF-1.4 the plan\n%%EOF\n")
    client.force_login(processor)
    answer = client.get(reverse("forms_admin:file", args=[response.pk, upload.uid]))
    assert answer.status_code == 200
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Disposition"].startswith("attachment")
    assert "site-plan.pdf" in answer["Content-Disposition"]
    assert answer["Content-Type"] == "application/pdf"
    assert b"".join(answer.streaming_content) == b"%PDF-1.4 the plan\n%%EOF\n"
    assert AuditEntry.objects.filter(action="forms.file_downloaded").exists()


def test_a_file_of_another_response_is_not_served_through_this_one(
    client, processing_form, processor
):
    first, second = submitted(processing_form), submitted(processing_form)
    upload = attach(second)
    client.force_login(processor)
    assert client.get(reverse("forms_admin:file", args=[first.pk, upload.uid])).status_code == 404


def test_the_response_as_a_pdf(client, processing_form, processor):
    response = submitted(processing_form, answers={"agent_note": "Seen"})
    client.force_login(processor)
    answer = client.get(reverse("forms_admin:pdf", args=[response.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer.content.startswith(b"%PDF")


# --- statistics ---------------------------------------------------------------------------------


def test_statistics_count_per_day_per_state_and_drafts(client, form, processing_form, processor):
    submitted(
        processing_form, submitted_at=at(2026, 3, 1, 9), state="received", state_label="Received"
    )
    submitted(
        processing_form,
        submitted_at=at(2026, 3, 1, 23, 50),
        state="received",
        state_label="Received",
    )
    submitted(
        processing_form,
        submitted_at=at(2026, 3, 3, 10),
        state="granted",
        state_label="Granted",
        closed=True,
    )
    submitted(processing_form, submitted_at=at(2026, 4, 1))  # outside the period
    submitted(form, submitted_at=at(2026, 3, 2))  # another form
    draft(processing_form)
    draft(processing_form)

    period = stats.Period(date(2026, 3, 1), date(2026, 3, 3))
    responses = listing.visible(processor).filter(form=processing_form)
    assert [(bar.day, bar.count) for bar in stats.per_day(responses, period)] == [
        (date(2026, 3, 1), 2),
        (date(2026, 3, 2), 0),
        (date(2026, 3, 3), 1),
    ]
    in_period = stats.in_period(responses, period)
    assert [(bar.label, bar.count) for bar in stats.per_state(in_period)] == [
        ("Received", 2),
        ("Granted", 1),
    ]
    drafts = Response.objects.filter(form=processing_form, status="draft")
    assert stats.progress(drafts, in_period) == stats.Progress(drafts=2, submitted=3, closed=1)

    client.force_login(processor)
    page = client.get(
        reverse("forms_admin:stats", args=[processing_form.pk]),
        {"start": "2026-03-01", "end": "2026-03-03"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'data-figure="submitted">3<', html)
    assert re.search(r'data-figure="drafts">2<', html)
    assert re.search(r'data-figure="closed">1<', html)
    assert html.count("<rect ") == 3 and 'role="img"' in html

    across = client.get(reverse("forms_admin:stats"), {"start": "2026-03-01", "end": "2026-03-03"})
    assert re.search(r'data-figure="submitted">4<', across.content.decode())


def test_statistics_refuse_a_period_too_long_or_backwards(client, processing_form, processor):
    client.force_login(processor)
    url = reverse("forms_admin:stats")
    assert client.get(url, {"start": "2024-01-01", "end": "2026-01-01"}).status_code == 400
    assert client.get(url, {"start": "2026-03-02", "end": "2026-03-01"}).status_code == 400
    assert client.get(url, {"start": "not a date"}).status_code == 400


def test_statistics_default_to_the_last_thirty_days(client, processing_form, processor):
    submitted(processing_form, submitted_at=timezone.now())
    submitted(processing_form, submitted_at=timezone.now() - timedelta(days=40))
    client.force_login(processor)
    html = client.get(reverse("forms_admin:stats")).content.decode()
    assert re.search(r'data-figure="submitted">1<', html)
    assert html.count("<rect ") == stats.DEFAULT_DAYS


@pytest.mark.parametrize("name", ["index", "stats"])
def test_the_menu_addresses_resolve(name):
    assert reverse(f"forms_admin:{name}").startswith("/admin/forms/responses/")
