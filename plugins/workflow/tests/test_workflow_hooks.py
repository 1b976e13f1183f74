"""Other systems start API actions with a signed call; anything else is refused."""

import json
import time

import pytest
from django.urls import reverse
from lutetia_workflow import engine
from lutetia_workflow.hooks import signature
from lutetia_workflow.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def case(workflow, send_message, processing_agent):
    case = Case.objects.select_related("version", "site").get(resource_id=str(send_message().pk))
    engine.perform(case, "take", processing_agent)
    return Case.objects.select_related("version__workflow").get(pk=case.pk)


def call(client, case, action, body=b"{}", secret=None, timestamp=None):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    secret = secret or case.version.workflow.hook_secret
    return client.post(
        reverse("workflow:hook", args=[case.pk, action]),
        body,
        content_type="application/json",
        HTTP_X_LUTETIA_TIMESTAMP=timestamp,
        HTTP_X_LUTETIA_SIGNATURE=signature(secret, timestamp, body),
    )


def test_a_signed_call_does_the_api_action(client, case):
    response = call(client, case, "paid", json.dumps({"revision": case.revision}).encode())
    assert response.status_code == 200
    assert response.json()["state"] == "answered"
    entry = Case.objects.get(pk=case.pk).history.get(action="paid")
    assert entry.trigger == "api" and entry.actor_name == "API"


def test_a_wrong_secret_an_old_signature_or_none_is_refused(client, case):
    assert call(client, case, "paid", secret="guessed").status_code == 401
    assert call(client, case, "paid", timestamp=int(time.time()) - 3600).status_code == 401
    unsigned = client.post(
        reverse("workflow:hook", args=[case.pk, "paid"]), b"{}", content_type="application/json"
    )
    assert unsigned.status_code == 401
    garbled = client.post(
        reverse("workflow:hook", args=[case.pk, "paid"]),
        b"{}",
        content_type="application/json",
        HTTP_X_LUTETIA_TIMESTAMP="soon",
        HTTP_X_LUTETIA_SIGNATURE="sha256=é",
    )
    assert garbled.status_code == 401
    assert Case.objects.get(pk=case.pk).state == "in_progress"


def test_only_api_actions_can_be_called_and_a_stale_revision_is_a_conflict(client, case):
    assert call(client, case, "answer").status_code == 422  # an agent's action
    stale = call(client, case, "paid", json.dumps({"revision": 1}).encode())
    assert stale.status_code == 409
    assert call(client, case, "paid", b"not json").status_code == 400
    assert Case.objects.get(pk=case.pk).state == "in_progress"
