"""Notifications: e-mail, SMS, in-app messages and webhooks, through the outbox.

One API for the core and the plugins::

    from lutetia import notify

    notify.email(["camille@example.org"], subject, body, site=site, source="workflow:case:42")
    notify.sms("+33612345678", body, site=site)                      # ValueError: not E.164
    notify.inapp(citizen, subject, body, url=case_url, site=site)    # "My notifications"
    notify.webhook("https://crm.example.org/hook", {"event": "..."}, secret=secret)
    notify.enqueue("fax", "+33140000000", body=body)                 # a plugin's own channel

Each call writes one `OutboxMessage` in the current transaction and returns it: a use case
that rolls back sends nothing; one that commits is delivered, retried, and never lost (see
`lutetia.notify.services` and docs/notify.md). Channels live in
`lutetia.notify.registry.channels`. This package imports nothing at load time, so plugins may
import it from anywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import OutboxMessage

__all__ = ["email", "enqueue", "inapp", "sms", "webhook"]


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
    """Queue a message for any registered channel; see `lutetia.notify.services.enqueue`."""
    from .services import enqueue as _enqueue

    return _enqueue(
        channel,
        recipient,
        subject=subject,
        body=body,
        data=data,
        site=site,
        user=user,
        source=source,
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
    attachments: list[tuple[str, bytes, str]] | tuple = (),
    source: str = "",
) -> OutboxMessage:
    """Queue an e-mail; see `lutetia.notify.services.email`."""
    from .services import email as _email

    return _email(
        to,
        subject,
        body,
        html=html,
        site=site,
        user=user,
        reply_to=reply_to,
        attachments=attachments,
        source=source,
    )


def sms(to: str, body: str, *, site=None, user=None, source: str = "") -> OutboxMessage:
    """Queue an SMS (``to`` checked to E.164); see `lutetia.notify.services.sms`."""
    from .services import sms as _sms

    return _sms(to, body, site=site, user=user, source=source)


def inapp(
    user, subject: str, body: str, *, url: str = "", site=None, source: str = ""
) -> OutboxMessage:
    """Queue an in-app notification for ``user``; see `lutetia.notify.services.inapp`."""
    from .services import inapp as _inapp

    return _inapp(user, subject, body, url=url, site=site, source=source)


def webhook(
    url: str, payload: dict, *, secret: str = "", site=None, source: str = ""
) -> OutboxMessage:
    """Queue a signed JSON POST to ``url``; see `lutetia.notify.services.webhook`."""
    from .services import webhook as _webhook

    return _webhook(url, payload, secret=secret, site=site, source=source)
