"""Actions started by other systems ("the payment was received", "the document was signed").

``POST /services/workflow/hooks/<case>/<action>/`` with a JSON body and two headers:
``X-Lutetia-Timestamp`` (Unix seconds) and ``X-Lutetia-Signature: sha256=<hex>``, the
HMAC-SHA256 of ``"<timestamp>.<body>"`` with the workflow's secret (shown to its designers).
Only actions started by "the API" can be called so; a signature older than five minutes is
refused, so a captured call cannot be replayed later, and the body may carry ``"revision"`` to
act only on the state the caller knows.
"""

from __future__ import annotations

import hmac
import json
import time

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lutetia.api.endpoints import error
from lutetia.notify.channels import sign

from . import engine
from .definition import Trigger
from .models import Case

#: How old a signed call may be, in seconds.
TOLERANCE = 300
MAX_BODY = 64 * 1024


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Lutetia-Signature value: the same scheme the outbox signs its webhooks with."""
    return "sha256=" + sign(secret, timestamp, body)


@csrf_exempt  # machines sign their calls instead; no cookie is read
@require_POST
def hook(request, pk: int, action: str):
    body = request.body[: MAX_BODY + 1]
    if len(body) > MAX_BODY:
        return error(413, _("The body is too large."))
    case = Case.objects.select_related("version__workflow", "site").filter(pk=pk).first()
    timestamp = request.headers.get("X-Lutetia-Timestamp", "")
    given = request.headers.get("X-Lutetia-Signature", "")
    # The same answer for an unknown case and a bad signature: nothing leaks. Headers are
    # checked to be plain ASCII first: a byte beyond it cannot be part of a signature.
    well_formed = given.isascii() and timestamp.isascii() and timestamp.isdigit()
    if case is None or not given or not well_formed:
        return error(401, _("The call is not signed, or not with this workflow's secret."))
    expected = signature(case.version.workflow.hook_secret, timestamp, body)
    if not hmac.compare_digest(expected, given):
        return error(401, _("The call is not signed, or not with this workflow's secret."))
    if abs(time.time() - int(timestamp)) > TOLERANCE:
        return error(401, _("The signature is too old: sign each call when you send it."))
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return error(400, _("The body is not JSON."))
    revision = payload.get("revision") if isinstance(payload, dict) else None
    if revision is not None and not isinstance(revision, int):
        return error(400, _("“revision” must be a whole number."))
    try:
        entry = engine.perform(case, action, None, trigger=Trigger.API, revision=revision)
    except engine.StaleCase as exc:
        return error(409, str(exc))
    except engine.ActionFailed as exc:
        return error(422, str(exc))
    except engine.WorkflowError as exc:
        return error(422, str(exc))
    case.refresh_from_db()
    return JsonResponse(
        {"case": case.pk, "action": entry.action, "state": case.state, "revision": case.revision}
    )
