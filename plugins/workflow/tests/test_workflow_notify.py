"""Messages tasks send go through the outbox: delivered after commit, never for an undone action;
and the "ask the citizen" round trip, from the e-mail's link to the answer."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from lutetia_workflow import engine, services
from lutetia_workflow.models import Case, CitizenRequest, Workflow

from lutetia.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)

NOTIFY = {
    "type": "notify_citizen",
    "config": {
        "channels": ["email", "inapp"],
        "subject": "Your message {{ reference }} was answered",
        "body": "Hello,\n\n{{ comment }}\n\nStatus: {{ state }}",
    },
}


@pytest.fixture
def notifying_workflow(sound_definition, site_admin):
    for action in sound_definition["actions"]:
        if action["key"] == "answer":
            action["tasks"].insert(1, NOTIFY)
        if action["key"] == "break":
            action["tasks"].insert(0, NOTIFY)
        if action["key"] == "ask":
            action["tasks"] = [
                {
                    "type": "ask_citizen",
                    "config": {
                        "message": "Which street is it in? ({{ reference }})",
                        "deadline_days": 15,
                        "then_action": "completed",
                    },
                }
            ]
    flow = Workflow.objects.create(name="Notifying", draft=sound_definition)
    services.publish(flow, site_admin)
    services.bind("contact.message", "", flow, site_admin)
    return flow


def case_of(message):
    return Case.objects.select_related("version", "site").get(resource_id=str(message.pk))


def test_the_citizen_is_told_by_e_mail_and_in_the_app_after_commit(
    notifying_workflow, send_message, processing_agent, citizen
):
    message = send_message(owner=citizen)
    engine.perform(case_of(message), "take", processing_agent)
    mail.outbox.clear()
    engine.perform(
        case_of(message), "answer", processing_agent, data={"task0-comment": "Fixed on Monday."}
    )
    [email] = mail.outbox
    assert email.to == [message.email]
    assert email.subject == f"Your message {message.reference} was answered"
    assert "Fixed on Monday." in email.body
    sent = OutboxMessage.objects.filter(source=f"workflow:case:{case_of(message).pk}")
    assert set(sent.values_list("channel", "status")) == {("email", "sent"), ("inapp", "sent")}
    entry = case_of(message).history.get(action="answer")
    assert entry.tasks[1]["ok"] and entry.tasks[1]["public"]


def test_an_action_rolled_back_sends_nothing(notifying_workflow, send_message, processing_agent):
    message = send_message()
    engine.perform(case_of(message), "take", processing_agent)
    mail.outbox.clear()
    with pytest.raises(engine.ActionFailed):
        engine.perform(case_of(message), "break", processing_agent)
    assert mail.outbox == []
    assert not OutboxMessage.objects.filter(source=f"workflow:case:{case_of(message).pk}").exists()


def ask(message, agent):
    engine.perform(case_of(message), "take", agent)
    mail.outbox.clear()
    engine.perform(case_of(message), "ask", agent)
    [email] = mail.outbox
    link = re.search(r"https?://\S+/services/workflow/answer/\S+/", email.body).group(0)
    return email, link[link.index("/services/") :]


def test_ask_the_citizen_then_their_answer_moves_the_case_on(
    client, notifying_workflow, send_message, processing_agent
):
    message = send_message()
    email, link = ask(message, processing_agent)
    assert f"Which street is it in? ({message.reference})" in email.body
    assert case_of(message).state == "waiting"

    page = client.get(link)
    assert page.status_code == 200 and "Which street is it in?" in page.content.decode()
    refused = client.post(link, {"answer": ""})
    assert refused.status_code == 400
    assert client.post(link, {"answer": "Rue Oberkampf, near number 12."}).status_code == 200

    case = case_of(message)
    assert case.state == "in_progress"
    answer = case.history.get(trigger="citizen", action="")
    assert answer.comment == "Rue Oberkampf, near number 12." and answer.comment_public
    assert case.history.filter(action="completed").exists()
    # The link is spent: it cannot be used twice.
    assert client.get(link).status_code == 410
    assert client.post(link, {"answer": "again"}).status_code == 410


def test_a_request_past_its_deadline_or_unknown_is_refused(
    client, notifying_workflow, send_message, processing_agent
):
    message = send_message()
    _email, link = ask(message, processing_agent)
    CitizenRequest.objects.update(deadline=case_of(message).entered_at - timedelta(days=1))
    assert client.get(link).status_code == 410
    assert client.post(link, {"answer": "late"}).status_code == 410
    assert case_of(message).state == "waiting"
    assert client.get(reverse("workflow:answer", args=["made-up-token"])).status_code == 404
    assert not CitizenRequest.objects.filter(token_hash__contains=link.split("/")[-2]).exists()
