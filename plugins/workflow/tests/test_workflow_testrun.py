"""The designer's test run walks a real resource through the draft and leaves no trace."""

import pytest
from django.core import mail
from lutetia_workflow import testrun
from lutetia_workflow.models import Case, HistoryEntry, WorkflowVersion

from lutetia.audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_test_run_tells_the_story_and_changes_nothing(workflow, send_message, site_admin):
    message = send_message()
    case = Case.objects.get(resource_id=str(message.pk))
    before = (
        Case.objects.count(),
        HistoryEntry.objects.count(),
        WorkflowVersion.objects.count(),
        AuditEntry.objects.count(),
        len(mail.outbox),
    )

    result = testrun.run(
        workflow, "contact.message", str(message.pk), ["take", "answer"], site_admin
    )

    assert [(s.action, s.to_state, s.outcome) for s in result.steps] == [
        ("take", "in_progress", "done"),
        ("answer", "answered", "done"),
    ]
    assert result.final_state == "answered" and "reopen" in result.next_actions
    message.refresh_from_db()
    assert message.status == "new"  # the set_field task was undone
    assert Case.objects.get(pk=case.pk).state == "received"
    after = (
        Case.objects.count(),
        HistoryEntry.objects.count(),
        WorkflowVersion.objects.count(),
        AuditEntry.objects.count(),
        len(mail.outbox),
    )
    assert after == before


def test_a_test_run_stops_where_the_path_breaks(workflow, send_message, site_admin):
    message = send_message()
    result = testrun.run(
        workflow, "contact.message", str(message.pk), ["take", "break"], site_admin
    )
    assert result.steps[-1].outcome == "failed"
    assert "nonsense" in result.stopped
    result = testrun.run(workflow, "contact.message", str(message.pk), ["answer"], site_admin)
    assert result.steps == [] and "answer" in result.stopped


def test_a_test_run_on_a_missing_resource_says_so(workflow, site_admin):
    with pytest.raises(testrun.TestRunError):
        testrun.run(workflow, "contact.message", "999999", ["take"], site_admin)


def test_the_test_run_page(client, workflow, send_message, site_admin):
    message = send_message()
    client.force_login(site_admin)
    url = f"/admin/workflow/design/{workflow.pk}/test-run/"
    assert client.get(url).status_code == 200
    page = client.post(
        url, {"resource_type": "contact.message", "resource": message.pk, "path": "take"}
    )
    assert "in_progress" in page.content.decode()
