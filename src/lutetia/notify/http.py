"""POSTing JSON to another system, and what its answer means for the outbox."""

from __future__ import annotations

import requests
from django.utils.translation import gettext as _

from .base import DeliveryError, PermanentDeliveryError

#: Seconds to connect and then to wait for an answer: a slow server is retried later, it must
#: not hold a worker.
TIMEOUT_SECONDS = 10
#: Client errors that mean "not now" rather than "never": timeout, too many requests.
RETRYABLE_CLIENT_ERRORS = frozenset({408, 429})


def post_json(url: str, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    """POST ``body`` (JSON bytes) to ``url``; return the 2xx response or raise.

    `DeliveryError` (retry) for 5xx, 408, 429, a time-out or no connection;
    `PermanentDeliveryError` for other 4xx and for redirects (not followed: a changed address
    is the sender's configuration to fix, and following it would send the payload elsewhere).
    """
    try:
        response = requests.post(
            url,
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.Timeout:
        raise DeliveryError(_("No answer within %(seconds)s s.") % {"seconds": TIMEOUT_SECONDS})
    except requests.RequestException as exc:
        raise DeliveryError(_("Could not connect: %(error)s") % {"error": type(exc).__name__})
    status = response.status_code
    if 200 <= status < 300:
        return response
    error = _("The server answered %(status)s.") % {"status": status}
    if status >= 500 or status in RETRYABLE_CLIENT_ERRORS:
        raise DeliveryError(error)
    raise PermanentDeliveryError(error)
