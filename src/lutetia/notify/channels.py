"""The built-in channels: e-mail, SMS, in-app, webhook. Imported by the app's ``ready()``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import Channel, DeliveryError, PermanentDeliveryError
from .models import InAppNotification, OutboxMessage
from .registry import channels


@channels.register("email")
class Email(Channel):
    """Django's mail API: the ``EMAIL_*`` settings (``LUTETIA_EMAIL_URL``) decide the server."""

    verbose_name = gettext_lazy("E-mail")

    def deliver(self, message: OutboxMessage) -> None:
        data = message.data
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=data.get("to") or [a.strip() for a in message.recipient.split(",") if a.strip()],
            reply_to=[data["reply_to"]] if data.get("reply_to") else None,
        )
        if data.get("html"):
            email.attach_alternative(data["html"], "text/html")
        for attachment in data.get("attachments", ()):
            email.attach(
                attachment["filename"],
                base64.b64decode(attachment["content"]),
                attachment["mimetype"],
            )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            # Every address was refused: sending again will not make them exist.
            raise PermanentDeliveryError(
                _("The mail server refused the recipients (%(codes)s).")
                % {"codes": ", ".join(str(code) for code, _text in exc.recipients.values())}
            )
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                _("The mail server could not be reached or refused the message: %(error)s")
                % {"error": type(exc).__name__}
            )


@channels.register("sms")
class SMS(Channel):
    """The ``LUTETIA_SMS_BACKEND`` (see `lutetia.notify.sms_backends`)."""

    verbose_name = gettext_lazy("SMS")

    def deliver(self, message: OutboxMessage) -> None:
        from .sms_backends import get_backend

        get_backend().send(message.recipient, message.body)


@channels.register("inapp")
class InApp(Channel):
    """A row in the person's inbox, written in the transaction that marks the message sent."""

    verbose_name = gettext_lazy("In-app notification")
    transactional = True

    def deliver(self, message: OutboxMessage) -> None:
        if message.user_id is None:
            raise PermanentDeliveryError(_("The person's account no longer exists."))
        InAppNotification.objects.get_or_create(
            outbox_message=message,
            defaults={
                "user_id": message.user_id,
                "site_id": message.site_id,
                "subject": Truncator(message.subject).chars(255),
                "body": message.body,
                "url": message.data.get("url", ""),
                # When it happened, not when a retry delivered it: the inbox keeps its order.
                "created_at": message.created_at,
            },
        )


@channels.register("webhook")
class Webhook(Channel):
    """POSTs the payload as JSON, signed, to an http(s) address.

    Headers: ``X-Lutetia-Timestamp`` (Unix seconds) and, when a secret is set,
    ``X-Lutetia-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>``.
    The receiver recomputes it over the raw body and refuses an old timestamp (replays).
    2xx: sent; 408, 429, 5xx, time-out, no connection: retried; other answers: failed.
    """

    verbose_name = gettext_lazy("Webhook")

    def deliver(self, message: OutboxMessage) -> None:
        from .http import post_json

        if not message.recipient.startswith(("http://", "https://")):
            raise PermanentDeliveryError(_("Only http:// and https:// addresses are allowed."))
        body = json.dumps(message.data.get("payload", {}), separators=(",", ":")).encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {"X-Lutetia-Timestamp": timestamp}
        secret = message.data.get("secret", "")
        if secret:
            headers["X-Lutetia-Signature"] = "sha256=" + sign(secret, timestamp, body)
        post_json(message.recipient, body, headers)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``<timestamp>.<body>`` with ``secret``: what a receiver checks."""
    return hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256
    ).hexdigest()
