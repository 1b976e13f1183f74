"""A submitted response starts the workflow bound to its form; the workflow's state is copied
onto the response (lists filter by it) and the citizen follows it from their demands."""

from __future__ import annotations

from lutetia_forms.models import Response
from test_drafts import submit_as

from lutetia.testing.pytest_plugin import grant


def test_the_workflow_starts_and_its_state_follows_the_response(
    client, form, permit_workflow, citizen, agent
):
    from lutetia_workflow import engine

    client.force_login(citizen)
    response, answer = submit_as(client, form)
    assert answer.status_code == 302
    response = Response.objects.get(pk=response.pk)
    assert (response.state, response.state_label, response.closed) == (
        "received",
        "Received",
        False,
    )
    case = engine.case_for(response)
    assert case.reference == response.reference

    processor = grant(agent, "workflow.process_case")
    engine.perform(case, "take", processor)
    response.refresh_from_db()
    assert (response.state, response.assignee) == ("review", processor)
    case.refresh_from_db()
    engine.perform(case, "grant", processor)
    response.refresh_from_db()
    assert (response.state_label, response.closed) == ("Permit granted", True)

    mine = client.get("/services/forms/mine/").content.decode()
    assert "Permit granted" in mine
    page = client.get(f"/services/forms/r/{response.uid}/").content.decode()
    assert "Permit granted" in page  # the workflow's public panel


def test_a_form_without_workflow_is_submitted_all_the_same(client, form, citizen):
    client.force_login(citizen)
    response, answer = submit_as(client, form)
    assert answer.status_code == 302
    response.refresh_from_db()
    assert response.status == "submitted" and response.state == ""


def test_the_time_to_close_is_recorded_for_statistics(
    client, form, permit_workflow, citizen, agent
):
    from lutetia_forms import stats
    from lutetia_workflow import engine

    client.force_login(citizen)
    response, _answer = submit_as(client, form)
    processor = grant(agent, "workflow.process_case")
    case = engine.case_for(Response.objects.get(pk=response.pk))
    engine.perform(case, "take", processor)
    case.refresh_from_db()
    engine.perform(case, "grant", processor)
    response.refresh_from_db()
    assert response.closed_at is not None and response.closed_at >= response.submitted_at
    submitted = Response.objects.filter(status="submitted")
    assert stats.median_time_to_close(submitted) == response.closed_at - response.submitted_at
