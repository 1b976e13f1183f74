"""SMS: the phone-number check, and the backends that hand a text to an operator.

The backend is chosen by ``LUTETIA_SMS_BACKEND`` (a dotted path; ``log``, ``locmem`` and
``http`` name the three below), the way Django's ``EMAIL_BACKEND`` chooses a mail backend. A
backend is a class with ``send(to, body)``, ``to`` in E.164, raising
`lutetia.notify.base.DeliveryError` (retry) or `PermanentDeliveryError` (give up).

(Not named ``sms.py``: a submodule ``lutetia.notify.sms`` would replace the function
``notify.sms`` on the package as soon as it is imported.)
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger("lutetia.notify.sms")

#: ITU-T E.164: "+", a country code not starting with 0, at most 15 digits in all.
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
#: What people write between digits: spaces, dots, dashes, brackets.
SEPARATORS = re.compile(r"[\s.\-()/]")

DEFAULT_BACKEND = "lutetia.notify.sms_backends.LogBackend"


def normalize_phone(number: str) -> str:
    """``number`` in E.164 (``+33 6 12 34 56 78`` → ``+33612345678``), or ValueError.

    Separators are dropped and an international ``00`` prefix becomes ``+``; a national number
    (``06 12 ...``) is refused, since the country it belongs to cannot be known here.
    """
    text = SEPARATORS.sub("", str(number or ""))
    if text.startswith("00"):
        text = "+" + text[2:]
    if not E164.match(text):
        raise ValueError(
            _(
                "“%(number)s” is not a mobile number in international format: write it with "
                "“+” and the country code, e.g. +33 6 12 34 56 78."
            )
            % {"number": number}
        )
    return text


def masked(number: str) -> str:
    """The number as logs may show it: country code and last two digits (``+33*******78``)."""
    return number[:3] + "*" * max(len(number) - 5, 0) + number[-2:]


def get_backend():
    """An instance of the configured backend."""
    return import_string(getattr(settings, "LUTETIA_SMS_BACKEND", DEFAULT_BACKEND))()


class LogBackend:
    """Sends nothing: writes a line to the ``lutetia.notify.sms`` logger (development, demo).

    The line holds the masked number and the length, not the text (personal data); the text
    is in the back office's outbox.
    """

    def send(self, to: str, body: str) -> None:
        logger.info("SMS not sent (log backend)", extra={"to": masked(to), "length": len(body)})


@dataclass(frozen=True)
class SMS:
    to: str
    body: str


#: What `LocmemBackend` "sent", for tests (like ``django.core.mail.outbox``); empty it yourself.
outbox: list[SMS] = []


class LocmemBackend:
    """Keeps the messages in `outbox`, in memory: for tests."""

    def send(self, to: str, body: str) -> None:
        outbox.append(SMS(to=to, body=body))


class HttpBackend:
    """POSTs ``{"to": ..., "body": ...}`` as JSON to ``LUTETIA_SMS_HTTP_URL``, with
    ``Authorization: Bearer <LUTETIA_SMS_HTTP_TOKEN>`` when a token is set: the shape of most
    SMS gateways, or of a small adapter in front of the city's operator."""

    def send(self, to: str, body: str) -> None:
        from .base import PermanentDeliveryError
        from .http import post_json

        url = getattr(settings, "LUTETIA_SMS_HTTP_URL", "")
        if not url:
            raise PermanentDeliveryError(_("LUTETIA_SMS_HTTP_URL is not set."))
        token = getattr(settings, "LUTETIA_SMS_HTTP_TOKEN", "")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        post_json(url, json.dumps({"to": to, "body": body}).encode("utf-8"), headers)
