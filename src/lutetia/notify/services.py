"""The outbox: writing messages in the use case's transaction, delivering them after commit.

Guarantees (see docs/notify.md):

- a message is written with the use case that sends it: rolled back with it, it never leaves;
- once committed it is delivered, even when the process dies right after the commit: the task
  queued at commit delivers it at once, and the periodic job ``core.notify_deliver_pending``
  delivers whatever is due and was not (crash, queue down, failed attempt whose time came);
- two workers never deliver the same message at the same time: each attempt starts with ONE
  conditional UPDATE (`_claim`) that only one of them wins;
- a failed attempt is retried with growing delays (`RETRY_DELAYS`), until
  ``LUTETIA_NOTIFY_MAX_ATTEMPTS``; a channel's permanent refusal is not retried.

Logs name messages by id and channel only: subjects, bodies and addresses are personal data.
Nothing here reads a request; the back office calls `retry`, the inbox page `inbox`,
`unread_count` and `mark_read`.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import traceback
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .base import DeliveryError, PermanentDeliveryError
from .models import ERROR_MAX_LENGTH, InAppNotification, OutboxMessage, Status, is_safe_link
from .registry import channels

logger = logging.getLogger("lutetia.notify")

#: Delay before the next attempt after the 1st, 2nd, ... failed one; the last one repeats.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
#: How long a worker holds a message it is delivering. Far longer than any channel may take
#: (SMTP times out after 30 s, HTTP after 10 s): past it, the worker is taken as dead and the
#: message is due again.
SENDING_LEASE = timedelta(minutes=5)
#: At most this many messages per run of the periodic job, and for at most this long, so that
#: a backlog is worked off over several runs rather than by one run that never ends.
SWEEP_BATCH = 500
SWEEP_BUDGET_SECONDS = 50

DEFAULT_MAX_ATTEMPTS = 6


def max_attempts() -> int:
    """``LUTETIA_NOTIFY_MAX_ATTEMPTS``: attempts before a message is given up as failed."""
    return getattr(settings, "LUTETIA_NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1 minute, 5, 30, 2 h, 12 h)."""
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


# --- writing to the outbox -----------------------------------------------------------------


def enqueue(
    channel: str,
    recipient: str,
    *,
    subject: str = "",
    body: str = "",
    data: dict | None = None,
    site=None,
    user=None,
    source: str = "",
) -> OutboxMessage:
    """Write one message for ``channel`` in the current transaction; deliver it after commit.

    Inside a transaction the message shares its fate: rolled back, it never leaves; committed,
    its delivery is queued (`tasks.deliver_message`). Outside one it is committed and queued at
    once. A delivery that cannot be queued is left to the periodic job. Raises ValueError for an
    unknown channel or an empty recipient: those are the caller's mistakes, not the network's.
    """
    if channel not in channels:
        raise ValueError(
            f"no notification channel {channel!r}; installed: {', '.join(channels) or 'none'}"
        )
    if not str(recipient).strip():
        raise ValueError(f"a {channel} notification needs a recipient")
    message = OutboxMessage.objects.create(
        channel=channel,
        recipient=str(recipient).strip(),
        subject=subject,
        body=body,
        data=data or {},
        site=site,
        user=user,
        source=source[:200],
        next_attempt_at=timezone.now(),
    )
    logger.info(
        "notification queued",
        extra={"outbox_id": message.pk, "channel": channel, "source": message.source},
    )
    transaction.on_commit(partial(_enqueue_delivery, message.pk))
    return message


def _enqueue_delivery(message_id: int) -> None:
    """Queue the delivery task; a queue that fails is logged, the periodic job makes up for it."""
    from .tasks import deliver_message

    try:
        deliver_message.enqueue(message_id)
    except Exception:
        logger.exception(
            "notification delivery could not be queued; the periodic job will deliver it",
            extra={"outbox_id": message_id},
        )


def email(
    to: list[str] | str,
    subject: str,
    body: str,
    *,
    html: str = "",
    site=None,
    user=None,
    reply_to: str = "",
    attachments: Iterable[tuple[str, bytes, str]] = (),
    source: str = "",
) -> OutboxMessage:
    """An e-mail to one or several addresses, plain text (and HTML), sent from
    ``DEFAULT_FROM_EMAIL``. Attachments are ``(file name, content, MIME type)``."""
    addresses = [to] if isinstance(to, str) else list(to)
    addresses = [address.strip() for address in addresses if address and address.strip()]
    if not addresses:
        raise ValueError(_("An e-mail needs at least one address."))
    for address in [*addresses, *([reply_to] if reply_to else [])]:
        try:
            validate_email(address)
        except ValidationError:
            raise ValueError(
                _("“%(address)s” is not a valid e-mail address.") % {"address": address}
            ) from None
    data = {
        "to": addresses,
        "html": html,
        "reply_to": reply_to,
        "attachments": [
            {
                "filename": filename,
                "content": base64.b64encode(content).decode("ascii"),
                "mimetype": mimetype,
            }
            for filename, content, mimetype in attachments
        ],
    }
    # A line break in a subject is a header injection to Django's mail: fold it here, where
    # the caller still is, rather than fail at every delivery attempt.
    subject = " ".join(str(subject).split())
    return enqueue(
        "email",
        ", ".join(addresses),
        subject=subject,
        body=body,
        data=data,
        site=site,
        user=user,
        source=source,
    )


def sms(to: str, body: str, *, site=None, user=None, source: str = "") -> OutboxMessage:
    """A text message to a mobile number, sent by the ``LUTETIA_SMS_BACKEND``.

    The number is checked and written in E.164 (``+33612345678``); a number that is not one
    raises ValueError with a message the caller can show.
    """
    from .sms_backends import normalize_phone

    return enqueue("sms", normalize_phone(to), body=body, site=site, user=user, source=source)


def inapp(
    user, subject: str, body: str, *, url: str = "", site=None, source: str = ""
) -> OutboxMessage:
    """A message in ``user``'s inbox in Lutetia ("My notifications"), with an optional link
    (a path on this site or an http(s) address)."""
    if user is None or user.pk is None:
        raise ValueError("an in-app notification needs a saved user")
    if url and not is_safe_link(url):
        raise ValueError(
            _(
                "“%(url)s” is not a link a notification may carry: give a path or an http(s) "
                "address."
            )
            % {"url": url}
        )
    return enqueue(
        "inapp",
        str(user.pk),
        subject=subject,
        body=body,
        data={"url": url},
        site=site,
        user=user,
        source=source,
    )


def webhook(
    url: str, payload: dict, *, secret: str = "", site=None, source: str = ""
) -> OutboxMessage:
    """POST ``payload`` as JSON to ``url`` (http or https), signed with ``secret`` when given
    (see `lutetia.notify.channels.Webhook`). Retried while the server fails or is unreachable."""
    parts = urlsplit(str(url).strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(_("“%(url)s” is not an http:// or https:// address.") % {"url": url})
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a webhook payload must be JSON: {exc}") from None
    return enqueue(
        "webhook",
        str(url).strip(),
        data={"payload": payload, "secret": secret},
        site=site,
        source=source,
    )


# --- delivering ----------------------------------------------------------------------------


def deliver(message_id: int, now: datetime | None = None) -> str:
    """Make one attempt at delivering the message ``message_id``, if it is due.

    Returns "sent", "retry" (failed, tried again later), "failed" (given up), or "skipped" when
    the message is not due, already delivered, or held by another worker. The channel is called
    outside any transaction of ours (a slow server must not hold one open); every outcome is
    recorded only if this attempt still holds the message. Never raises for a channel's error.
    """
    now = now or timezone.now()
    attempt = _claim(message_id, now)
    if attempt is None:
        return "skipped"
    message = OutboxMessage.objects.select_related("user", "site").get(pk=message_id)
    extra = {"outbox_id": message.pk, "channel": message.channel, "attempt": attempt}
    try:
        outcome = _call_channel(message, attempt)
    except PermanentDeliveryError as exc:
        return _record_failure(message, attempt, now, str(exc), permanent=True, extra=extra)
    except DeliveryError as exc:
        return _record_failure(message, attempt, now, str(exc), permanent=False, extra=extra)
    except Exception as exc:
        # A bug in a channel: keep the message, retry it, and leave the traceback to the logs.
        logger.exception("notification channel crashed", extra=extra)
        return _record_failure(message, attempt, now, error_line(exc), permanent=False, extra=extra)
    if outcome == Status.SENT:
        logger.info("notification sent", extra=extra)
    return outcome


def _claim(message_id: int, now: datetime) -> int | None:
    """Take the message for one attempt; its attempt number for exactly one claimant, else None.

    ONE conditional UPDATE: pending (or held by a worker whose lease ran out) and due, and
    attempts left. On PostgreSQL a concurrent claim waits for the first one's row lock, then
    re-reads the row, finds it "sending" with a lease in the future, and updates nothing; on
    SQLite writers are serialised. A read-then-write would let both see the message due.
    The attempt number, incremented here, also tells a late worker its lease was taken over.
    """
    claimed = OutboxMessage.objects.filter(
        pk=message_id,
        status__in=(Status.PENDING, Status.SENDING),
        next_attempt_at__lte=now,
        attempts__lt=max_attempts(),
    ).update(status=Status.SENDING, next_attempt_at=now + SENDING_LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return OutboxMessage.objects.filter(pk=message_id).values_list("attempts", flat=True).get()


class _LeaseLost(Exception):
    """Another worker took the message over while this one was delivering it."""


def _call_channel(message: OutboxMessage, attempt: int) -> str:
    """Deliver through the message's channel and record it sent; "skipped" when a
    transactional delivery was undone because another worker had taken the message over."""
    channel_class = channels.get(message.channel)
    if channel_class is None:
        # Its plugin is not installed (any more, or not yet on this server): keep trying.
        raise DeliveryError(
            _("No channel “%(channel)s” is installed.") % {"channel": message.channel}
        )
    channel = channel_class()
    if not channel.transactional:
        channel.deliver(message)
        if not _record_sent(message, attempt):
            logger.warning(
                "notification sent after its lease ran out; it may be sent twice",
                extra={"outbox_id": message.pk, "channel": message.channel},
            )
        return Status.SENT.value
    try:
        with transaction.atomic():
            channel.deliver(message)
            if not _record_sent(message, attempt):
                raise _LeaseLost
    except _LeaseLost:
        logger.warning(
            "notification taken over by another worker, attempt undone",
            extra={"outbox_id": message.pk, "channel": message.channel},
        )
        return "skipped"
    return Status.SENT.value


def _holding(message: OutboxMessage, attempt: int) -> QuerySet[OutboxMessage]:
    """The message, if this attempt still holds it."""
    return OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, attempts=attempt)


def _record_sent(message: OutboxMessage, attempt: int) -> bool:
    return bool(
        _holding(message, attempt).update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    )


def _record_failure(
    message: OutboxMessage,
    attempt: int,
    started: datetime,
    error: str,
    *,
    permanent: bool,
    extra: dict,
) -> str:
    """Record a failed attempt: due again after `retry_delay` from its start, or given up."""
    given_up = permanent or attempt >= max_attempts()
    _holding(message, attempt).update(
        status=Status.FAILED if given_up else Status.PENDING,
        next_attempt_at=started if given_up else started + retry_delay(attempt),
        last_error=(error or _("Delivery failed."))[:ERROR_MAX_LENGTH],
    )
    outcome = Status.FAILED.value if given_up else "retry"
    logger.warning(
        "notification failed" if given_up else "notification failed, will retry",
        extra={**extra, "permanent": permanent},
    )
    return outcome


def deliver_due(now: datetime | None = None, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """Deliver the messages whose time has come; the periodic job's work. Returns the count of
    each outcome.

    Picks up what the queue missed (a crash between commit and queueing, a queue that was
    down), the retries that are due, and the messages of workers that died while delivering.
    Each message is its own claim and its own transactions: a failing one stops nothing.
    """
    now = now or timezone.now()
    counts: dict[str, int] = {}
    lost = give_up_lost(now)
    if lost:
        counts[Status.FAILED.value] = lost
    due = (
        OutboxMessage.objects.filter(
            status__in=(Status.PENDING, Status.SENDING), next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    clock = time.monotonic()
    for message_id in list(due):
        if time.monotonic() - clock > SWEEP_BUDGET_SECONDS:
            break
        outcome = deliver(message_id, now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def give_up_lost(now: datetime | None = None) -> int:
    """Mark failed the messages whose last allowed attempt never reported (its worker died)."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(
        status=Status.SENDING, next_attempt_at__lte=now, attempts__gte=max_attempts()
    ).update(
        status=Status.FAILED,
        last_error=_("No news of the last attempt: its worker probably stopped."),
    )


def error_line(exc: BaseException) -> str:
    """The last line of the exception's traceback, e.g. ``ValueError: no such thing``."""
    return traceback.format_exception_only(exc)[-1].strip()


# --- back office ---------------------------------------------------------------------------


class NotRetryable(Exception):
    """Only a failed message can be retried by hand."""


def retry(message_id: int) -> OutboxMessage:
    """Give a failed message a fresh round of attempts, starting now (the back office's
    "Retry now"); raises `NotRetryable` when it is not failed (any more)."""
    from lutetia import audit

    with transaction.atomic():
        retried = OutboxMessage.objects.filter(pk=message_id, status=Status.FAILED).update(
            status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if not retried:
            raise NotRetryable(message_id)
        message = OutboxMessage.objects.get(pk=message_id)
        audit.record(None, "notify.retry", message, category="admin")
        transaction.on_commit(partial(_enqueue_delivery, message_id))
    logger.info("notification retried by hand", extra={"outbox_id": message_id})
    return message


# --- the inbox -----------------------------------------------------------------------------


def inbox(user) -> QuerySet[InAppNotification]:
    """``user``'s in-app notifications, newest first."""
    return InAppNotification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    """How many of ``user``'s in-app notifications are not read yet."""
    if user is None or not user.is_authenticated:
        return 0
    return InAppNotification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s notifications ``ids`` (all of them when None) read; returns how many
    changed. Ids of other people's notifications are ignored."""
    notifications = InAppNotification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        notifications = notifications.filter(pk__in=list(ids))
    return notifications.update(read_at=timezone.now())
