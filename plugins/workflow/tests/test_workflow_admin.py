"""The back office as agents and administrators use it: work queue, case page, designer."""

import json

import pytest
from django.urls import reverse
from lutetia_workflow.engine import StaleCase
from lutetia_workflow.models import Binding, Case, Workflow

from lutetia.testing.pytest_plugin import grant, in_site_language

pytestmark = pytest.mark.django_db(transaction=True)


def case_of(message):
    return Case.objects.get(resource_id=str(message.pk))


# --- agents ---------------------------------------------------------------------------------


def test_the_queue_shows_my_workgroups_cases_only(
    client, workflow, send_message, processing_agent, other_processing_agent
):
    message = send_message()
    client.force_login(processing_agent)
    page = client.get(reverse("workflow_queue"))
    assert page.status_code == 200
    assert message.reference in page.content.decode()

    client.force_login(other_processing_agent)
    page = client.get(reverse("workflow_queue"))
    assert message.reference not in page.content.decode()
    assert client.get(reverse("workflow_case", args=[case_of(message).pk])).status_code == 404


def test_an_agent_without_the_right_to_process_gets_403(client, workflow, send_message, agent):
    case = case_of(send_message())
    client.force_login(agent)
    # Wagtail answers a refused back-office page with a redirect to the dashboard and a message.
    for url in (reverse("workflow_queue"), reverse("workflow_case", args=[case.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert (
        client.post(reverse("workflow_case", args=[case.pk]), {"action": "take"}).status_code == 302
    )
    assert Case.objects.get(pk=case.pk).state == "received"


def test_the_case_page_offers_the_actions_and_does_one(
    client, workflow, send_message, processing_agent
):
    message = send_message()
    case = case_of(message)
    client.force_login(processing_agent)
    page = client.get(reverse("workflow_case", args=[case.pk])).content.decode()
    assert "Take it" in page and "Received" in page

    response = client.post(
        reverse("workflow_case", args=[case.pk]), {"action": "take", "revision": case.revision}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "in_progress" and case.assignee == processing_agent
    page = client.get(reverse("workflow_case", args=[case.pk])).content.decode()
    assert "In progress" in page and "Alex Agent" in page


def test_a_click_on_a_stale_page_changes_nothing_and_says_why(
    client, workflow, send_message, processing_agent
):
    case = case_of(send_message())
    client.force_login(processing_agent)
    client.post(reverse("workflow_case", args=[case.pk]), {"action": "take", "revision": 1})
    response = client.post(
        reverse("workflow_case", args=[case.pk]),
        {"action": "note", "revision": 1, "task0-comment": "late"},
        follow=True,
    )
    assert in_site_language(lambda: str(StaleCase())) in response.content.decode()
    assert not Case.objects.get(pk=case.pk).history.filter(action="note").exists()


def test_a_missing_required_comment_is_a_400_with_the_field_error(
    client, workflow, send_message, processing_agent
):
    message = send_message()
    case = case_of(message)
    client.force_login(processing_agent)
    client.post(reverse("workflow_case", args=[case.pk]), {"action": "take", "revision": 1})
    response = client.post(
        reverse("workflow_case", args=[case.pk]),
        {"action": "answer", "revision": 2, "task0-comment": ""},
    )
    assert response.status_code == 400
    assert 'id="id_task0-comment-error"' in response.content.decode()
    assert case_of(message).state == "in_progress"


def test_mass_action_from_the_queue(client, workflow, send_message, processing_agent):
    cases = [case_of(send_message()) for _ in range(3)]
    client.force_login(processing_agent)
    url = reverse("workflow_queue") + f"?workflow={workflow.pk}&state=received"
    page = client.get(url).content.decode()
    assert 'value="take"' in page
    client.post(url, {"action": "take", "case": [c.pk for c in cases[:2]]})
    states = sorted(Case.objects.get(pk=c.pk).state for c in cases)
    assert states == ["in_progress", "in_progress", "received"]


def test_the_messages_own_back_office_page_shows_the_workflow_panel(
    client, workflow, send_message, processing_agent
):
    message = send_message()
    processing_agent = grant(processing_agent, "contact.view_contactmessage")
    client.force_login(processing_agent)
    page = client.get(f"/admin/contact_messages/inspect/{message.pk}/").content.decode()
    assert in_site_language("Processing") in page and "Take it" in page


def test_the_citizen_sees_the_public_status_and_withdraws(client, workflow, send_message, citizen):
    message = send_message(owner=citizen)
    client.force_login(citizen)
    page = client.get(reverse("contact:detail", args=[message.pk])).content.decode()
    assert in_site_language("Where your request stands") in page and "Received" in page
    assert "Withdraw my message" in page
    response = client.post(
        reverse("workflow:citizen_action", args=[case_of(message).pk]),
        {"action": "withdraw", "revision": 1},
    )
    assert response.status_code == 302
    assert case_of(message).state == "closed"


def test_another_citizen_cannot_act_on_the_case(
    client, workflow, send_message, citizen, other_citizen
):
    message = send_message(owner=citizen)
    client.force_login(other_citizen)
    response = client.post(
        reverse("workflow:citizen_action", args=[case_of(message).pk]), {"action": "withdraw"}
    )
    assert response.status_code == 404
    assert case_of(message).state == "received"


# --- administrators ------------------------------------------------------------------------


@pytest.fixture
def designer(site_admin, client):
    client.force_login(site_admin)
    return client


def test_design_a_workflow_from_nothing_and_publish_it(designer):
    flow = Workflow.objects.create(name="Parking permits")
    base = f"/admin/workflow/design/{flow.pk}/"
    assert designer.get(base).status_code == 200
    designer.post(base + "state/add/", {"name": "Submitted", "colour": "#000091"})
    designer.post(base + "state/add/", {"name": "Granted", "colour": "#18753c", "final": "on"})
    designer.post(
        base + "action/add/",
        {
            "name": "Grant",
            "sources": ["submitted"],
            "target": "granted",
            "trigger": "manual",
            "on_failure": "rollback",
            "public": "on",
        },
    )
    response = designer.post(
        base + "action/grant/task/add/?type=comment",
        {"type": "comment", "visible_to_citizen": "on"},
    )
    assert response.status_code == 302
    flow.refresh_from_db()
    assert [s["key"] for s in flow.draft["states"]] == ["submitted", "granted"]
    assert flow.draft["states"][0]["initial"] is True
    assert flow.draft["actions"][0]["tasks"] == [
        {"type": "comment", "config": {"visible_to_citizen": True, "required": False}}
    ]
    designer.post(base + "publish/")
    assert flow.versions.count() == 1


def test_a_broken_json_draft_is_refused_and_the_draft_stays(designer, workflow):
    workflow.refresh_from_db()
    before = workflow.draft
    broken = dict(
        before, actions=[{"key": "x", "name": "X", "sources": ["nowhere"], "target": "closed"}]
    )
    response = designer.post(
        f"/admin/workflow/design/{workflow.pk}/json/", {"definition": json.dumps(broken)}
    )
    assert response.status_code == 200
    assert "nowhere" in response.content.decode()
    workflow.refresh_from_db()
    assert workflow.draft == before


def test_deleting_a_state_in_use_is_refused(designer, workflow):
    response = designer.post(
        f"/admin/workflow/design/{workflow.pk}/state/received/delete/", follow=True
    )
    expected = in_site_language(
        "The state is used by these actions: %(actions)s. Change or delete them first."
    )
    assert expected.split("%(")[0] in response.content.decode()
    workflow.refresh_from_db()
    assert any(s["key"] == "received" for s in workflow.draft["states"])


def test_bindings_choose_which_workflow_processes_contact_messages(designer, workflow):
    Binding.objects.all().delete()
    response = designer.post(
        "/admin/workflow/design/bindings/", {"bind:contact.message:": str(workflow.pk)}
    )
    assert response.status_code == 302
    assert Binding.objects.get(resource_type="contact.message").workflow == workflow


def test_an_agent_without_design_rights_cannot_open_the_designer(
    client, workflow, processing_agent
):
    client.force_login(processing_agent)
    response = client.get(f"/admin/workflow/design/{workflow.pk}/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    response = client.post(f"/admin/workflow/design/{workflow.pk}/state/received/delete/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    workflow.refresh_from_db()
    assert any(s["key"] == "received" for s in workflow.draft["states"])
