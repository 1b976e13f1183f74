"""A real SMTP server for tests that follow an e-mail end to end (``smtp_sink`` fixture).

Django's locmem backend proves that ``send_mail`` was called; this proves that the message
goes through Django's SMTP backend, over a socket, as it will in production, and can be read
back as the citizen's mail client would (headers decoded, body in its charset)::

    def test_it_sends_the_link(client, smtp_sink):
        ...
        message = smtp_sink.wait_for(to="camille@example.org")
        link = smtp_sink.links(message)[0]
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest

LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class SMTPSink:
    """What the server received: ``messages`` (parsed), with helpers to wait and read links."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(init=False)

    def __post_init__(self):
        self._arrived = threading.Condition(self._lock)

    def receive(self, sender: str, recipients: list[str], data: bytes) -> None:
        message = email.message_from_bytes(data, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self.envelopes.append((sender, list(recipients)))
            self._arrived.notify_all()

    def to(self, address: str) -> list[EmailMessage]:
        """The messages whose envelope went to ``address``."""
        with self._lock:
            return [
                message
                for message, (_sender, recipients) in zip(
                    self.messages, self.envelopes, strict=True
                )
                if address.lower() in (r.lower() for r in recipients)
            ]

    def wait_for(self, *, to: str, count: int = 1, timeout: float = 10.0) -> EmailMessage:
        """The ``count``-th message to ``to``, waiting for it (Django sends synchronously, but
        a task backend may not)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [
                    message
                    for message, (_sender, recipients) in zip(
                        self.messages, self.envelopes, strict=True
                    )
                    if to.lower() in (r.lower() for r in recipients)
                ]
                if len(found) >= count:
                    return found[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no e-mail #{count} to {to} within {timeout} s")
                self._arrived.wait(remaining)

    @staticmethod
    def text(message: EmailMessage) -> str:
        """The plain-text body, decoded."""
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""

    @classmethod
    def links(cls, message: EmailMessage) -> list[str]:
        """Every http(s) address in the plain-text body, in order."""
        return LINK.findall(cls.text(message))


class _Handler:
    def __init__(self, sink: SMTPSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        self.sink.receive(envelope.mail_from, envelope.rcpt_tos, envelope.original_content)
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on 127.0.0.1 (a free port, in a thread) collecting every message;
    Django's ``EMAIL_BACKEND`` points at it for the test. Yields an ``SMTPSink``."""
    from aiosmtpd.controller import Controller

    host = "127.0.0.1"
    sink = SMTPSink(host=host, port=_free_port(host))
    controller = Controller(_Handler(sink), hostname=host, port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield sink
    finally:
        controller.stop()
