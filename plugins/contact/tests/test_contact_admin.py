"""Agents follow the messages in the back office: listing, filters, inspect, export, answered."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from lutetia_contact.models import ContactMessage, ContactTopic

pytestmark = pytest.mark.django_db

LISTING = "/admin/contact_messages/"


@pytest.fixture
def messages(town_hall):
    civil = ContactTopic.objects.get(label="Civil status")
    first = ContactMessage.objects.create(
        site=town_hall,
        topic=civil,
        name="Camille Citoyenne",
        email="camille@example.org",
        subject="Civil status",
        message="A birth certificate, please.",
    )
    second = ContactMessage.objects.create(
        site=town_hall,
        topic=None,
        name="Dominique Durand",
        email="dominique@example.org",
        subject="Other",
        message="The park gate is broken.",
    )
    return first, second


def test_the_listing_shows_the_messages_to_a_site_admin(client, site_admin, messages):
    client.force_login(site_admin)

    response = client.get(LISTING)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Camille Citoyenne" in html and "Dominique Durand" in html
    assert messages[0].reference in html
    assert reverse("contact_messages:add") not in html  # messages only come from citizens


def test_an_agent_without_the_permission_cannot_see_the_messages(client, agent, messages):
    client.force_login(agent)

    response = client.get(LISTING)

    assert response.status_code in (302, 403)
    assert "Camille Citoyenne" not in response.content.decode()
    inspect = client.get(reverse("contact_messages:inspect", args=[messages[0].pk]))
    assert "A birth certificate" not in inspect.content.decode()


def test_an_agent_with_the_view_permission_sees_them(client, agent, messages):
    agent.user_permissions.add(Permission.objects.get(codename="view_contactmessage"))
    client.force_login(agent)

    assert "Camille Citoyenne" in client.get(LISTING).content.decode()
    inspect = client.get(reverse("contact_messages:inspect", args=[messages[0].pk]))
    assert inspect.status_code == 200
    assert "A birth certificate, please." in inspect.content.decode()


def test_nobody_adds_a_message_by_hand(client, site_admin, messages):
    client.force_login(site_admin)

    response = client.get(reverse("contact_messages:add"))

    assert response.status_code in (302, 403)


def test_the_listing_filters_by_topic_and_status(client, site_admin, messages):
    first, _second = messages
    client.force_login(site_admin)

    by_topic = client.get(LISTING, {"topic": first.topic_id}).content.decode()
    assert "Camille Citoyenne" in by_topic and "Dominique Durand" not in by_topic

    by_status = client.get(LISTING, {"status": "answered"}).content.decode()
    assert "Camille Citoyenne" not in by_status


def test_an_agent_marks_a_message_answered(client, agent, messages):
    agent.user_permissions.add(Permission.objects.get(codename="change_contactmessage"))
    client.force_login(agent)
    message = messages[0]

    response = client.post(
        reverse("contact_messages:edit", args=[message.pk]), {"status": "answered"}
    )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == ContactMessage.Status.ANSWERED
    assert message.handled_by == agent
    assert message.answered_at is not None


def test_the_listing_exports_to_csv(client, site_admin, messages):
    client.force_login(site_admin)

    response = client.get(LISTING, {"export": "csv"})

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "Camille Citoyenne" in body and "The park gate is broken." in body
