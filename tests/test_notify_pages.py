"""The pages of notifications: the person's inbox (/account/notifications/) and the back
office's outbox (Settings → Outbox)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from lutetia import notify
from lutetia.audit.models import AuditEntry
from lutetia.notify import services
from lutetia.notify.base import Channel, PermanentDeliveryError
from lutetia.notify.models import OutboxMessage, Status
from lutetia.notify.registry import channels
from lutetia.testing.pytest_plugin import grant, in_site_language

pytestmark = pytest.mark.django_db

INBOX = "/en/account/notifications/"


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """``delivered(user, subject, ...)``: an in-app notification, committed and delivered."""

    def send(user, subject, body="Body", **options):
        with django_capture_on_commit_callbacks(execute=True):
            notify.inapp(user, subject, body, **options)
        return services.inbox(user).get(subject=subject)

    return send


# --- the inbox -----------------------------------------------------------------------------


def test_the_inbox_asks_to_sign_in_first(client, default_site):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_a_citizen_reads_their_notifications_and_not_others(
    client, default_site, citizen, other_citizen, delivered
):
    delivered(citizen, "Your permit is ready", "Come to the town hall.", url="/permits/42/")
    delivered(other_citizen, "Someone else's news")
    client.force_login(citizen)

    page = client.get(INBOX).content.decode()

    assert "Your permit is ready" in page
    assert "Come to the town hall." in page
    assert 'href="/permits/42/"' in page
    assert "1 unread notification" in page
    assert "Someone else" not in page


def test_a_citizen_marks_one_then_all_notifications_read(
    client, default_site, citizen, other_citizen, delivered
):
    first = delivered(citizen, "First")
    delivered(citizen, "Second")
    theirs = delivered(other_citizen, "Theirs")
    client.force_login(citizen)

    response = client.post(INBOX, {"id": first.pk}, follow=True)
    assert "1 notification marked as read." in response.content.decode()
    assert services.unread_count(citizen) == 1

    client.post(INBOX, {"id": theirs.pk})  # someone else's: ignored
    assert services.unread_count(other_citizen) == 1

    response = client.post(INBOX, follow=True)
    assert "1 notification marked as read." in response.content.decode()
    assert services.unread_count(citizen) == 0
    assert "You have 0 unread notifications." in response.content.decode()


def test_an_empty_inbox_says_so(client, default_site, citizen):
    client.force_login(citizen)
    with translation.override("en"):
        page = client.get(INBOX).content.decode()
    assert "You have no notification yet." in page


def test_my_account_links_to_the_inbox(client, default_site, citizen):
    client.force_login(citizen)
    page = client.get("/en/account/").content.decode()
    assert 'href="/en/account/notifications/"' in page


# --- the outbox in the back office ---------------------------------------------------------


@pytest.fixture
def failed_message(db):
    """A webhook message given up as failed."""

    class Refusing(Channel):
        verbose_name = "Refusing"

        def deliver(self, message):
            raise PermanentDeliveryError("The server answered 410.")

    channels.register("test.refusing")(Refusing)
    message = notify.enqueue(
        "test.refusing", "https://gone.example.org/hook", data={"secret": "hunter2-secret"}
    )
    services.deliver(message.pk)
    yield OutboxMessage.objects.get(pk=message.pk)
    channels.unregister("test.refusing")


def test_a_site_admin_lists_the_outbox_filtered_by_status(client, site_admin, failed_message):
    pending = notify.enqueue("test.refusing", "https://pending.example.org/")
    client.force_login(site_admin)

    everything = client.get(reverse("outbox:index")).content.decode()
    failed_only = client.get(reverse("outbox:index"), {"status": "failed"}).content.decode()

    assert f"test.refusing #{failed_message.pk}" in everything
    assert f"test.refusing #{pending.pk}" in everything
    assert f"test.refusing #{failed_message.pk}" in failed_only
    assert f"test.refusing #{pending.pk}" not in failed_only


def test_a_site_admin_retries_a_failed_message_and_it_is_recorded(
    client, site_admin, failed_message, django_capture_on_commit_callbacks
):
    client.force_login(site_admin)
    page = client.get(reverse("outbox:inspect", args=[failed_message.pk])).content.decode()
    assert "The server answered 410." in page
    assert in_site_language("Retry now") in page
    assert "hunter2" not in page  # a webhook's secret is never shown

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outbox:retry", args=[failed_message.pk]))

    assert response.status_code == 302
    message = OutboxMessage.objects.get(pk=failed_message.pk)
    assert (message.status, message.attempts) == (Status.FAILED, 1)  # tried again, refused again
    assert AuditEntry.objects.filter(action="notify.retry", target_id=str(message.pk)).exists()


def test_retry_answers_405_to_a_get(client, site_admin, failed_message):
    client.force_login(site_admin)
    assert client.get(reverse("outbox:retry", args=[failed_message.pk])).status_code == 405


def test_an_agent_without_the_right_cannot_see_the_outbox(client, agent, failed_message):
    client.force_login(agent)
    response = client.get(reverse("outbox:index"))
    assert response.status_code in (302, 403)
    assert "Outbox" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_an_agent_allowed_to_view_cannot_retry(client, agent, failed_message):
    agent = grant(agent, "lutetia_notify.view_outboxmessage")
    client.force_login(agent)

    page = client.get(reverse("outbox:inspect", args=[failed_message.pk]))
    assert page.status_code == 200
    assert in_site_language("Retry now") not in page.content.decode()
    # Wagtail answers a refusal with a redirect to the dashboard and a message.
    assert client.post(reverse("outbox:retry", args=[failed_message.pk])).status_code in (302, 403)
    assert OutboxMessage.objects.get(pk=failed_message.pk).status == Status.FAILED
