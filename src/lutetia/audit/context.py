"""The context an entry is recorded in: the request being served, if any.

`AuditContextMiddleware` puts the request in a ContextVar; `record()` reads what it needs from
it when an entry is recorded (not when the request starts: the session key changes at sign-in,
and most requests record nothing, so nothing is computed for them). Outside a request
(commands, jobs, the worker) there is no context: the origin is "system".

The client address is `lutetia.ops.clients.client_ip` (``LUTETIA_TRUSTED_PROXY_COUNT``: 0 is
the connection's address, n the n-th entry of X-Forwarded-For from the right), re-exported
here as `client_ip` so the rate limits and the log read the same address.
"""

from __future__ import annotations

import hashlib
import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass

from lutetia.ops.clients import client_ip
from lutetia.ops.context import request_id

from .models import Origin, Role

__all__ = ["RequestContext", "client_ip", "current_request", "from_request", "role_of"]

#: Longest user agent kept (browsers send 100 to 250 characters; robots anything).
USER_AGENT_MAX_LENGTH = 300

current_request: ContextVar = ContextVar("lutetia_audit_request", default=None)
"""The request being served in this thread or task, set by `AuditContextMiddleware`."""


@dataclass(frozen=True)
class RequestContext:
    """What an entry keeps of the request it was recorded in."""

    origin: str = Origin.SYSTEM
    ip: str = ""
    user_agent: str = ""
    request_id: str = ""
    session_hash: str = ""
    site_id: int | None = None
    site_name: str = ""


SYSTEM = RequestContext()


def origin_for_path(path: str) -> str:
    """back for the back office, api for the REST API, front for everything else."""
    if path.startswith("/admin/"):
        return Origin.BACK
    if path.startswith("/api/"):
        return Origin.API
    return Origin.FRONT


def session_hash(session_key: str | None) -> str:
    """SHA-256 of a session key: ties a visit's entries together, never reveals the key."""
    if not session_key:
        return ""
    return hashlib.sha256(session_key.encode()).hexdigest()


def clean_ip(value: str) -> str:
    """The address in its normal form, or "" when it is not an address at all."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


def _site(request):
    from wagtail.models import Site

    # Wagtail keeps the answer on the request (``_wagtail_site``) and the hostname table in the
    # cache, so this costs nothing after the first call of a request.
    try:
        return Site.find_for_request(request)
    except Exception:  # a broken Host header must not stop an entry being written
        return None


def from_request(request) -> RequestContext:
    """The context of an entry recorded while serving ``request``."""
    session = getattr(request, "session", None)
    site = _site(request)
    return RequestContext(
        origin=origin_for_path(request.path_info or request.path),
        ip=clean_ip(client_ip(request)),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH],
        request_id=getattr(request, "request_id", "") or _current_request_id(),
        session_hash=session_hash(session.session_key) if session is not None else "",
        site_id=site.pk if site is not None else None,
        site_name=(site.site_name or site.hostname) if site is not None else "",
    )


def _current_request_id() -> str:
    rid = request_id.get()
    return "" if rid == "-" else rid


def current() -> tuple[object | None, RequestContext]:
    """The request being served (or None) and the context an entry gets from it."""
    request = current_request.get()
    if request is None:
        return None, RequestContext(request_id=_current_request_id())
    return request, from_request(request)


def role_of(user, in_request: bool) -> str:
    """The actor's role code at this moment (see `Role`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Role.ANONYMOUS if in_request else Role.SYSTEM
    if user.is_superuser:
        return Role.SITE_ADMIN
    if user.is_staff:
        return Role.AGENT
    return Role.CITIZEN
