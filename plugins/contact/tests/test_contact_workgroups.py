"""Workgroups scope the messages: an agent of another workgroup finds nothing, not even a trace.

The topic "Roads and cleanliness" belongs to "Town hall, 11th district" (``workgroup``, whose
member is ``agent``); ``agent_other_workgroup`` is in "Family services". Both hold the same
rights on messages: only the workgroup tells them apart.
"""

import pytest
from django.urls import reverse
from lutetia_contact import services
from lutetia_contact.forms import Submission
from lutetia_contact.models import ContactMessage, ContactTopic

from lutetia.testing.pytest_plugin import grant

pytestmark = pytest.mark.django_db

LISTING = "/admin/contact_messages/"
RIGHTS = (
    "contact.view_contactmessage",
    "contact.change_contactmessage",
    "contact.delete_contactmessage",
)


@pytest.fixture
def roads_message(town_hall, workgroup):
    """A message sent on a topic of ``workgroup``, through the real sending service."""
    topic = ContactTopic.objects.get(label="Roads and cleanliness")
    topic.workgroup = workgroup
    topic.save()
    return services.send(
        town_hall,
        Submission(
            topic=topic,
            name="Camille Citoyenne",
            email="camille@example.org",
            message="A pothole in rue des Lilas.",
        ),
    )


@pytest.fixture
def shared_message(town_hall):
    """A message on a topic without workgroup: every agent with the right sees it."""
    return ContactMessage.objects.create(
        site=town_hall,
        topic=ContactTopic.objects.get(label="Civil status"),
        name="Dominique Durand",
        email="dominique@example.org",
        subject="Civil status",
        message="A birth certificate, please.",
    )


def test_a_message_takes_the_workgroup_of_its_topic(roads_message, workgroup):
    assert roads_message.workgroup == workgroup


def test_the_agent_of_the_workgroup_lists_inspects_and_exports_it(
    client, agent, roads_message, shared_message
):
    client.force_login(grant(agent, *RIGHTS))

    assert "A pothole" not in client.get(LISTING).content.decode()  # the listing shows no body
    listing = client.get(LISTING).content.decode()
    assert roads_message.reference in listing and shared_message.reference in listing
    inspect = client.get(reverse("contact_messages:inspect", args=[roads_message.pk]))
    assert inspect.status_code == 200
    assert "A pothole in rue des Lilas." in inspect.content.decode()
    export = client.get(LISTING, {"export": "csv"})
    assert "A pothole in rue des Lilas." in b"".join(export.streaming_content).decode()


def test_an_agent_of_another_workgroup_does_not_see_it_in_the_listing(
    client, agent_other_workgroup, roads_message, shared_message
):
    client.force_login(grant(agent_other_workgroup, *RIGHTS))

    listing = client.get(LISTING)

    assert listing.status_code == 200
    html = listing.content.decode()
    assert roads_message.reference not in html
    assert shared_message.reference in html  # shared by every workgroup
    searched = client.get(LISTING, {"q": "Camille"}).content.decode()
    assert roads_message.reference not in searched


def test_an_agent_of_another_workgroup_does_not_get_it_in_the_export(
    client, agent_other_workgroup, roads_message, shared_message
):
    client.force_login(grant(agent_other_workgroup, *RIGHTS))

    export = client.get(LISTING, {"export": "csv"})

    assert export.status_code == 200
    rows = b"".join(export.streaming_content).decode()
    assert "A pothole" not in rows and "camille@example.org" not in rows
    assert "A birth certificate, please." in rows


@pytest.mark.parametrize("view", ["inspect", "edit", "delete", "history"])
def test_an_agent_of_another_workgroup_gets_404_on_the_message(
    client, agent_other_workgroup, roads_message, view
):
    client.force_login(grant(agent_other_workgroup, *RIGHTS))

    response = client.get(reverse(f"contact_messages:{view}", args=[roads_message.pk]))

    assert response.status_code == 404
    assert "A pothole" not in response.content.decode()


def test_an_agent_of_another_workgroup_cannot_change_or_delete_it(
    client, agent_other_workgroup, roads_message
):
    client.force_login(grant(agent_other_workgroup, *RIGHTS))

    edited = client.post(
        reverse("contact_messages:edit", args=[roads_message.pk]), {"status": "answered"}
    )
    deleted = client.post(reverse("contact_messages:delete", args=[roads_message.pk]))

    assert edited.status_code == 404 and deleted.status_code == 404
    roads_message.refresh_from_db()
    assert roads_message.status == ContactMessage.Status.NEW


def test_a_site_admin_sees_every_workgroup(client, site_admin, roads_message):
    client.force_login(site_admin)

    assert roads_message.reference in client.get(LISTING).content.decode()
    inspect = client.get(reverse("contact_messages:inspect", args=[roads_message.pk]))
    assert inspect.status_code == 200


def test_the_right_to_see_all_workgroups_makes_an_agent_see_it(
    client, agent_other_workgroup, roads_message
):
    client.force_login(grant(agent_other_workgroup, *RIGHTS, "lutetia_accounts.see_all_workgroups"))

    inspect = client.get(reverse("contact_messages:inspect", args=[roads_message.pk]))

    assert inspect.status_code == 200


# --- the API: the same scoping ------------------------------------------------------------

API = "/api/v1/contact-messages/"


def test_the_api_lists_and_shows_the_workgroups_messages_to_its_agent(client, agent, roads_message):
    client.force_login(grant(agent, *RIGHTS))

    listing = client.get(API).json()
    detail = client.get(f"{API}{roads_message.pk}/")

    assert [item["reference"] for item in listing["results"]] == [roads_message.reference]
    assert detail.status_code == 200
    assert detail.json()["message"] == "A pothole in rue des Lilas."


def test_the_api_hides_it_from_an_agent_of_another_workgroup(
    client, agent_other_workgroup, roads_message, shared_message
):
    client.force_login(grant(agent_other_workgroup, *RIGHTS))

    listing = client.get(API).json()
    detail = client.get(f"{API}{roads_message.pk}/")

    assert [item["reference"] for item in listing["results"]] == [shared_message.reference]
    assert listing["count"] == 1
    assert detail.status_code == 404
    assert "pothole" not in detail.content.decode()
    # The same answer as for an object that never existed: nothing leaks.
    assert detail.json() == client.get(f"{API}999999/").json()


def test_the_api_refuses_anonymous_callers_and_those_without_the_right(
    client, agent, citizen, roads_message
):
    anonymous = client.get(API)
    client.force_login(citizen)
    as_citizen = client.get(f"{API}{roads_message.pk}/")
    client.force_login(agent)  # an agent, but without the right on messages
    as_agent = client.get(API)

    assert anonymous.status_code == 401 and anonymous.json()["error"]
    assert as_citizen.status_code == 403 and "pothole" not in as_citizen.content.decode()
    assert as_agent.status_code == 403


def test_the_api_is_read_only(client, agent, roads_message):
    client.force_login(grant(agent, *RIGHTS))

    response = client.post(f"{API}{roads_message.pk}/", {"status": "answered"})

    assert response.status_code in (403, 405)  # CSRF or method: never a change
    roads_message.refresh_from_db()
    assert roads_message.status == ContactMessage.Status.NEW
