"""A submitted response starts the workflow bound to its form; the workflow's state is copied
onto the response (lists filter by it) and the citizen follows it from their demands."""

from __future__ import annotations

import pytest
from lutetia_forms.models import Response
from test_drafts import submit_as

from lutetia.testing.pytest_plugin import grant

PERMIT_WORKFLOW = {
    "format": 1,
    "states": [
        {"key": "received", "name": "Received", "public_label": "Received", "initial": True},
        {"key": "review", "name": "Under review", "public_label": "Being examined"},
        {"key": "granted", "name": "Granted", "public_label": "Permit granted", "final": True},
    ],
    "actions": [
        {
            "key": "take",
            "name": "Take it",
            "sources": ["received"],
            "target": "review",
            "tasks": [{"type": "assign", "config": {"mode": "actor"}}],
        },
        {"key": "grant", "name": "Grant", "sources": ["review"], "target": "granted"},
    ],
}


@pytest.fixture
def permit_workflow(form, site_admin):
    from lutetia_workflow import services as workflow_services
    from lutetia_workflow.models import Workflow

    flow = Workflow.objects.create(name="Event permits", draft=PERMIT_WORKFLOW)
    workflow_services.publish(flow, site_admin)
    workflow_services.bind("forms.response", f"form:{form.pk}", flow, site_admin)
    return flow


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
