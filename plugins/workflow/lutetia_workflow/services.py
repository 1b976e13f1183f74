"""Administrators' use cases: publish a draft, bind a workflow, move cases to a newer version.

Agents' use cases (doing actions) are in `engine`. Nothing here reads a request.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from lutetia import audit
from lutetia.resources import resource_types

from . import definition as wf
from .models import Binding, Case, HistoryEntry, Workflow, WorkflowVersion


class PublishRefused(ValueError):
    """The draft cannot be published; ``str()`` says why."""


def publish(workflow: Workflow, user=None) -> WorkflowVersion:
    """Check the draft in full and publish it as the next version; new resources start on it.

    Refused when the draft is malformed, has no state, has an error in its checks
    (`validation.report`: a dead end, a loop of automatic actions, ...), or equals the latest
    version (nothing to publish). Cases under way keep their version.
    """
    try:
        parsed = wf.parse(workflow.draft)
    except wf.DefinitionError as exc:
        raise PublishRefused(str(exc)) from exc
    if not parsed.states:
        raise PublishRefused(_("A workflow needs at least one state before it is published."))
    from .validation import errors, report

    binding = workflow.bindings.first()
    problems = errors(report(parsed, binding.resource_type if binding else None))
    if problems:
        raise PublishRefused(
            _("Fix the errors of the draft before publishing it: %(errors)s")
            % {"errors": " ".join(problem.message for problem in problems)}
        )
    definition = parsed.to_json()
    with transaction.atomic():
        workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
        latest = workflow.latest_version()
        if latest is not None and latest.definition == definition:
            raise PublishRefused(
                _("The draft is the same as the published version: nothing to publish.")
            )
        version = WorkflowVersion.objects.create(
            workflow=workflow,
            number=(latest.number if latest else 0) + 1,
            definition=definition,
            published_by=user if getattr(user, "is_authenticated", False) else None,
        )
        workflow.draft = definition
        workflow.save(update_fields=["draft", "updated_at"])
        audit.record(
            user,
            "workflow.published",
            workflow,
            category="admin",
            details={"version": version.number},
        )
    return version


def save_draft(workflow: Workflow, draft: dict, user=None) -> Workflow:
    """Store a changed draft after checking it whole; `wf.DefinitionError` leaves it unchanged.

    The draft is what the designer edits; nothing runs on it until it is published.
    """
    parsed = wf.parse(draft)
    with transaction.atomic():
        workflow.draft = parsed.to_json()
        workflow.save(update_fields=["draft", "updated_at"])
        audit.record(user, "workflow.draft_changed", workflow, category="admin")
    return workflow


def bind(resource_type: str, scope: str, workflow: Workflow | None, user=None) -> Binding | None:
    """Make ``workflow`` process new resources of that type and scope (None: unbind)."""
    if resource_type not in resource_types:
        raise ValueError(_("Unknown resource type “%(type)s”.") % {"type": resource_type})
    with transaction.atomic():
        if workflow is None:
            Binding.objects.filter(resource_type=resource_type, scope=scope).delete()
            binding = None
        else:
            binding, _created = Binding.objects.update_or_create(
                resource_type=resource_type, scope=scope, defaults={"workflow": workflow}
            )
        audit.record(
            user,
            "workflow.bound",
            workflow or ("workflow.binding", f"{resource_type}:{scope}"),
            category="admin",
            details={"resource_type": resource_type, "scope": scope},
        )
    return binding


# --- moving cases to another version -------------------------------------------------------


@dataclass
class MigrationPreview:
    """What moving the cases of ``source`` to ``target`` would do, state by state."""

    source: WorkflowVersion
    target: WorkflowVersion
    #: state key in the old version → (number of open cases, state key in the new one or "")
    moves: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def stranded(self) -> dict[str, int]:
        """Old states with open cases and no state to go to: the migration is refused."""
        return {state: count for state, (count, to) in self.moves.items() if count and not to}

    @property
    def total(self) -> int:
        return sum(count for count, _to in self.moves.values())


def preview_migration(
    source: WorkflowVersion, target: WorkflowVersion, mapping: dict[str, str] | None = None
) -> MigrationPreview:
    """Count the open cases per state and where each state goes: the same key by default."""
    if source.workflow_id != target.workflow_id or source.pk == target.pk:
        raise ValueError(_("Cases move between two versions of the same workflow."))
    new_keys = {state.key for state in target.parsed.states}
    counts = Counter(
        dict(
            Case.objects.filter(version=source, closed_at__isnull=True)
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
    )
    mapping = mapping or {}
    moves = {}
    for state in source.parsed.states:
        to = mapping.get(state.key) or (state.key if state.key in new_keys else "")
        if to and to not in new_keys:
            raise ValueError(
                _("The state “%(state)s” does not exist in the new version.") % {"state": to}
            )
        moves[state.key] = (counts.get(state.key, 0), to)
    return MigrationPreview(source=source, target=target, moves=moves)


def migrate_cases(preview: MigrationPreview, user=None) -> int:
    """Move the open cases as the preview says; one transaction; refused if any is stranded."""
    if preview.stranded:
        raise ValueError(
            _("Some cases would have no state in the new version: %(states)s.")
            % {"states": ", ".join(preview.stranded)}
        )
    now = timezone.now()
    moved = 0
    with transaction.atomic():
        for old, (count, new) in preview.moves.items():
            if not count:
                continue
            cases = Case.objects.select_for_update().filter(
                version=preview.source, state=old, closed_at__isnull=True
            )
            entries = [
                HistoryEntry(
                    case_id=pk,
                    at=now,
                    actor=user if getattr(user, "is_authenticated", False) else None,
                    actor_name=(user.get_full_name() or user.email)
                    if getattr(user, "is_authenticated", False)
                    else "",
                    from_state=old,
                    to_state=new,
                    outcome=HistoryEntry.Outcome.MIGRATED,
                    error=_("Version %(old)s → %(new)s")
                    % {"old": preview.source.number, "new": preview.target.number},
                )
                for pk in cases.values_list("pk", flat=True)
            ]
            HistoryEntry.objects.bulk_create(entries)
            # Entering time is kept: a timed action's delay still counts from the real arrival.
            from django.db.models import F

            moved += cases.update(version=preview.target, state=new, revision=F("revision") + 1)
        audit.record(
            user,
            "workflow.cases_migrated",
            preview.source.workflow,
            category="admin",
            details={"from": preview.source.number, "to": preview.target.number, "cases": moved},
        )
    return moved
