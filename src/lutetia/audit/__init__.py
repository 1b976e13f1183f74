"""The access log: who did what, to what, when, from where, with what outcome.

One API for the core and the plugins::

    from lutetia import audit

    audit.record(None, "appointments.booked", appointment)       # the current request's user
    audit.record(agent, "workflow.action_done", response, details={"action": "accept"})
    audit.record(None, "budget.vote_refused", project, outcome="denied")
    audit.personal_data_viewed(request, citizen_file)          # in a back-office view

``record`` writes at once outside a transaction and at commit inside one (a use case that rolls
back leaves no entry claiming success): see `lutetia.audit.services` for the rules, the hash
chain and the categories (``LUTETIA_AUDIT_CATEGORIES``). This package imports nothing at load
time, so plugins may import it from anywhere.
"""

from __future__ import annotations

__all__ = ["personal_data_exported", "personal_data_viewed", "record"]


def record(
    actor,
    action,
    target=None,
    outcome="success",
    origin=None,
    details=None,
    *,
    category=None,
    request=None,
):
    """Record one entry; see `lutetia.audit.services.record`."""
    from .services import record as _record

    return _record(
        actor, action, target, outcome, origin, details, category=category, request=request
    )


def personal_data_viewed(request, obj, details=None):
    """Record that ``request.user`` saw ``obj``'s personal data (an inspect or edit page)."""
    from .services import personal_data_viewed as _viewed

    return _viewed(request, obj, details)


def personal_data_exported(request, model, count=None, details=None):
    """Record that ``request.user`` exported a listing of ``model``'s personal data."""
    from .services import personal_data_exported as _exported

    return _exported(request, model, count, details)
