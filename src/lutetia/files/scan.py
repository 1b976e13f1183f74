"""A ClamAV client: the file goes to clamd over its own protocol, INSTREAM.

``zINSTREAM\\0``, then the content in chunks, each prefixed by its length (4 bytes, big-endian),
then a zero length; clamd answers ``stream: OK``, ``stream: <signature> FOUND`` or
``<reason> ERROR``. No library: the protocol is a dozen lines, and clamd is the only engine.

Configured by ``LUTETIA_CLAMAV_URL`` (``tcp://host:3310`` or ``unix:///run/clamav/clamd.ctl``;
empty: no scan) and ``LUTETIA_CLAMAV_TIMEOUT`` (seconds). Once configured, scanning fails
closed: a file clamd could not vouch for is refused, not let through.
"""

from __future__ import annotations

import logging
import socket
import struct
from dataclasses import dataclass
from typing import IO, Literal
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

DEFAULT_PORT = 3310
DEFAULT_TIMEOUT = 10
CHUNK_SIZE = 64 * 1024
MAX_REPLY = 4096

MESSAGES = {
    "virus": _("“%(name)s” was refused: the virus check found harmful content in it."),
    "scan_failed": _("The file could not be checked for viruses; please try again later."),
}


class ScanError(Exception):
    """clamd could not be reached, or it could not scan the file; the message says why."""


@dataclass(frozen=True)
class ScanResult:
    """clamd's verdict: ``clean``, ``infected`` (with the signature's name), or ``skipped``
    when no clamd is configured."""

    status: Literal["clean", "infected", "skipped"]
    signature: str = ""

    @property
    def infected(self) -> bool:
        return self.status == "infected"


def scan(fileobj: IO[bytes]) -> ScanResult:
    """Send the file (from its start) to clamd and return its verdict; the file's position is
    left at its start. Raises `ScanError` when clamd is unreachable, too slow, or answers
    with an error (for instance a file beyond its StreamMaxLength)."""
    url = getattr(settings, "LUTETIA_CLAMAV_URL", "")
    if not url:
        return ScanResult("skipped")
    timeout = getattr(settings, "LUTETIA_CLAMAV_TIMEOUT", DEFAULT_TIMEOUT)
    try:
        with _connect(url, timeout) as connection:
            reply = _instream(connection, fileobj)
    except OSError as exc:  # refused, reset, timed out, no such socket
        raise ScanError(f"clamd at {url}: {exc}") from exc
    finally:
        fileobj.seek(0)
    return _verdict(reply, url)


def _connect(url: str, timeout: float) -> socket.socket:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(unquote(parts.path))
        except OSError:
            connection.close()
            raise
        return connection
    if parts.scheme == "tcp" and parts.hostname:
        address = (parts.hostname, parts.port or DEFAULT_PORT)
        return socket.create_connection(address, timeout=timeout)
    raise ScanError(f"LUTETIA_CLAMAV_URL: cannot use {url!r}")


def _instream(connection: socket.socket, fileobj: IO[bytes]) -> str:
    """Stream the file and read clamd's one-line answer."""
    fileobj.seek(0)
    try:
        connection.sendall(b"zINSTREAM\0")
        while chunk := fileobj.read(CHUNK_SIZE):
            connection.sendall(struct.pack("!L", len(chunk)) + chunk)
        connection.sendall(struct.pack("!L", 0))
    except (BrokenPipeError, ConnectionResetError):
        # clamd hangs up on a stream past its StreamMaxLength, after saying so: read why.
        pass
    return _read_reply(connection)


def _read_reply(connection: socket.socket) -> str:
    reply = b""
    while b"\0" not in reply and len(reply) < MAX_REPLY:
        try:
            data = connection.recv(MAX_REPLY)
        except ConnectionResetError:
            break
        if not data:
            break
        reply += data
    return reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _verdict(reply: str, url: str) -> ScanResult:
    """``stream: OK`` → clean; ``stream: Eicar-Signature FOUND`` → infected; anything else
    (an ERROR, nothing at all) is a failure, never a pass."""
    if reply == "stream: OK":
        return ScanResult("clean")
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return ScanResult("infected", reply.removeprefix("stream: ").removesuffix(" FOUND"))
    raise ScanError(f"clamd at {url} answered {reply!r}" if reply else f"clamd at {url}: no answer")


def check_clean(fileobj: IO[bytes], *, name: str, sha256: str = "") -> ScanResult:
    """`scan`, as a check: a virus or a failed scan is a `ValidationError`.

    The citizen is told neither the signature (it helps nobody but an attacker probing the
    scanner) nor clamd's error; the log has both, with the file's hash, not its name (a name
    often holds personal data).
    """
    try:
        result = scan(fileobj)
    except ScanError as exc:
        logger.error("upload not scanned (sha256 %s): %s", sha256 or "?", exc)
        raise ValidationError(MESSAGES["scan_failed"], code="scan_failed") from None
    if result.infected:
        logger.warning("upload refused, virus %s found (sha256 %s)", result.signature, sha256)
        raise ValidationError(MESSAGES["virus"], code="virus", params={"name": name})
    return result
