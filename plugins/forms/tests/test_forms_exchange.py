"""Sharing forms between cities: export to a JSON file, import it elsewhere; duplicating one."""

from __future__ import annotations

import json

import pytest
from forms_samples import permit
from lutetia_forms import services
from lutetia_forms.exchange import (
    MAX_BYTES,
    ImportRefused,
    dumps,
    duplicate,
    export,
    import_form,
)
from lutetia_forms.models import Category, Form

from lutetia.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(form, default_site):
    """The published event-permit form, with a category, dates and a changed draft."""
    form.category = Category.objects.create(site=default_site, name="Events")
    form.opens_at = form.created_at
    form.description = "Markets, concerts, fairs."
    form.draft = permit(steps=permit()["steps"][:2])
    form.save()
    return form


def test_an_export_carries_settings_category_and_draft_but_nothing_of_the_site(shared):
    document = export(shared)
    assert document["lutetia_form"] == 1 and document["version"] is None
    assert document["definition"] == shared.draft
    assert document["category"] == "Events"
    settings = document["settings"]
    assert settings["title"] == "Event permit" and settings["slug"] == "event-permit"
    assert settings["reference_prefix"] == "EVT"
    assert settings["opens_at"] == shared.opens_at.isoformat()
    text = dumps(document)
    for private in ("site", "workgroup", "uid", '"id"', "enabled", str(shared.uid)):
        assert private not in text
    assert json.loads(text) == document


def test_a_version_can_be_exported_instead_of_the_draft(shared):
    version = shared.latest_version()
    document = export(shared, version)
    assert document["definition"] == version.definition != shared.draft
    assert document["version"] == 1


def test_import_makes_a_new_offline_form_with_a_free_address(
    shared, default_site, workgroup, site_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        imported = import_form(
            dumps(export(shared)).encode(), site=default_site, user=site_admin, workgroup=workgroup
        )
    assert imported.pk != shared.pk and imported.uid != shared.uid
    assert imported.enabled is False and not imported.versions.exists()
    assert imported.slug == "event-permit-2"
    assert imported.draft == shared.draft
    assert imported.category == shared.category and imported.workgroup == workgroup
    assert imported.opens_at == shared.opens_at and imported.description == shared.description
    assert AuditEntry.objects.filter(action="forms.imported").count() == 1


def test_a_category_unknown_here_is_left_empty_and_a_naive_date_is_read_in_local_time(
    shared, default_site
):
    document = export(shared)
    document["category"] = "Nowhere"
    document["settings"]["opens_at"] = "2026-09-01T10:00:00"
    document["settings"]["slug"] = "brand-new"
    imported = import_form(json.dumps(document), site=default_site)
    assert imported.category is None and imported.slug == "brand-new"
    assert imported.opens_at is not None and imported.opens_at.tzinfo is not None


def _document(**settings):
    return {"lutetia_form": 1, "settings": {"title": "T", **settings}, "definition": permit()}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe not json", "The file is not JSON (or not encoded in UTF-8)."),
        (json.dumps([1, 2]), "The file is not a Lutetia form."),
        (json.dumps({"lutetia_workflow": 1}), "The file is not a Lutetia form."),
        (json.dumps({**_document(), "lutetia_form": 9}), "newer Lutetia"),
        (json.dumps({**_document(), "lutetia_form": "1"}), "unknown format version"),
        (json.dumps({"lutetia_form": 1, "definition": {}}), "its settings are missing"),
        (json.dumps(_document(title="  ")), "has no title"),
        (json.dumps(_document(max_responses="many")), "maximum number of responses"),
        (json.dumps(_document(login_required="yes")), "sign-in required"),
        (json.dumps(_document(opens_at="next monday")), "opens at"),
        (json.dumps(_document(reference_prefix="no way")), "reference prefix"),
        (json.dumps(_document(retention_action="burn")), "then"),
        (json.dumps(_document(slug="not a slug!")), "address"),
        (json.dumps({**_document(), "definition": {"steps": []}}), "at least one step"),
        (json.dumps({**_document(), "definition": {"steps": [["x"]]}}), "a step must be"),
        ('{"lutetia_form": NaN}', "The file is not JSON"),
        (b" " * (MAX_BYTES + 1), "too big"),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_message_and_nothing_is_created(
    db, default_site, data, message
):
    with pytest.raises(ImportRefused) as refused:
        import_form(data, site=default_site)
    assert message in str(refused.value)
    assert not Form.objects.exists() and not AuditEntry.objects.exists()


def test_a_duplicate_copies_settings_and_draft_offline_without_versions_or_responses(
    shared, citizen, site_admin, django_capture_on_commit_callbacks
):
    services.start(shared, site=shared.site, user=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        copied = duplicate(shared, site_admin)
        again = duplicate(shared, site_admin)
    assert copied.title == "Copy of Event permit" and copied.enabled is False
    assert (copied.slug, again.slug) == ("event-permit-2", "event-permit-3")
    assert copied.draft == shared.draft and copied.draft is not shared.draft
    assert copied.category == shared.category and copied.workgroup == shared.workgroup
    assert copied.reference_prefix == "EVT" and copied.opens_at == shared.opens_at
    assert not copied.versions.exists() and not copied.responses.exists()
    assert AuditEntry.objects.filter(action="forms.duplicated").count() == 2
