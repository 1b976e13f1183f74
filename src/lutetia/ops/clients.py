"""Who is on the other end of a request: the citizen's address, seen through trusted proxies.

``X-Forwarded-For`` is written by whoever sends the request, so only the entries appended by
our own proxies can be trusted. With ``LUTETIA_TRUSTED_PROXY_COUNT = n`` (n proxies in front of
Lutetia, each appending the address it received the request from), the citizen's address is
the n-th entry from the right; with 0, it is the address of the connection. Rate limits and the
access log use this, so a citizen cannot escape a limit, or forge their address in the log, by
sending the header themselves.
"""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """The address of the citizen's side of ``request`` (empty when unknown)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = int(getattr(settings, "LUTETIA_TRUSTED_PROXY_COUNT", 0) or 0)
    if hops <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < hops:
        # Fewer entries than proxies: the request did not come through all of them, and what
        # the header holds was written by the client.
        return remote
    return forwarded[-hops]
