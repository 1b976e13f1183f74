"""The outbox: written with the use case, delivered after commit, retried, never lost, never
sent twice; and its channels (e-mail over SMTP, SMS, in-app, signed webhooks)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone, translation
from django_tasks.backends.immediate import ImmediateBackend

from lutetia import notify
from lutetia.conf import ConfigError, load
from lutetia.conf import django as from_conf
from lutetia.jobs import services as jobs
from lutetia.jobs.registry import periodic_jobs
from lutetia.notify import services, sms_backends
from lutetia.notify.base import Channel, DeliveryError, PermanentDeliveryError
from lutetia.notify.models import InAppNotification, OutboxMessage, Status
from lutetia.notify.registry import channels

MINUTE = timedelta(minutes=1)


class Boom(Exception):
    """The use case fails after writing its message."""


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def sms_outbox():
    sms_backends.outbox.clear()
    yield sms_backends.outbox
    sms_backends.outbox.clear()


@pytest.fixture
def register_channel():
    """Register test channels; they are removed after the test."""
    added = []

    def register(channel_id, channel_class):
        channels.register(channel_id)(channel_class)
        added.append(channel_id)
        return channel_class

    yield register
    for channel_id in added:
        channels.unregister(channel_id)


@pytest.fixture
def flaky(register_channel):
    """Channel "test.flaky": fails with a retryable error while ``failures`` is above 0."""

    class Flaky(Channel):
        verbose_name = "Flaky"
        failures = 100
        delivered: list[int] = []

        def deliver(self, message):
            if Flaky.failures > 0:
                Flaky.failures -= 1
                raise DeliveryError("the operator is down")
            Flaky.delivered.append(message.pk)

    return register_channel("test.flaky", Flaky)


class Recorder(BaseHTTPRequestHandler):
    """Records each POST and answers the status the test chose."""

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.server.received.append((dict(self.headers), self.rfile.read(length)))
        self.send_response(self.server.answers.pop(0) if self.server.answers else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A real HTTP server on 127.0.0.1 in a thread: ``.url``, ``.received`` (headers, body),
    ``.answers`` (the status codes to answer next, 200 after)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.received, server.answers = [], []
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def reload(message):
    return OutboxMessage.objects.get(pk=message.pk)


# --- the outbox: rolled back never leaves, committed always arrives -------------------------

#: Committed writes; only the notify app is "available", so afterwards only its tables are
#: emptied (not the pages and content types later modules rely on). No user or site here.
committed = pytest.mark.django_db(transaction=True, available_apps=["lutetia.notify"])


@committed
def test_an_e_mail_of_a_use_case_rolled_back_never_leaves_and_one_committed_arrives(smtp_sink):
    with pytest.raises(Boom), transaction.atomic():
        notify.email("rolled.back@example.org", "Rolled back", "Never sent.")
        raise Boom

    with transaction.atomic():
        message = notify.email(
            ["camille@example.org"], "Votre demande FRM-42", "Bonjour Camille,", source="test:42"
        )
        assert smtp_sink.messages == []  # nothing leaves before the commit

    received = smtp_sink.wait_for(to="camille@example.org")
    assert received["Subject"] == "Votre demande FRM-42"
    assert smtp_sink.text(received).strip() == "Bonjour Camille,"
    assert "no-reply@localhost" in received["From"] or received["From"]
    assert smtp_sink.to("rolled.back@example.org") == []
    assert not OutboxMessage.objects.filter(recipient="rolled.back@example.org").exists()
    message = reload(message)
    assert (message.status, message.attempts, message.source) == (Status.SENT, 1, "test:42")
    assert message.sent_at is not None
    assert services.deliver_due() == {}  # nothing left for the periodic job


@committed
def test_a_message_whose_queue_is_down_at_commit_is_delivered_by_the_periodic_job(
    monkeypatch, smtp_sink, caplog
):
    def queue_down(self, task, args, kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(ImmediateBackend, "enqueue", queue_down)
    with transaction.atomic():
        message = notify.email("camille@example.org", "Subject", "Body")
    # The use case committed whatever the queue did; the message waits in the outbox.
    assert reload(message).status == Status.PENDING
    assert "the periodic job will deliver it" in caplog.text
    assert smtp_sink.messages == []

    monkeypatch.undo()
    assert jobs.run_job("core.notify_deliver_pending") == "success"

    smtp_sink.wait_for(to="camille@example.org")
    assert reload(message).status == Status.SENT


@pytest.mark.django_db
def test_a_crash_between_commit_and_queueing_is_recovered_by_the_periodic_job(
    django_capture_on_commit_callbacks,
):
    # The callbacks are captured and never run: the process "died" right after the commit.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = notify.email("camille@example.org", "Subject", "Body")
    assert len(callbacks) == 1
    assert mail.outbox == []

    jobs.schedule_due_jobs()  # the scheduler's pass: the job is due, the immediate backend runs it

    assert [m.to for m in mail.outbox] == [["camille@example.org"]]
    assert reload(message).status == Status.SENT


def test_the_periodic_job_runs_every_minute_and_commits_message_by_message():
    job = periodic_jobs["core.notify_deliver_pending"]
    assert job.every == MINUTE
    assert job.plugin is None
    assert job.atomic is False


@pytest.mark.django_db
def test_the_database_worker_delivers_a_message_queued_at_commit(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    # The worker drops connections between tasks; inside the test's transaction that would
    # lose it.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.email("camille@example.org", "Subject", "Body")
    assert mail.outbox == []  # queued, not sent yet

    call_command("worker", "--batch", verbosity=0)

    assert len(mail.outbox) == 1
    assert reload(message).status == Status.SENT


# --- retries -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failing_message_is_retried_later_and_later_then_given_up(flaky, settings):
    settings.LUTETIA_NOTIFY_MAX_ATTEMPTS = 6
    message = notify.enqueue("test.flaky", "someone", body="Hello")
    now = reload(message).next_attempt_at

    waits = []
    for attempt in range(1, 6):
        assert services.deliver(message.pk, now) == "retry"
        message = reload(message)
        assert (message.status, message.attempts) == (Status.PENDING, attempt)
        assert message.last_error == "the operator is down"
        waits.append(message.next_attempt_at - now)
        # Not due a second before its time, by the task or by the periodic job.
        assert services.deliver(message.pk, message.next_attempt_at - timedelta(seconds=1)) == (
            "skipped"
        )
        assert services.deliver_due(message.next_attempt_at - timedelta(seconds=1)) == {}
        now = message.next_attempt_at

    assert waits == [MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * 60 * MINUTE, 12 * 60 * MINUTE]
    assert services.deliver_due(now) == {"failed": 1}
    message = reload(message)
    assert (message.status, message.attempts) == (Status.FAILED, 6)
    assert services.deliver_due(now + timedelta(days=30)) == {}
    assert flaky.delivered == []


@pytest.mark.django_db
def test_a_message_delivered_on_its_second_attempt_is_sent(flaky):
    flaky.failures = 1
    message = notify.enqueue("test.flaky", "someone")
    start = reload(message).next_attempt_at
    assert services.deliver(message.pk, start) == "retry"

    assert services.deliver_due(start + MINUTE) == {"sent": 1}
    message = reload(message)
    assert (message.status, message.attempts) == (Status.SENT, 2)
    assert flaky.delivered == [message.pk]


@pytest.mark.django_db
def test_a_permanent_refusal_is_not_retried(register_channel):
    calls = []

    class Refusing(Channel):
        verbose_name = "Refusing"

        def deliver(self, message):
            calls.append(message.pk)
            raise PermanentDeliveryError("no such mailbox")

    register_channel("test.refusing", Refusing)
    message = notify.enqueue("test.refusing", "nobody")

    assert services.deliver(message.pk) == "failed"
    message = reload(message)
    assert (message.status, message.attempts, message.last_error) == (
        Status.FAILED,
        1,
        "no such mailbox",
    )
    assert services.deliver_due(timezone.now() + timedelta(days=1)) == {}
    assert calls == [message.pk]


@pytest.mark.django_db
def test_a_crashing_channel_keeps_its_message_for_a_retry(register_channel):
    class Buggy(Channel):
        verbose_name = "Buggy"

        def deliver(self, message):
            raise KeyError("oops")

    register_channel("test.buggy", Buggy)
    message = notify.enqueue("test.buggy", "someone")

    assert services.deliver(message.pk) == "retry"
    assert reload(message).last_error == "KeyError: 'oops'"


@pytest.mark.django_db
def test_a_message_held_by_a_worker_that_died_is_taken_again_after_its_lease(flaky):
    flaky.failures = 0
    message = notify.enqueue("test.flaky", "someone")
    start = reload(message).next_attempt_at
    assert services._claim(message.pk, start) == 1  # a worker took it, then died

    assert services.deliver(message.pk, start + MINUTE) == "skipped"  # its lease still holds
    assert services.deliver_due(start + services.SENDING_LEASE) == {"sent": 1}
    message = reload(message)
    assert (message.status, message.attempts) == (Status.SENT, 2)


@pytest.mark.django_db
def test_a_last_attempt_that_never_reported_is_given_up(flaky, settings):
    settings.LUTETIA_NOTIFY_MAX_ATTEMPTS = 1
    message = notify.enqueue("test.flaky", "someone")
    start = reload(message).next_attempt_at
    services._claim(message.pk, start)

    assert services.deliver_due(start + services.SENDING_LEASE) == {"failed": 1}
    message = reload(message)
    assert message.status == Status.FAILED
    assert "worker" in message.last_error


@pytest.mark.django_db
def test_a_failed_message_retried_by_hand_gets_a_fresh_round(
    flaky, settings, django_capture_on_commit_callbacks
):
    settings.LUTETIA_NOTIFY_MAX_ATTEMPTS = 1
    message = notify.enqueue("test.flaky", "someone")
    assert services.deliver(message.pk) == "failed"
    flaky.failures = 0

    with django_capture_on_commit_callbacks(execute=True):
        services.retry(message.pk)

    assert reload(message).status == Status.SENT
    with pytest.raises(services.NotRetryable):
        services.retry(message.pk)


@pytest.mark.django_db
def test_the_api_stays_callable_once_every_module_of_the_package_is_loaded():
    # A submodule named like a function (notify.sms) would replace it on the package.
    import lutetia.notify.channels
    import lutetia.notify.sms_backends  # noqa: F401

    for name in notify.__all__:
        assert callable(getattr(notify, name)), name


@pytest.mark.django_db
def test_an_unknown_channel_is_the_caller_s_mistake():
    with pytest.raises(ValueError, match="no notification channel 'pigeon'"):
        notify.enqueue("pigeon", "somewhere")


@pytest.mark.django_db
def test_logs_name_messages_by_id_never_by_their_content(flaky, caplog):
    caplog.set_level(logging.DEBUG, logger="lutetia.notify")
    message = notify.enqueue(
        "test.flaky", "camille@example.org", subject="Secret subject", body="Secret body"
    )
    services.deliver(message.pk)

    assert caplog.records
    for record in caplog.records:
        text = json.dumps(record.__dict__, default=str)
        assert "Secret" not in text and "camille@example.org" not in text
    assert any(getattr(record, "outbox_id", None) == message.pk for record in caplog.records)


# --- two workers at once (PostgreSQL) ------------------------------------------------------


def _in_threads(count, target):
    """Run ``target()`` in ``count`` threads released together; each closes its connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.fixture
def slow_counting(register_channel):
    """Channel "test.slow": takes a moment (so that claims overlap), counts deliveries."""
    import time

    sent = []
    lock = threading.Lock()

    class Slow(Channel):
        verbose_name = "Slow"

        def deliver(self, message):
            time.sleep(0.05)
            with lock:
                sent.append(message.pk)

    register_channel("test.slow", Slow)
    return sent


@pytest.mark.postgres
@committed
def test_two_workers_delivering_the_same_message_at_once_send_it_once(slow_counting):
    # Written directly: notify.enqueue outside a transaction would deliver it at once.
    message = OutboxMessage.objects.create(
        channel="test.slow", recipient="someone", next_attempt_at=timezone.now()
    )

    outcomes = _in_threads(8, lambda: services.deliver(message.pk))

    assert sorted(outcomes) == ["sent"] + ["skipped"] * 7
    assert slow_counting == [message.pk]
    assert reload(message).attempts == 1


@pytest.mark.postgres
@committed
def test_periodic_jobs_sweeping_at_once_send_each_message_once(slow_counting):
    now = timezone.now()
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(channel="test.slow", recipient=f"r{i}", next_attempt_at=now)
        for i in range(12)
    )

    _in_threads(4, lambda: services.deliver_due(now))

    assert sorted(slow_counting) == sorted(m.pk for m in messages)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}


# --- e-mail --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_e_mail_carries_its_html_reply_to_and_attachments(
    settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Ville de Lutetia <no-reply@lutetia.example>"
    with django_capture_on_commit_callbacks(execute=True):
        notify.email(
            "camille@example.org",
            "Votre\nreçu",
            "Voir la pièce jointe.",
            html="<p>Voir la pièce jointe.</p>",
            reply_to="mairie@example.org",
            attachments=[("recu.pdf", b"%PDF-1.4 binary\x00\xff", "application/pdf")],
        )

    (sent,) = mail.outbox
    assert sent.from_email == "Ville de Lutetia <no-reply@lutetia.example>"
    assert sent.subject == "Votre reçu"  # a line break in a subject is folded, not refused
    assert sent.reply_to == ["mairie@example.org"]
    assert sent.alternatives[0][0] == "<p>Voir la pièce jointe.</p>"
    assert sent.attachments[0] == ("recu.pdf", b"%PDF-1.4 binary\x00\xff", "application/pdf")


@pytest.mark.django_db
def test_a_wrong_e_mail_address_is_refused_at_once():
    with translation.override("en"), pytest.raises(ValueError, match="not a valid e-mail"):
        notify.email(["camille@example.org", "not-an-address"], "Subject", "Body")
    assert not OutboxMessage.objects.exists()


# --- SMS -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_sms_to_a_number_that_is_not_international_is_refused_with_a_clear_message():
    with translation.override("en"), pytest.raises(ValueError) as refused:
        notify.sms("06 12 34 56 78", "Your appointment is tomorrow.")
    assert str(refused.value) == (
        "“06 12 34 56 78” is not a mobile number in international format: write it with “+” "
        "and the country code, e.g. +33 6 12 34 56 78."
    )
    for wrong in ("", "+33 6", "+0612345678", "+33 6 12 34 56 78 90 12 34", "call me"):
        with pytest.raises(ValueError):
            notify.sms(wrong, "Body")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_an_sms_reaches_the_locmem_backend_in_e164(sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.sms("0033 6.12.34.56.78", "Your appointment is tomorrow.")

    assert sms_outbox == [sms_backends.SMS(to="+33612345678", body="Your appointment is tomorrow.")]
    assert reload(message).status == Status.SENT


@pytest.mark.django_db
def test_the_http_sms_backend_posts_json_with_its_token(settings, http_server):
    settings.LUTETIA_SMS_BACKEND = "lutetia.notify.sms_backends.HttpBackend"
    settings.LUTETIA_SMS_HTTP_URL = http_server.url
    settings.LUTETIA_SMS_HTTP_TOKEN = "gateway-token"
    message = notify.sms("+36 30 123 4567", "Szia!")

    assert services.deliver(message.pk) == "sent"

    ((headers, body),) = http_server.received
    assert json.loads(body) == {"to": "+36301234567", "body": "Szia!"}
    assert headers["Authorization"] == "Bearer gateway-token"


def test_the_sms_token_is_a_secret_read_from_a_file(tmp_path):
    token = tmp_path / "token"
    token.write_text("from-a-file\n")
    config = load(
        {
            "LUTETIA_SMS_BACKEND": "http",
            "LUTETIA_SMS_HTTP_URL": "https://sms.example.org/send",
            "LUTETIA_SMS_HTTP_TOKEN_FILE": str(token),
        },
        cwd=tmp_path,
    )
    assert config["sms_http_token"] == "from-a-file"
    assert config.display_value("sms_http_token") == "********"
    assert from_conf.sms_backend(config) == "lutetia.notify.sms_backends.HttpBackend"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"LUTETIA_SMS_BACKEND": "http"}, "LUTETIA_SMS_HTTP_URL"),
        ({"LUTETIA_SMS_HTTP_URL": "ftp://sms.example.org"}, "LUTETIA_SMS_HTTP_URL"),
        ({"LUTETIA_NOTIFY_MAX_ATTEMPTS": "0"}, "LUTETIA_NOTIFY_MAX_ATTEMPTS"),
        ({"LUTETIA_NOTIFY_MAX_ATTEMPTS": "many"}, "LUTETIA_NOTIFY_MAX_ATTEMPTS"),
    ],
)
def test_wrong_notification_settings_stop_the_start_naming_the_variable(tmp_path, environ, named):
    with pytest.raises(ConfigError, match=named):
        load(environ, cwd=tmp_path)


def test_an_sms_backend_that_is_no_class_path_is_refused(tmp_path):
    config = load({"LUTETIA_SMS_BACKEND": "carrier-pigeon"}, cwd=tmp_path)
    with pytest.raises(ConfigError, match="LUTETIA_SMS_BACKEND"):
        from_conf.sms_backend(config)


# --- webhooks ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_webhook_is_posted_as_json_with_a_signature_the_receiver_can_check(
    http_server, django_capture_on_commit_callbacks
):
    payload = {"event": "workflow.action", "case": 42, "reference": "FRM-2026-000042"}
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.webhook(http_server.url, payload, secret="s3cret", source="test:42")

    ((headers, body),) = http_server.received
    assert json.loads(body) == payload
    assert headers["Content-Type"] == "application/json"
    timestamp = headers["X-Lutetia-Timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    expected = hmac.new(b"s3cret", f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-Lutetia-Signature"] == f"sha256={expected}"
    assert reload(message).status == Status.SENT


@pytest.mark.django_db
def test_a_webhook_without_a_secret_is_not_signed(http_server):
    message = notify.webhook(http_server.url, {"a": 1})
    services.deliver(message.pk)
    ((headers, _body),) = http_server.received
    assert "X-Lutetia-Signature" not in headers


@pytest.mark.django_db
@pytest.mark.parametrize("status", [500, 503, 429, 408])
def test_a_webhook_answered_with_a_server_error_is_retried_until_it_succeeds(http_server, status):
    http_server.answers = [status]
    message = notify.webhook(http_server.url, {"a": 1}, secret="s")
    start = reload(message).next_attempt_at

    assert services.deliver(message.pk, start) == "retry"
    message = reload(message)
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert str(status) in message.last_error

    assert services.deliver_due(start + MINUTE) == {"sent": 1}
    assert len(http_server.received) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("status", [400, 404, 410, 301])
def test_a_webhook_refused_by_the_receiver_fails_at_once(http_server, status):
    http_server.answers = [status]
    message = notify.webhook(http_server.url, {"a": 1})

    assert services.deliver(message.pk) == "failed"
    message = reload(message)
    assert message.status == Status.FAILED
    assert str(status) in message.last_error
    assert services.deliver_due(timezone.now() + timedelta(days=1)) == {}
    assert len(http_server.received) == 1


@pytest.mark.django_db
def test_a_webhook_to_a_server_that_is_down_is_retried(http_server):
    url = http_server.url
    http_server.shutdown()
    http_server.server_close()  # nobody listens on that port any more
    message = notify.webhook(url, {"a": 1})

    assert services.deliver(message.pk) == "retry"
    assert reload(message).status == Status.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["ftp://example.org/hook", "file:///etc/passwd", "javascript:alert(1)", "example.org"]
)
def test_a_webhook_only_goes_to_http_addresses(url):
    with pytest.raises(ValueError, match="http"):
        notify.webhook(url, {"a": 1})


@pytest.mark.django_db
def test_a_webhook_payload_must_be_json():
    with pytest.raises(ValueError, match="JSON"):
        notify.webhook("https://example.org/hook", {"when": timezone.now()})


# --- in-app --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_in_app_notification_lands_in_the_citizen_s_inbox_only(
    citizen, other_citizen, default_site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = notify.inapp(
            citizen,
            "Your request FRM-42 was accepted",
            "Come and collect your permit.",
            url="/services/permits/42/",
            site=default_site,
            source="workflow:case:42",
        )

    (notification,) = services.inbox(citizen)
    assert notification.subject == "Your request FRM-42 was accepted"
    assert notification.url == "/services/permits/42/"
    assert notification.site == default_site
    assert reload(message).status == Status.SENT
    assert services.unread_count(citizen) == 1
    assert services.unread_count(other_citizen) == 0
    assert list(services.inbox(other_citizen)) == []


@pytest.mark.django_db
def test_a_citizen_marks_notifications_read_and_only_their_own(
    citizen, other_citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(3):
            notify.inapp(citizen, f"Subject {index}", "Body")
        notify.inapp(other_citizen, "Theirs", "Body")
    first, *_rest = services.inbox(citizen)
    theirs = services.inbox(other_citizen).get()

    assert services.mark_read(citizen, [first.pk, theirs.pk]) == 1
    assert services.unread_count(citizen) == 2
    assert services.unread_count(other_citizen) == 1
    assert services.mark_read(citizen) == 2
    assert services.unread_count(citizen) == 0


@pytest.mark.django_db
def test_an_in_app_notification_is_delivered_once_even_when_delivered_again(citizen):
    message = notify.inapp(citizen, "Once", "Body")
    start = reload(message).next_attempt_at
    assert services.deliver(message.pk, start) == "sent"
    # A worker that comes back after its lease finds the message sent and does nothing.
    assert services.deliver(message.pk, start + timedelta(hours=1)) == "skipped"
    assert InAppNotification.objects.filter(user=citizen).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/", "data:text/html,x"])
def test_an_in_app_link_that_a_browser_would_run_is_refused(citizen, url):
    with pytest.raises(ValueError):
        notify.inapp(citizen, "Subject", "Body", url=url)
