"""A workflow asks the citizen to correct their form: a one-use link opens the correction; the
corrections are checked, replace the answers only when sent, and the workflow is told."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone
from lutetia_forms.models import Response
from test_drafts import submit_as

from lutetia.testing.pytest_plugin import grant, in_site_language

ASKING = {
    "key": "ask",
    "name": "Ask for a correction",
    "sources": ["received"],
    "target": "received",
    "tasks": [
        {
            "type": "ask_citizen",
            "config": {
                "message": "The day is wrong: the market is on Sundays.",
                "deadline_days": 7,
            },
        }
    ],
}


def test_the_citizen_corrects_a_submitted_form_when_the_workflow_asks(
    client, form, permit_workflow, citizen, agent, django_capture_on_commit_callbacks
):
    from lutetia_workflow import engine
    from lutetia_workflow import services as workflow_services

    definition = dict(permit_workflow.draft)
    definition["actions"] = [*definition["actions"], ASKING]
    permit_workflow.draft = definition
    permit_workflow.save()
    workflow_services.publish(permit_workflow)

    client.force_login(citizen)
    response, _answer = submit_as(client, form)
    response = Response.objects.get(pk=response.pk)
    processor = grant(agent, "workflow.process_case")
    with django_capture_on_commit_callbacks(execute=True):
        engine.perform(engine.case_for(response), "ask", processor)
    link = re.search(r"https?://[^/\s]+(/services/forms/correct/\S+)", mail.outbox[-1].body).group(
        1
    )

    # Someone else cannot use it; the citizen can, once.
    stranger = Client()
    assert stranger.get(link).status_code in (302, 403)  # asked to sign in
    answer = client.get(link)
    assert answer.status_code == 302 and answer["Location"].endswith(f"/r/{response.uid}/correct/")
    assert client.get(link).status_code == 410
    page = client.get(answer["Location"]).content.decode()
    assert "the market is on Sundays" in page

    # A correction that breaks a rule is refused and changes nothing.
    step = f"/services/forms/r/{response.uid}/correct/request/"
    refused = client.post(step, {"kind": "market", "day": "2000-01-01", "_action": "next"})
    assert refused.status_code == 400
    client.post(step, {"kind": "market", "day": "2099-06-07", "_action": "next"})
    response.refresh_from_db()
    assert response.answers["day"] == "2099-01-01"  # agents still see the first answers
    assert response.pending_answers["day"] == "2099-06-07"

    sent = client.post(f"/services/forms/r/{response.uid}/correct/")
    assert sent.status_code == 302
    response.refresh_from_db()
    assert response.answers["day"] == "2099-06-07"
    assert response.pending_answers is None and response.correction_until is None
    assert client.get(f"/services/forms/r/{response.uid}/correct/").status_code == 410


def test_a_correction_past_its_deadline_is_refused(client, form, citizen):
    from lutetia_forms import services

    client.force_login(citizen)
    response, _answer = submit_as(client, form)
    response = Response.objects.get(pk=response.pk)
    services.reopen(response, message="Fix it", until=timezone.now() - timedelta(minutes=1))
    page = client.get(f"/services/forms/r/{response.uid}/correct/")
    assert page.status_code == 410
    assert in_site_language("The time to correct this form is over.") in page.content.decode()
    assert client.get(f"/services/forms/r/{response.uid}/correct/request/").status_code == 404
