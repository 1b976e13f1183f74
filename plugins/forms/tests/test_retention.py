"""Responses past their form's retention period are anonymised or deleted, with an entry in the
access log; files nobody refers to are purged."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from lutetia_forms import services
from lutetia_forms.models import Form, Response, Upload
from test_drafts import submit_as
from test_filling import png

from lutetia import files
from lutetia.audit.models import AuditEntry


def test_responses_past_retention_are_anonymised_and_logged(
    client, form, citizen, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    response, _answer = submit_as(client, form)
    Form.objects.filter(pk=form.pk).update(retention_days=30)
    assert services.apply_retention(timezone.now() + timedelta(days=29)) == {
        "anonymised": 0,
        "deleted": 0,
    }
    # On PostgreSQL the access log is written when the use case commits.
    with django_capture_on_commit_callbacks(execute=True):
        done = services.apply_retention(timezone.now() + timedelta(days=31))
    assert done == {"anonymised": 1, "deleted": 0}
    response.refresh_from_db()
    assert response.owner is None and response.email == ""
    assert "name" not in response.answers and "email" not in response.answers
    assert response.answers["kind"] == "market"  # the question is not anonymisable: statistics
    assert response.reference and response.anonymised_at
    assert AuditEntry.objects.filter(action="forms.anonymised", target_id=str(response.pk)).exists()
    # Done once: the next run leaves it alone.
    assert services.apply_retention(timezone.now() + timedelta(days=32)) == {
        "anonymised": 0,
        "deleted": 0,
    }


def test_responses_past_retention_may_be_deleted(
    client, form, citizen, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    response, _answer = submit_as(client, form)
    Form.objects.filter(pk=form.pk).update(retention_days=1, retention_action="delete")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.apply_retention(timezone.now() + timedelta(days=2))["deleted"] == 1
    assert not Response.objects.filter(pk=response.pk).exists()
    assert AuditEntry.objects.filter(action="forms.deleted", target_id=str(response.pk)).exists()


def test_files_replaced_in_a_draft_are_purged_after_a_day(
    form, default_site, django_capture_on_commit_callbacks
):
    access = services.start(form, site=default_site)
    definition = services.definition_of(access.response.version)
    question = definition.question("plan")
    kept = services.attach_file(
        access.response, question, SimpleUploadedFile("a.png", png().read())
    )
    dropped = services.attach_file(
        access.response, question, SimpleUploadedFile("b.png", png().read())
    )
    Response.objects.filter(pk=access.response.pk).update(answers={"plan": [kept.as_answer()]})
    storage = files.private_storage()
    assert storage.exists(dropped.storage_name)
    assert services.purge_orphan_uploads(timezone.now()) == 0  # too young
    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_orphan_uploads(timezone.now() + timedelta(days=2)) == 1
    assert list(Upload.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not storage.exists(dropped.storage_name)
    assert storage.exists(kept.storage_name)
