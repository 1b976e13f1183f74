"""Contact's domain: sending, e-mail failures, the demo data."""

import io

import pytest
from django.core import mail
from django.utils import translation
from lutetia_contact import services
from lutetia_contact.models import ContactMessage, ContactTopic

from lutetia.plugins import set_enabled
from lutetia.site.models import SiteIdentity
from lutetia.site.signals import demo_requested

pytestmark = pytest.mark.django_db


def submission(topic=None):
    return services.Submission(
        name="Camille", email="camille@example.org", topic=topic, message="Hello"
    )


def test_a_failing_mail_server_keeps_the_message(
    default_site, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp is down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)

    with django_capture_on_commit_callbacks(execute=True):
        message = services.send(default_site, submission(), language="en")

    assert ContactMessage.objects.filter(pk=message.pk).exists()


def test_without_any_address_only_the_citizen_is_written_to(
    default_site, django_capture_on_commit_callbacks
):
    assert SiteIdentity.for_site(default_site).contact_email == ""

    with django_capture_on_commit_callbacks(execute=True):
        services.send(default_site, submission(), language="en")

    assert [email.to for email in mail.outbox] == [["camille@example.org"]]


def test_the_acknowledgement_is_in_the_citizens_language(
    town_hall, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send(town_hall, submission(), language="hu")

    _to_town_hall, to_citizen = mail.outbox
    assert "Your message" not in to_citizen.subject
    assert "Ville de Beaumont" in to_citizen.subject


def test_the_demo_adds_two_topics_once(default_site):
    out = io.StringIO()
    with translation.override("en"):
        demo_requested.send(sender=None, site=default_site, stdout=out)
        demo_requested.send(sender=None, site=default_site, stdout=out)

    labels = list(ContactTopic.objects.values_list("label", flat=True))
    assert len(labels) == 2
    assert "contact: 2 topics" in out.getvalue()


def test_the_demo_leaves_a_site_with_the_plugin_off_alone(default_site):
    set_enabled(default_site, "contact", False)

    demo_requested.send(sender=None, site=default_site, stdout=io.StringIO())

    assert not ContactTopic.objects.exists()


def test_a_status_back_to_new_forgets_who_answered(town_hall, site_admin):
    message = services.send(town_hall, submission(), language="en")
    services.mark_answered(message, site_admin)
    assert (message.status, message.handled_by) == ("answered", site_admin)

    message.status = ContactMessage.Status.NEW
    services.record_status(message, site_admin)

    assert (message.handled_by, message.answered_at) == (None, None)
