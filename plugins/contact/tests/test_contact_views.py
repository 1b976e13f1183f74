"""A citizen writes to the town hall from /services/contact/."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from lutetia_contact.models import ContactMessage, ContactTopic

URL = "/services/contact/"

pytestmark = pytest.mark.django_db


def message_data(**changes):
    data = {
        "name": "Camille Citoyenne",
        "email": "camille@example.org",
        "topic": str(ContactTopic.objects.get(label="Civil status").pk),
        "message": "I need a copy of my birth certificate.",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_labels_every_field_and_has_one_heading(in_language_of, client, town_hall):
    response = client.get(URL)
    html, t = response.content.decode(), in_language_of(response)

    assert html.count("<h1") == 1
    assert f"<h1>{t('Contact the town hall')}</h1>" in html
    for field in ("name", "email", "topic", "message", "consent", "website"):
        assert f'for="id_{field}"' in html
    assert ">Civil status</option>" in html
    assert ">Roads and cleanliness</option>" in html
    assert f">{t('Other')}</option>" in html


def test_a_citizen_sends_a_message_and_gets_a_reference(
    client, town_hall, citizen, django_capture_on_commit_callbacks
):
    client.force_login(citizen)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, message_data())

    message = ContactMessage.objects.get()
    assert (message.site, message.topic.label) == (town_hall, "Civil status")
    assert (message.name, message.email, message.subject) == (
        "Camille Citoyenne",
        "camille@example.org",
        "Civil status",
    )
    assert message.status == ContactMessage.Status.NEW
    assert re.fullmatch(r"CT-\d{4}-\d{6}", message.reference)

    to_town_hall, to_citizen = mail.outbox
    assert to_town_hall.to == ["mairie@beaumont.example"]
    assert to_town_hall.reply_to == ["camille@example.org"]
    assert message.reference in to_town_hall.subject
    assert "I need a copy of my birth certificate." in to_town_hall.body
    assert to_citizen.to == ["camille@example.org"]
    assert message.reference in to_citizen.body

    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert message.reference in thanks.content.decode()


def test_an_anonymous_citizen_may_write_too_and_other_is_a_subject(
    in_language_of, client, town_hall
):
    response = client.post(URL, message_data(topic="other"))

    assert response.status_code == 302
    response = client.get(response["Location"])
    message = ContactMessage.objects.get()
    assert (message.topic, message.subject) == (None, in_language_of(response)("Other"))


def test_a_topic_with_its_own_address_sends_there(
    client, town_hall, django_capture_on_commit_callbacks
):
    topic = ContactTopic.objects.get(label="Roads and cleanliness")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, message_data(topic=str(topic.pk)))

    assert mail.outbox[0].to == ["voirie@beaumont.example"]


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"name": ""}, "name", "Enter your name."),
        (
            {"email": "camille-at-example"},
            "email",
            "Enter an e-mail address in the format name@example.org.",
        ),
        ({"topic": ""}, "topic", "Choose the subject of your message."),
        (
            {"message": "x" * 5001},
            "message",
            "Shorten your message to %(limit_value)d characters (it has %(show_value)d).",
        ),
        ({"consent": None}, "consent", "Tick the box to let the town hall answer you."),
    ],
)
def test_a_missing_or_wrong_field_is_shown_next_to_it_and_in_the_summary(
    in_language_of, client, town_hall, django_capture_on_commit_callbacks, changes, field, error
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, message_data(**changes))

    assert response.status_code == 200
    html, t = response.content.decode(), in_language_of(response)
    error = t(error) % {"limit_value": 5000, "show_value": 5001}
    assert t("There is a problem") in html
    # The summary links to the field, saying which and what is wrong.
    assert re.search(rf'<a\b[^>]*href="#id_{field}"[^>]*>[^<]*{re.escape(error)}</a>', html)
    # Next to the field, tied to it.
    assert f'id="id_{field}-error"' in html
    field_tag = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="id_{field}"[^>]*>', html)
    assert 'aria-invalid="true"' in field_tag.group(0)
    assert f"id_{field}-error" in re.search(
        r'aria-describedby="([^"]*)"', field_tag.group(0)
    ).group(1)
    assert f"<title>{t('Error:')}" in html
    assert not ContactMessage.objects.exists()
    assert mail.outbox == []


def test_a_robot_filling_the_honeypot_is_thanked_but_nothing_is_kept(
    client, town_hall, django_capture_on_commit_callbacks
):
    # The robot sees what a person sees (a redirect to the thank-you page), so it has no
    # reason to change tactics; nothing is stored and no e-mail leaves.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, message_data(website="https://spam.example"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("contact:sent"))
    assert client.get(response["Location"]).status_code == 200
    assert not ContactMessage.objects.exists()
    assert mail.outbox == []


def test_the_honeypot_is_hidden_from_people_and_assistive_technology(
    in_language_of, client, town_hall
):
    response = client.get(URL)
    html = response.content.decode()

    trap = re.search(r'<div class="contact-trap" aria-hidden="true">(.*?)</div>', html, re.S)
    assert trap is not None
    assert in_language_of(response)("Leave this field empty") in trap.group(1)
    assert 'tabindex="-1"' in trap.group(1)


def test_the_sixth_message_within_an_hour_from_one_address_is_refused(
    in_language_of, client, town_hall
):
    for _ in range(5):
        assert client.post(URL, message_data()).status_code == 302

    response = client.post(URL, message_data(message="One more"))

    assert response.status_code == 429
    html, t = response.content.decode(), in_language_of(response)
    assert t("Your message was not sent") in html
    assert (
        t(
            "Too many messages were sent from your connection in the last hour. Please try "
            "again later, or telephone the town hall. What you wrote is still in the form below."
        )
        in html
    )
    assert 'name="message"' in html and "One more" in html  # what they wrote is kept
    assert ContactMessage.objects.count() == 5


def test_the_limit_counts_by_address(town_hall):
    first, second = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    for _ in range(5):
        first.post(URL, message_data())

    assert first.post(URL, message_data()).status_code == 429
    assert second.post(URL, message_data()).status_code == 302


def test_a_forged_post_without_the_csrf_token_is_refused(town_hall):
    forger = Client(enforce_csrf_checks=True)

    response = forger.post(URL, message_data())

    assert response.status_code == 403
    assert not ContactMessage.objects.exists()


def test_a_post_with_the_csrf_token_goes_through(town_hall):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = browser.post(URL, {**message_data(), "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert ContactMessage.objects.count() == 1


def test_the_thank_you_page_does_not_reveal_a_forged_reference(client, town_hall):
    client.post(URL, message_data())
    message = ContactMessage.objects.get()

    response = client.get(reverse("contact:sent"), {"ref": str(message.pk)})

    assert response.status_code == 200
    assert message.reference not in response.content.decode()


def test_the_page_is_in_french_by_default(client, town_hall):
    html = client.get(URL).content.decode()

    assert "Contacter la mairie" in html


def test_the_page_answers_404_when_the_plugin_is_switched_off(client, town_hall):
    from lutetia.plugins import set_enabled

    set_enabled(town_hall, "contact", False)

    assert client.get(URL).status_code == 404
    assert client.post(URL, message_data()).status_code == 404
    assert not ContactMessage.objects.exists()
