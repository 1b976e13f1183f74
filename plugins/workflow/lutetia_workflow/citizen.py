"""The citizen's side of a case: requests answered by secret link, public status and history."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from lutetia import audit

from . import engine
from .models import Case, CitizenRequest, HistoryEntry
from .tasks.builtin import token_hash


class UnknownRequest(LookupError):
    """No request has this link."""


class RequestClosed(Exception):
    """The request was already answered, or its deadline passed; ``str()`` says which."""


def open_request(token: str) -> CitizenRequest:
    """The request behind a link, if it can still be answered."""
    request = (
        CitizenRequest.objects.select_related("case", "case__site", "case__version")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if request is None:
        raise UnknownRequest(token)
    _check_open(request)
    return request


def _check_open(request: CitizenRequest) -> None:
    if request.answered_at is not None:
        raise RequestClosed(_("This request was already answered: thank you."))
    if request.deadline < timezone.now():
        raise RequestClosed(
            _("The deadline to answer this request has passed. Please contact the town hall.")
        )


def answer(request: CitizenRequest, text: str, user=None) -> CitizenRequest:
    """Record the citizen's answer (once), then do the request's follow-up action, if any.

    The answer commits first: a follow-up action that fails does not lose what the citizen
    wrote (the failure is in the case's history for agents to see).
    """
    with transaction.atomic():
        locked = CitizenRequest.objects.select_for_update().get(pk=request.pk)
        _check_open(locked)
        locked.answer = text
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answer", "answered_at"])
        case = Case.objects.select_related("version", "site").get(pk=locked.case_id)
        HistoryEntry.objects.create(
            case=case,
            at=locked.answered_at,
            actor_name=_("Citizen"),
            trigger="citizen",
            from_state=case.state,
            to_state=case.state,
            outcome=HistoryEntry.Outcome.DONE,
            comment=text,
            comment_public=True,
            public=True,
        )
        audit.record(user, "workflow.citizen_answered", ("workflow.case", case.pk, case.reference))
    if locked.then_action:
        action = case.definition.action(locked.then_action)
        if action is not None and case.state in action.sources:
            try:
                engine.perform(case, action.key, None, trigger=action.trigger)
            except engine.WorkflowError:
                pass  # in the history already (ActionFailed) or no longer applicable
    return locked


def back_url(case: Case, wanted: str) -> str:
    """Where to go after a citizen action: the page they came from when it is ours."""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None):
        return wanted
    return front_url(case) or reverse("workflow:mine")


def status(case: Case) -> dict:
    """What the citizen sees of their case: public state label and colour, public history,
    documents made visible to them."""
    state = case.current_state
    return {
        "label": state.label_for_citizen,
        "colour": state.colour,
        "since": case.entered_at,
        "history": engine.history(case, public=True),
        "documents": list(case.documents.filter(public=True).defer("content")),
    }


def front_url(case: Case) -> str:
    """The citizen's page of the resource, or ""."""
    from lutetia.resources import resource_types

    resource_type = resource_types.get(case.resource_type)
    if resource_type is None:
        return ""
    try:
        return resource_type.front_url(resource_type.get(case.resource_id))
    except LookupError:
        return ""
