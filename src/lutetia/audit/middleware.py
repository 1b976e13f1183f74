"""Puts the request being served where `record` finds it (see `lutetia.audit.context`)."""

from __future__ import annotations

from .context import current_request


class AuditContextMiddleware:
    """Make the request the audit context for the time it is served.

    Only a reference is kept: the address, session hash and site are read when an entry is
    recorded (most requests record nothing). After AuthenticationMiddleware, so that
    ``request.user`` is there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
