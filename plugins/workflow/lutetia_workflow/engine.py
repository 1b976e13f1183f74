"""The workflow engine: start a case, apply actions, run timed and automatic actions.

What it guarantees, whatever the number of app servers:

- **One action at a time.** An action claims the case with ONE conditional UPDATE that bumps
  ``revision`` only if it still is the revision the agent saw and the case still is in one of the
  action's source states. On PostgreSQL a second, concurrent UPDATE waits for the first to
  commit, then re-reads the row, finds another revision and updates nothing: its agent gets
  `StaleCase` ("the resource changed"). On SQLite writers are serialised. No lock is held
  between the agent's page and their click, so an agent who walks away blocks nobody.
- **Nothing half-done.** An action is one transaction: the claim, its tasks (each task's
  writes, the messages it queues in the outbox, the audit entry), the move, the history entry,
  the arrival tasks of the new state and the automatic actions that follow. A task that raises
  `TaskFailed` rolls all of it back, then the failure alone is written in the history; or, when
  the action says so, only the tasks' work is rolled back and the case takes the alternative
  path, the failure in the history too.
- **Versions kept.** A case runs on the version of the workflow it started on.

Nothing here reads a request: views, the API, the scheduler and the tests call these functions.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lutetia import audit
from lutetia.accounts import workgroups
from lutetia.plugins import SiteSignal
from lutetia.resources import ResourceType, UnknownResource, resource_types, type_of

from . import conditions
from . import definition as wf
from .models import Binding, Case, HistoryEntry, Workflow, WorkflowVersion
from .tasks import TaskFailed, TaskOutcome, task_types

logger = logging.getLogger("lutetia.workflow")

PROCESS_PERMISSION = "workflow.process_case"
#: Most automatic actions one action may set off in a row (a loop in a design stops there).
MAX_CHAIN = 20

#: An action was done. Arguments: ``site``, ``case``, ``action`` (`definition.Action`),
#: ``entry`` (`HistoryEntry`), ``resource``. Sent inside the action's transaction. Return: ignored.
workflow_action_done = SiteSignal()


class WorkflowError(Exception):
    """An action could not be done; ``str()`` is the message for the person who asked."""


class StaleCase(WorkflowError):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or _(
                "This resource changed since you opened it (someone else acted on it). Look at "
                "it again before you act."
            )
        )


class ActionNotAllowed(WorkflowError):
    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("You may not do this action on this resource."))


class ActionNotAvailable(WorkflowError):
    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("This action is not available for this resource now."))


class ActionFailed(WorkflowError):
    """A task failed and the action was rolled back (the failure is in the history)."""

    def __init__(self, message: str, tasks: list[dict] | None = None) -> None:
        super().__init__(message)
        self.tasks = tasks or []


class InvalidInput(WorkflowError):
    """The agent's form for the action is not valid; ``errors`` by field."""

    def __init__(self, errors: dict) -> None:
        super().__init__(_("Please correct the fields of the action."))
        self.errors = errors


# --- definitions ---------------------------------------------------------------------------


#: Parsed definitions by (version id, publication time): a published version never changes, and
#: the time tells apart two versions that got the same id after a rolled-back transaction.
_PARSED: dict[tuple[int, object], wf.Definition] = {}
_PARSED_MAX = 512


def definition_of(version: WorkflowVersion) -> wf.Definition:
    """The parsed definition of a published version (cached per process)."""
    key = (version.pk, version.published_at)
    parsed = _PARSED.get(key)
    if parsed is None:
        # Checked in full when published; types are not checked again, so a version whose task
        # type's plugin went away still loads (that task then fails, visibly, in the history).
        parsed = wf.parse(version.definition, check_types=False)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = parsed
    return parsed


# --- context handed to conditions and tasks ------------------------------------------------


@dataclass
class Context:
    """Everything a condition or task may read, and what tasks hand back to the engine."""

    case: Case
    resource: Any
    resource_type: ResourceType
    definition: wf.Definition
    actor: Any
    trigger: str
    now: datetime
    action: wf.Action | None = None
    #: the agent's answers to the current task's form
    input: dict[str, Any] = field(default_factory=dict)
    #: set by a task that decides the next state ("choose the next state by rules")
    next_state: str = ""
    comment: str = ""
    comment_public: bool = False
    #: extra audit details tasks add
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def site(self):
        return self.case.site

    def value(self, name: str) -> Any:
        """A resource field, or a field an agent filled for the workflow (``data.<name>``)."""
        if name.startswith("data."):
            return self.case.data.get(name[5:])
        values = self.values
        if name in values:
            return values[name]
        return self.case.data.get(name)

    @cached_property
    def values(self) -> dict[str, Any]:
        return self.resource_type.values(self.resource)

    def actions_done(self) -> set[str]:
        return set(
            self.case.history.filter(
                outcome__in=[HistoryEntry.Outcome.DONE, HistoryEntry.Outcome.ALTERNATIVE]
            ).values_list("action", flat=True)
        )

    @property
    def source(self) -> str:
        """What messages sent for this case say they come from (the outbox traces it)."""
        return f"workflow:case:{self.case.pk}"

    def render(self, *texts: str, for_citizen: bool = False) -> list[str]:
        """Texts with placeholders filled; ``for_citizen``: in the citizen's language."""
        from .templating import render

        variables = self.variables()
        with in_citizen_language(self) if for_citizen else contextlib.nullcontext():
            return [render(text, variables) for text in texts]

    def unattended(self, action: wf.Action | None = None) -> Context:
        """A context for what runs with no agent (arrival tasks, automatic actions)."""
        return Context(
            case=self.case,
            resource=self.resource,
            resource_type=self.resource_type,
            definition=self.definition,
            actor=None,
            trigger=wf.Trigger.AUTOMATIC,
            now=self.now,
            action=action,
        )

    def absolute(self, path: str) -> str:
        if not path or path.startswith(("http://", "https://")):
            return path
        return self.case.site.root_url.rstrip("/") + path

    def variables(self) -> dict[str, Any]:
        """What texts with placeholders may use."""
        state = self.case.current_state
        return {
            "reference": self.case.reference,
            "title": self.case.title,
            "state": state.label_for_citizen,
            "state_name": state.name,
            "site_name": self.case.site.site_name,
            "link": self.absolute(self.resource_type.front_url(self.resource)),
            "fields": self.values,
            "data": self.case.data,
            "comment": self.comment,
            "now": self.now,
        }


# --- which workflow, and starting --------------------------------------------------------


def workflow_for(resource_type: ResourceType, obj) -> Workflow | None:
    """The workflow bound to the resource's scope, else to its whole type; None: unprocessed."""
    scope = resource_type.workflow_scope(obj)
    bindings = {
        binding.scope: binding
        for binding in Binding.objects.select_related("workflow").filter(
            resource_type=resource_type.id, scope__in={scope, ""}
        )
    }
    binding = bindings.get(scope) or bindings.get("")
    return binding.workflow if binding else None


def case_for(obj) -> Case | None:
    """The case of a resource, or None when no workflow processes it."""
    resource_type = type_of(obj)
    return (
        Case.objects.select_related("version", "site")
        .filter(resource_type=resource_type.id, resource_id=resource_type.key(obj))
        .first()
    )


def start(obj, actor=None, *, now: datetime | None = None) -> Case | None:
    """Put a new resource into its workflow's initial state; None when no workflow takes it.

    Call it in the transaction that creates the resource (the ``resource_created`` receiver
    does): a resource and its case exist together or not at all.
    """
    resource_type = type_of(obj)
    workflow = workflow_for(resource_type, obj)
    if workflow is None or not workflow.enabled:
        return None
    version = workflow.latest_version()
    if version is None:
        logger.warning(
            "workflow never published: resource not processed", extra={"workflow": workflow.pk}
        )
        return None
    definition = definition_of(version)
    now = now or timezone.now()
    with transaction.atomic():
        case = new_case(resource_type, obj, version, now)
        context = Context(
            case=case,
            resource=obj,
            resource_type=resource_type,
            definition=definition,
            actor=actor,
            trigger=wf.Trigger.AUTOMATIC,
            now=now,
        )
        HistoryEntry.objects.create(
            case=case,
            at=now,
            actor=_account(actor),
            actor_name=_actor_name(actor, wf.Trigger.AUTOMATIC),
            outcome=HistoryEntry.Outcome.STARTED,
            to_state=case.state,
            public=True,
        )
        audit.record(
            actor,
            "workflow.started",
            obj,
            details={"workflow": workflow.name, "version": version.number, "state": case.state},
        )
        # A design mistake (a failing arrival task, a loop) must not refuse the citizen's
        # resource: the case stays in its initial state, the failure in its history for agents.
        snapshot = _snapshot(case)
        try:
            with transaction.atomic():
                _arrive(context, depth=0)
        except WorkflowError as exc:
            _restore(case, snapshot)
            HistoryEntry.objects.create(
                case=case,
                at=now,
                actor_name=_actor_name(None, wf.Trigger.AUTOMATIC),
                trigger=wf.Trigger.AUTOMATIC,
                from_state=case.state,
                to_state=case.state,
                outcome=HistoryEntry.Outcome.FAILED,
                tasks=getattr(exc, "tasks", []),
                error=str(exc),
            )
            logger.warning("workflow start: arrival failed", extra={"case": case.pk})
    return case


def new_case(resource_type: ResourceType, obj, version: WorkflowVersion, now: datetime) -> Case:
    """The case of a resource entering ``version``'s initial state, with the resource's
    reference, title, owner, site and workgroup copied for the work queues."""
    owner = resource_type.owner(obj)
    initial = definition_of(version).initial
    case = Case.objects.create(
        resource_type=resource_type.id,
        resource_id=resource_type.key(obj),
        version=version,
        state=initial.key,
        entered_at=now,
        site=resource_type.site(obj),
        workgroup=resource_type.workgroup(obj),
        owner=owner if getattr(owner, "pk", None) else None,
        reference=resource_type.reference(obj)[:64],
        title=resource_type.title(obj)[:255],
    )
    _tell_status(resource_type, obj, initial, None)
    return case


def _tell_status(resource_type: ResourceType, obj, state: wf.State, assignee) -> None:
    """The resource's plugin keeps a copy of its status and assignee (to list and filter)."""
    resource_type.status_changed(
        obj,
        state=state.key,
        label=state.label_for_citizen,
        final=state.final,
        assignee=assignee,
    )


# --- who may do what ---------------------------------------------------------------------


def is_processor(user) -> bool:
    """An active agent with the right to process resources through workflows."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(PROCESS_PERMISSION)
    )


def can_process(user, case: Case) -> bool:
    """A processor (`is_processor`) who sees the case's workgroup."""
    if not is_processor(user):
        return False
    return (
        workgroups.sees_all(user)
        or case.workgroup_id is None
        or (case.workgroup_id in workgroups.workgroup_ids(user))
    )


def may_do(user, case: Case, action: wf.Action) -> bool:
    """Whether ``user`` may do ``action`` (an agent's action) on ``case``."""
    if not can_process(user, case):
        return False
    if user.is_superuser:
        return True
    if action.roles and not user.groups.filter(name__in=action.roles).exists():
        return False
    if action.workgroups and not workgroups.sees_all(user):
        codes = set(user.workgroups.values_list("code", flat=True))
        if not codes.intersection(action.workgroups):
            return False
    return True


def available_actions(case: Case, user, trigger: str = wf.Trigger.MANUAL) -> list[wf.Action]:
    """The actions ``user`` may do now on ``case``, in the definition's order."""
    if case.closed_at is not None:
        return []
    actions = case.definition.actions_from(case.state, trigger)
    if trigger == wf.Trigger.CITIZEN:
        return actions if _is_owner(user, case) else []
    return [action for action in actions if may_do(user, case, action)]


def _is_owner(user, case: Case) -> bool:
    return bool(user is not None and user.is_authenticated and case.owner_id == user.pk)


# --- agent forms -------------------------------------------------------------------------


def action_forms(action: wf.Action, data=None) -> list[tuple[int, Any]]:
    """The forms of the action's tasks that ask the agent something: (task index, bound form)."""
    forms = []
    for index, spec in enumerate(action.tasks):
        task_type = task_types.get(spec.type)
        form_class = task_type.agent_form(spec.config) if task_type else None
        if form_class is not None:
            forms.append((index, form_class(data=data, prefix=f"task{index}")))
    return forms


def _clean_inputs(action: wf.Action, data, trigger: str) -> dict[int, dict]:
    forms = action_forms(action, data if data is not None else {})
    if not forms:
        return {}
    if trigger != wf.Trigger.MANUAL and data is None:
        # Nobody to ask: an unattended action with questions runs with empty answers only when
        # every question is optional (the designer is told so by the validation report).
        data = {}
    errors = {}
    inputs = {}
    for index, form in forms:
        if form.is_valid():
            inputs[index] = form.cleaned_data
        else:
            errors.update(
                {f"task{index}-{name}": messages for name, messages in form.errors.items()}
            )
    if errors:
        raise InvalidInput(errors)
    return inputs


# --- doing an action ---------------------------------------------------------------------


def perform(
    case: Case,
    action_key: str,
    actor=None,
    *,
    trigger: str = wf.Trigger.MANUAL,
    revision: int | None = None,
    data=None,
    now: datetime | None = None,
) -> HistoryEntry:
    """Do the action ``action_key`` on ``case``; returns its history entry.

    ``revision`` is the revision the agent saw (their page holds it): another action since then
    raises `StaleCase`. ``data`` is the agent's form (a QueryDict or dict) for tasks that ask
    something. Raises `ActionNotAllowed`, `ActionNotAvailable`, `InvalidInput`, `ActionFailed`.
    """
    now = now or timezone.now()
    definition = case.definition
    action = definition.action(action_key)
    if action is None or action.trigger != trigger:
        raise ActionNotAvailable()
    if trigger == wf.Trigger.MANUAL and not may_do(actor, case, action):
        raise ActionNotAllowed()
    if trigger == wf.Trigger.CITIZEN and actor is not None and not _is_owner(actor, case):
        raise ActionNotAllowed()
    inputs = _clean_inputs(action, data, trigger)
    expected = case.revision if revision is None else revision
    try:
        with transaction.atomic():
            return _apply(case, action, actor, trigger, expected, inputs, now, depth=0)
    except ActionFailed as failure:
        _record_failure(case, action, actor, trigger, failure, now)
        raise


def perform_many(
    cases: list[Case], action_key: str, actor, *, revisions: dict[int, int] | None = None
) -> tuple[list[Case], list[tuple[Case, str]]]:
    """A mass action: each case in its own transaction; returns (done, [(refused, why)])."""
    done, refused = [], []
    for case in cases:
        action = case.definition.action(action_key)
        if action is None or not action.mass:
            refused.append((case, str(ActionNotAvailable())))
            continue
        try:
            perform(
                case,
                action_key,
                actor,
                revision=(revisions or {}).get(case.pk),
            )
        except WorkflowError as exc:
            refused.append((case, str(exc)))
        else:
            done.append(case)
    return done, refused


def _claim(case: Case, action: wf.Action, expected: int, now: datetime) -> None:
    claimed = Case.objects.filter(
        pk=case.pk, revision=expected, state__in=action.sources, closed_at__isnull=True
    ).update(revision=F("revision") + 1, updated_at=now)
    if claimed != 1:
        raise StaleCase()
    case.revision = expected + 1


def _context(case, action, actor, trigger, now) -> Context:
    try:
        resource_type = resource_types[case.resource_type]
        resource = resource_type.get(case.resource_id)
    except (KeyError, UnknownResource) as exc:
        raise ActionNotAvailable(_("The resource of this case no longer exists.")) from exc
    return Context(
        case=case,
        resource=resource,
        resource_type=resource_type,
        definition=case.definition,
        actor=actor,
        trigger=trigger,
        now=now,
        action=action,
    )


def _apply(case, action, actor, trigger, expected, inputs, now, depth) -> HistoryEntry:
    """The action's transaction body: claim, conditions, tasks, move, arrival, what follows."""
    _claim(case, action, expected, now)
    context = _context(case, action, actor, trigger, now)
    if not conditions.holds(action.conditions, context):
        if not action.alternative_target:
            raise ActionNotAvailable(
                _("The conditions of this action are not met for this resource.")
            )
        entry = _move(
            context,
            action.alternative_target,
            HistoryEntry.Outcome.ALTERNATIVE,
            [],
            error=_("Conditions not met: %(conditions)s")
            % {"conditions": conditions.describe(action.conditions)},
        )
    else:
        snapshot = _snapshot(case)
        try:
            with transaction.atomic():  # the tasks' work, undone alone on the alternative path
                results = _run_tasks(context, action.tasks, inputs)
        except _TasksFailed as failure:
            if action.on_failure != wf.OnFailure.ALTERNATIVE:
                raise ActionFailed(str(failure.error), failure.results) from failure.error
            # The savepoint undid the tasks' writes; undo what they changed in memory too.
            _restore(case, snapshot)
            context.resource = context.resource_type.get(case.resource_id)
            context.next_state = ""
            context.comment = ""
            context.details = {}
            entry = _move(
                context,
                action.alternative_target,
                HistoryEntry.Outcome.ALTERNATIVE,
                failure.results,
                error=str(failure.error),
            )
        else:
            entry = _move(
                context, context.next_state or action.target, HistoryEntry.Outcome.DONE, results
            )
    _arrive(context, depth)
    return entry


#: The fields of a case that tasks may change.
_MUTABLE = (
    "workgroup_id",
    "assignee_id",
    "owner_id",
    "title",
    "closed_at",
    "state",
    "entered_at",
    "revision",
)


def _snapshot(case: Case) -> dict[str, Any]:
    return {**{name: getattr(case, name) for name in _MUTABLE}, "data": dict(case.data)}


def _restore(case: Case, snapshot: dict[str, Any]) -> None:
    for name, value in snapshot.items():
        setattr(case, name, value)
    # Cached related objects would otherwise win over the restored ids.
    for relation in ("workgroup", "assignee", "owner"):
        case._state.fields_cache.pop(relation, None)


class _TasksFailed(Exception):
    def __init__(self, error: TaskFailed, results: list[dict]) -> None:
        super().__init__(str(error))
        self.error = error
        self.results = results


def _run_tasks(context: Context, tasks, inputs: dict[int, dict]) -> list[dict]:
    results: list[dict] = []
    for index, spec in enumerate(tasks):
        task_type = task_types.get(spec.type)
        label = str(task_type.verbose_name) if task_type else spec.type
        context.input = inputs.get(index, {})
        try:
            if task_type is None:
                raise TaskFailed(
                    _("The task type “%(type)s” is not installed.") % {"type": spec.type}
                )
            outcome = task_type.run(context, spec.config) or TaskOutcome()
        except TaskFailed as exc:
            results.append(
                {
                    "type": spec.type,
                    "label": label,
                    "summary": str(exc),
                    "public": False,
                    "ok": False,
                }
            )
            raise _TasksFailed(exc, results) from exc
        except (ValueError, UnknownResource) as exc:  # a resource refusing a value, a bad address
            error = TaskFailed(str(exc))
            results.append(
                {
                    "type": spec.type,
                    "label": label,
                    "summary": str(exc),
                    "public": False,
                    "ok": False,
                }
            )
            raise _TasksFailed(error, results) from exc
        results.append(
            {
                "type": spec.type,
                "label": label,
                "summary": outcome.summary,
                "public": outcome.public,
                "ok": True,
            }
        )
    context.input = {}
    return results


def _move(context: Context, target: str, outcome: str, results: list[dict], error: str = ""):
    case, action = context.case, context.action
    if context.definition.state(target) is None:
        raise ActionFailed(
            _("The state “%(state)s” does not exist in this workflow.") % {"state": target}
        )
    from_state = case.state
    case.state = target
    case.entered_at = context.now
    _tell_status(
        context.resource_type, context.resource, context.definition.state(target), case.assignee
    )
    case.save(
        update_fields=[
            "state",
            "entered_at",
            "workgroup",
            "assignee",
            "data",
            "closed_at",
            "owner",
            "title",
            "updated_at",
        ]
    )
    entry = HistoryEntry.objects.create(
        case=case,
        at=context.now,
        actor=_account(context.actor),
        actor_name=_actor_name(context.actor, context.trigger),
        trigger=context.trigger,
        action=action.key if action else "",
        action_name=action.name if action else "",
        from_state=from_state,
        to_state=target,
        outcome=outcome,
        public=bool(action and action.public),
        comment=context.comment,
        comment_public=context.comment_public,
        tasks=results,
        error=error,
    )
    audit.record(
        _account(context.actor),
        "workflow.action_done",
        context.resource,
        details={
            "action": action.key if action else "",
            "from": from_state,
            "to": target,
            "outcome": outcome,
            "trigger": context.trigger,
            **context.details,
        },
    )
    workflow_action_done.send(
        sender=Case,
        site=case.site,
        case=case,
        action=action,
        entry=entry,
        resource=context.resource,
    )
    context.comment, context.comment_public, context.next_state = "", False, ""
    context.details = {}
    return entry


def _arrive(context: Context, depth: int) -> None:
    """Run the arrival tasks of the case's new state, then the first automatic action that
    applies (which arrives somewhere in turn), at most `MAX_CHAIN` deep."""
    case = context.case
    state = context.definition.state(case.state)
    if state is not None and state.on_arrival:
        arrival = context.unattended()
        try:
            results = _run_tasks(arrival, state.on_arrival, {})
        except _TasksFailed as failure:
            raise ActionFailed(
                _("A task on arrival in “%(state)s” failed: %(error)s")
                % {"state": state.name, "error": failure.error},
                failure.results,
            ) from failure.error
        case.save(update_fields=["workgroup", "assignee", "data", "closed_at", "owner", "title"])
        HistoryEntry.objects.create(
            case=case,
            at=context.now,
            actor_name=_actor_name(None, wf.Trigger.AUTOMATIC),
            trigger=wf.Trigger.AUTOMATIC,
            from_state=case.state,
            to_state=case.state,
            outcome=HistoryEntry.Outcome.DONE,
            public=False,
            comment=arrival.comment,
            comment_public=arrival.comment_public,
            tasks=results,
        )
    _follow_automatic(context, depth)


def _follow_automatic(context: Context, depth: int) -> None:
    case = context.case
    if case.closed_at is not None:
        return
    for action in context.definition.actions_from(case.state, wf.Trigger.AUTOMATIC):
        if depth >= MAX_CHAIN:
            raise ActionFailed(
                _(
                    "Automatic actions followed one another more than %(max)s times: the workflow "
                    "loops."
                )
                % {"max": MAX_CHAIN}
            )
        probe = context.unattended(action)
        if conditions.holds(action.conditions, probe) or action.alternative_target:
            _apply(
                case, action, None, wf.Trigger.AUTOMATIC, case.revision, {}, context.now, depth + 1
            )
            return


def recheck(case: Case, *, now: datetime | None = None) -> None:
    """Apply the first automatic action of the case's state whose conditions now hold (call it
    in a transaction, after the resource's values changed)."""
    if case.closed_at is not None or not case.definition.actions_from(
        case.state, wf.Trigger.AUTOMATIC
    ):
        return
    context = _context(case, None, None, wf.Trigger.AUTOMATIC, now or timezone.now())
    _follow_automatic(context, 0)


def _record_failure(case, action, actor, trigger, failure: ActionFailed, now) -> None:
    """After the rollback: the attempt and its error, in the history and the access log."""
    case.refresh_from_db()
    with transaction.atomic():
        HistoryEntry.objects.create(
            case=case,
            at=now,
            actor=_account(actor),
            actor_name=_actor_name(actor, trigger),
            trigger=trigger,
            action=action.key,
            action_name=action.name,
            from_state=case.state,
            to_state=case.state,
            outcome=HistoryEntry.Outcome.FAILED,
            tasks=failure.tasks,
            error=str(failure),
        )
        try:
            resource = resource_types[case.resource_type].get(case.resource_id)
        except (KeyError, UnknownResource):
            resource = ("workflow.case", case.pk, case.reference)
        audit.record(
            actor if getattr(actor, "is_authenticated", False) else None,
            "workflow.action_failed",
            resource,
            outcome="error",
            details={"action": action.key, "error": str(failure)[:500], "trigger": trigger},
        )
    logger.warning(
        "workflow action failed",
        extra={"case": case.pk, "action": action.key, "trigger": trigger},
    )


def _account(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _actor_name(actor, trigger: str) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor.get_full_name() or actor.email
    return {
        wf.Trigger.TIMED: _("Scheduler"),
        wf.Trigger.AUTOMATIC: _("Automatic"),
        wf.Trigger.CITIZEN: _("Citizen"),
        wf.Trigger.API: _("API"),
    }.get(trigger, _("Automatic"))


# --- timed actions -----------------------------------------------------------------------


@dataclass
class SweepReport:
    applied: int = 0
    skipped: int = 0
    failed: int = 0


def timed_actions() -> list[tuple[WorkflowVersion, wf.Action]]:
    """Every (version, timed action) pair of the versions that still have open cases."""
    pairs = []
    in_use = WorkflowVersion.objects.filter(
        pk__in=Case.objects.filter(closed_at__isnull=True).values("version")
    )
    for version in in_use:
        pairs.extend(
            (version, action) for action in definition_of(version).actions if action.is_timed
        )
    return pairs


def due_cases(version: WorkflowVersion, action: wf.Action, now: datetime):
    """The cases waiting in a source state of ``action`` for its delay or longer, oldest first.

    Served by the index ``workflow_case_sweep`` (version, state, entered_at) on open cases.
    """
    return Case.objects.filter(
        version=version,
        state__in=action.sources,
        entered_at__lte=now - timedelta(minutes=action.delay_minutes),
        closed_at__isnull=True,
    ).order_by("entered_at", "pk")


def sweep_page(version, action: wf.Action, now: datetime, after: tuple[datetime, int] | None):
    """The sweep's query for the page after ``after`` ((entered_at, pk) of the last case seen).

    The version is known, so its definition is not copied into every row. The ">=" bound lets
    the index start at the page instead of the oldest due case: the OR alone is a row-by-row
    filter that would rescan every earlier page.
    """
    page = due_cases(version, action, now).select_related("site")
    if after is not None:
        page = page.filter(entered_at__gte=after[0]).filter(
            Q(entered_at__gt=after[0]) | Q(entered_at=after[0], pk__gt=after[1])
        )
    return page


def run_timed(
    now: datetime | None = None, *, batch: int = 500, limit: int | None = None
) -> SweepReport:
    """One sweep: apply each due timed action to each case waiting long enough.

    Each case is its own transaction (one failure does not undo the others). Cases whose
    conditions do not hold are skipped and looked at again next sweep; pages go on by
    (entered_at, pk) so skipped cases never hide the ones behind them.
    """
    now = now or timezone.now()
    report = SweepReport()
    for version, action in timed_actions():
        after: tuple[datetime, int] | None = None
        while limit is None or report.applied + report.skipped + report.failed < limit:
            page = sweep_page(version, action, now, after)
            cases = list(page[:batch])
            if not cases:
                break
            for case in cases:
                case.version = version
                after = (case.entered_at, case.pk)
                try:
                    perform(case, action.key, None, trigger=wf.Trigger.TIMED, now=now)
                except (StaleCase, ActionNotAvailable):
                    report.skipped += 1
                except WorkflowError:
                    report.failed += 1
                else:
                    report.applied += 1
    return report


# --- reading -------------------------------------------------------------------------------


def history(case: Case, *, public: bool = False) -> list[HistoryEntry]:
    """The case's history, oldest first; ``public``: what its citizen may see."""
    entries = case.history.select_related("actor")
    if public:
        entries = entries.filter(Q(public=True) | Q(comment_public=True, comment__gt=""))
    return list(entries)


def language_of(context: Context) -> str:
    return context.resource_type.language(context.resource) or settings.LANGUAGE_CODE


def in_citizen_language(context: Context):
    """``with in_citizen_language(context):`` — messages to the citizen in their language."""
    return translation.override(language_of(context))
