"""A test run: walk a real resource through the draft, action by action, and leave no trace.

The walk runs the real engine (conditions, tasks, arrival tasks, automatic actions) inside one
transaction that is rolled back at the end. Everything an action does goes through that
transaction — the case and its history, the resource's changed fields, the messages queued in
the outbox, the access-log entries written at commit — so the rollback undoes all of it: no
e-mail leaves, no webhook is called, the resource is as it was. What the designer gets back is
the story of the walk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lutetia.resources import UnknownResource, resource_types

from . import definition as wf
from . import engine
from .models import Case, HistoryEntry, Workflow, WorkflowVersion


@dataclass
class Step:
    action: str
    from_state: str
    to_state: str
    outcome: str
    tasks: list[dict] = field(default_factory=list)
    error: str = ""
    comment: str = ""


@dataclass
class TestRun:
    steps: list[Step] = field(default_factory=list)
    final_state: str = ""
    #: actions available (to anybody) where the walk ended
    next_actions: list[str] = field(default_factory=list)
    stopped: str = ""


class TestRunError(ValueError):
    """The walk cannot start (unknown resource, malformed draft); ``str()`` says why."""


def run(
    workflow: Workflow, resource_type_id: str, resource_id: str, path: list[str], actor
) -> TestRun:
    """Walk ``path`` (action keys) from the draft's initial state with the given resource."""
    try:
        definition = wf.parse(workflow.draft)
    except wf.DefinitionError as exc:
        raise TestRunError(str(exc)) from exc
    if not definition.states:
        raise TestRunError(_("The draft has no state yet."))
    resource_type = resource_types.get(resource_type_id)
    if resource_type is None:
        raise TestRunError(_("Unknown resource type “%(type)s”.") % {"type": resource_type_id})
    try:
        resource = resource_type.get(resource_id)
    except UnknownResource as exc:
        raise TestRunError(_("There is no such resource.")) from exc
    result = TestRun()
    now = timezone.now()
    with transaction.atomic():
        # Number 0: never a real version's, so the definition cache cannot mix them up.
        version = WorkflowVersion.objects.create(
            workflow=workflow, number=0, definition=definition.to_json()
        )
        Case.objects.filter(
            resource_type=resource_type.id, resource_id=resource_type.key(resource)
        ).delete()
        case = engine.new_case(resource_type, resource, version, now)
        context = engine.Context(
            case=case,
            resource=resource,
            resource_type=resource_type,
            definition=definition,
            actor=None,
            trigger=wf.Trigger.AUTOMATIC,
            now=now,
        )
        seen = 0
        try:
            engine._arrive(context, 0)
            for key in path:
                seen = _collect(case, result, seen)
                action = definition.action(key)
                if action is None or case.state not in action.sources:
                    result.stopped = _("“%(action)s” cannot be done from “%(state)s”.") % {
                        "action": key,
                        "state": case.state,
                    }
                    break
                try:
                    with transaction.atomic():
                        engine._apply(
                            case, action, actor, action.trigger, case.revision, {}, now, 0
                        )
                except engine.ActionFailed as exc:
                    result.steps.append(
                        Step(key, case.state, case.state, "failed", exc.tasks, str(exc))
                    )
                    result.stopped = str(exc)
                    break
                except engine.WorkflowError as exc:
                    result.stopped = str(exc)
                    break
        except engine.ActionFailed as exc:
            result.stopped = str(exc)
        _collect(case, result, seen)
        result.final_state = case.state
        result.next_actions = [a.key for a in definition.actions_from(case.state)]
        transaction.set_rollback(True)
    return result


def _collect(case: Case, result: TestRun, seen: int) -> int:
    entries = list(HistoryEntry.objects.filter(case=case).order_by("at", "pk"))
    for entry in entries[seen:]:
        if entry.outcome == HistoryEntry.Outcome.STARTED:
            continue
        result.steps.append(
            Step(
                action=entry.action or _("(on arrival)"),
                from_state=entry.from_state,
                to_state=entry.to_state,
                outcome=entry.outcome,
                tasks=entry.tasks,
                error=entry.error,
                comment=entry.comment,
            )
        )
    return len(entries)
