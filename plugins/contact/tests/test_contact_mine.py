"""A signed-in citizen finds the messages they sent under "My messages", and only theirs."""

import pytest
from django.urls import reverse
from lutetia_contact.models import ContactMessage, ContactTopic

pytestmark = pytest.mark.django_db

URL = "/services/contact/"


def send_as(client, user):
    client.force_login(user)
    form = client.get(URL).content.decode()
    client.post(
        URL,
        {
            "name": user.get_full_name(),
            "email": user.email,
            "topic": str(ContactTopic.objects.get(label="Civil status").pk),
            "message": f"A birth certificate for {user.first_name}, please.",
            "consent": "on",
            "website": "",
        },
    )
    return form, ContactMessage.objects.get(owner=user)


def test_the_form_is_filled_in_with_the_citizens_name_and_address(client, town_hall, citizen):
    form, _message = send_as(client, citizen)

    assert 'value="Camille Citoyenne"' in form
    assert 'value="citizen@example.org"' in form


def test_a_citizen_lists_and_opens_their_messages(client, town_hall, citizen):
    _form, message = send_as(client, citizen)

    listing = client.get(reverse("contact:mine"))
    detail = client.get(reverse("contact:detail", args=[message.pk]))

    assert listing.status_code == 200 and message.reference in listing.content.decode()
    assert detail.status_code == 200
    assert "A birth certificate for Camille, please." in detail.content.decode()


def test_another_citizen_gets_404_and_sees_nothing_of_it(client, town_hall, citizen, other_citizen):
    _form, message = send_as(client, citizen)
    client.force_login(other_citizen)

    listing = client.get(reverse("contact:mine"))
    detail = client.get(reverse("contact:detail", args=[message.pk]))

    assert message.reference not in listing.content.decode()
    assert detail.status_code == 404
    assert "birth certificate" not in detail.content.decode()
    # As if it did not exist: the same status as a reference nobody ever had.
    assert client.get(reverse("contact:detail", args=[999999])).status_code == 404
    # The attempt is in the access log, naming who tried what.
    from lutetia.audit.models import AuditEntry

    attempt = AuditEntry.objects.get(action="access.not_owner")
    assert attempt.outcome == "denied"
    assert attempt.actor_id == str(other_citizen.pk)
    assert attempt.target_id == str(message.pk)


def test_visitors_are_asked_to_sign_in(client, town_hall):
    response = client.get(reverse("contact:mine"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_message_sent_without_an_account_belongs_to_nobody(client, town_hall):
    client.post(
        URL,
        {
            "name": "Dominique Durand",
            "email": "dominique@example.org",
            "topic": str(ContactTopic.objects.get(label="Civil status").pk),
            "message": "Hello.",
            "consent": "on",
            "website": "",
        },
    )

    assert ContactMessage.objects.get().owner is None
