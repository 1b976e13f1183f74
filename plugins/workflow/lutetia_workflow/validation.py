"""The checks of a workflow's definition: what an administrator must fix before publishing it
(errors) and what they should know (warnings).

`definition.parse` refuses what the engine cannot read at all; this report looks at a definition
that parses and asks whether it works as a process: can every state be reached, can a resource
leave every state that is not final, can automatic actions chase each other for ever, does an
unattended action ask an agent something, do the roles, workgroups and fields it names exist
here. The designer shows the report; publishing is refused while it holds an error.

Pure reading: the only queries are the look-ups of roles and workgroups (two, whatever the size).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from . import definition as wf

ERROR = "error"
WARNING = "warning"

#: Triggers with nobody to fill a form: the engine runs their tasks with empty answers.
UNATTENDED = (wf.Trigger.AUTOMATIC, wf.Trigger.TIMED, wf.Trigger.CITIZEN, wf.Trigger.API)


@dataclass(frozen=True)
class Problem:
    """One finding. ``message`` is translated and names the state or action at fault; ``state``
    and ``action`` hold their keys (empty when the problem is not about one)."""

    level: str  # ERROR or WARNING
    message: str
    state: str = ""
    action: str = ""

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that forbid publishing."""
    return [problem for problem in problems if problem.level == ERROR]


def report(definition: wf.Definition, resource_type_id: str | None = None) -> list[Problem]:
    """What is wrong with ``definition``, errors first, then warnings, each in a fixed order.

    ``resource_type_id``: the type of the resources the workflow processes (its binding), to
    check the fields that conditions and "change a field" tasks name; None skips those checks.
    """
    if not definition.states:
        return [Problem(ERROR, _("The workflow has no state yet."))]
    problems: list[Problem] = []
    for check in (
        _reachability,
        _ways_out,
        _idle_actions,
        _automatic_loops,
        _unknown_types,
        _unattended_tasks,
        _task_references,
        _directory,
    ):
        problems.extend(check(definition))
    problems.extend(_fields(definition, resource_type_id))
    # sorted() is stable: within a level, the order of the checks and of the definition stays.
    return sorted(problems, key=lambda problem: problem.level != ERROR)


# --- reading the definition ---------------------------------------------------------------


def chosen_states(task: wf.TaskSpec) -> list[str]:
    """The states one "choose the next state" task may pick: its rules' states, its default."""
    if task.type != "choose_state":
        return []
    rules = task.config.get("rules")
    states = [
        rule["state"]
        for rule in (rules if isinstance(rules, list) else [])
        if isinstance(rule, dict) and isinstance(rule.get("state"), str) and rule["state"]
    ]
    default = task.config.get("default")
    if isinstance(default, str) and default:
        states.append(default)
    return states


def rule_states(action: wf.Action) -> list[str]:
    """The states the action's "choose the next state" tasks may send a resource to."""
    return [key for task in action.tasks for key in chosen_states(task)]


def destinations(action: wf.Action) -> list[str]:
    """Every state the action may lead to: its target, its rules' states, its alternative target
    (each once, in that order; unknown keys included)."""
    found: list[str] = []
    for key in (action.target, *rule_states(action), action.alternative_target):
        if key and key not in found:
            found.append(key)
    return found


def _tasks(definition: wf.Definition) -> Iterator[tuple[wf.State | None, wf.Action | None, int]]:
    """Every task, with the state (arrival tasks) or action that holds it and its position."""
    for state in definition.states:
        for position, _task in enumerate(state.on_arrival, 1):
            yield state, None, position
    for action in definition.actions:
        for position, _task in enumerate(action.tasks, 1):
            yield None, action, position


def _task_at(owner_state, owner_action, position) -> wf.TaskSpec:
    tasks = owner_state.on_arrival if owner_state is not None else owner_action.tasks
    return tasks[position - 1]


def _where(state: wf.State | None, action: wf.Action | None, position: int) -> str:
    if state is not None:
        return _("Task %(n)s on arrival in “%(state)s”") % {"n": position, "state": state.name}
    return _("Task %(n)s of the action “%(action)s”") % {"n": position, "action": action.name}


def _keys(state: wf.State | None, action: wf.Action | None) -> dict[str, str]:
    return {"state": state.key if state else "", "action": action.key if action else ""}


def _leaves(tree: Any) -> Iterator[dict]:
    """The leaf conditions of a condition tree (a malformed part is skipped, not an error)."""
    if not isinstance(tree, dict):
        return
    for group in ("all", "any"):
        if group in tree:
            items = tree[group]
            for item in items if isinstance(items, list) else []:
                yield from _leaves(item)
            return
    if isinstance(tree.get("type"), str):
        yield tree


def _condition_trees(action: wf.Action) -> Iterator[dict]:
    """The action's own conditions and those of its "choose the next state" rules."""
    if action.conditions:
        yield action.conditions
    for task in action.tasks:
        if task.type == "choose_state" and isinstance(task.config.get("rules"), list):
            for rule in task.config["rules"]:
                if isinstance(rule, dict) and rule.get("conditions"):
                    yield rule["conditions"]


def _name(definition: wf.Definition, key: str) -> str:
    state = definition.state(key)
    return state.name if state else key


def _trigger_words(trigger: str) -> str:
    return {
        wf.Trigger.AUTOMATIC: _("automatic"),
        wf.Trigger.TIMED: _("timed"),
        wf.Trigger.CITIZEN: _("started by the citizen"),
        wf.Trigger.API: _("started by another system (API)"),
    }.get(trigger, trigger)


# --- the checks ---------------------------------------------------------------------------


def reachable(definition: wf.Definition) -> set[str]:
    """The keys of the states a resource can get to from the initial state."""
    initial = next((state.key for state in definition.states if state.initial), None)
    if initial is None:
        return set()
    known = {state.key for state in definition.states}
    seen = {initial}
    todo = [initial]
    while todo:
        key = todo.pop()
        for action in definition.actions_from(key):
            for target in destinations(action):
                if target in known and target not in seen:
                    seen.add(target)
                    todo.append(target)
    return seen


def _reachability(definition: wf.Definition) -> Iterator[Problem]:
    seen = reachable(definition)
    for state in definition.states:
        if state.key not in seen:
            yield Problem(
                WARNING,
                _(
                    "No action leads to the state “%(state)s” from the initial state: no resource "
                    "will ever be in it."
                )
                % {"state": state.name},
                state=state.key,
            )


def _ways_out(definition: wf.Definition) -> Iterator[Problem]:
    for state in definition.states:
        leaving = definition.actions_from(state.key)
        if not state.final and not leaving:
            yield Problem(
                ERROR,
                _(
                    "No way out of the state “%(state)s”: no action leaves it and it is not final, "
                    "so a resource would stay there for ever. Add an action or mark it final."
                )
                % {"state": state.name},
                state=state.key,
            )
        elif state.final and leaving:
            yield Problem(
                WARNING,
                _(
                    "The state “%(state)s” is final but actions still leave it (%(actions)s): "
                    "resources in it are not finished."
                )
                % {
                    "state": state.name,
                    "actions": ", ".join(f"“{action.name}”" for action in leaving),
                },
                state=state.key,
            )


def _idle_actions(definition: wf.Definition) -> Iterator[Problem]:
    for action in definition.actions:
        if action.target in action.sources and not action.tasks:
            yield Problem(
                WARNING,
                _(
                    "The action “%(action)s” does nothing from the state “%(state)s”: it stays "
                    "there and has no task."
                )
                % {"action": action.name, "state": _name(definition, action.target)},
                action=action.key,
            )


def _automatic_loops(definition: wf.Definition) -> Iterator[Problem]:
    """Cycles of automatic moves that need no condition to hold: once a resource enters one, the
    engine follows it until its chain limit and the action that led there fails."""
    known = {state.key for state in definition.states}
    moves: list[tuple[str, str, wf.Action]] = []
    for action in definition.actions:
        if action.trigger != wf.Trigger.AUTOMATIC:
            continue
        if not action.conditions:
            targets = destinations(action)
        elif action.alternative_target:
            # Conditions not met: the engine takes the alternative target, no condition needed.
            targets = [action.alternative_target]
        else:
            continue
        moves.extend(
            (source, target, action)
            for source in action.sources
            for target in targets
            if target in known
        )
    following: dict[str, set[str]] = {}
    for source, target, _action in moves:
        following.setdefault(source, set()).add(target)

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(following.get(start, ()))
        while todo:
            key = todo.pop()
            if key not in seen:
                seen.add(key)
                todo.extend(following.get(key, ()))
        return seen

    reaches = {key: reach(key) for key in following}
    reported: set[str] = set()
    for state in definition.states:
        key = state.key
        if key in reported or key not in reaches.get(key, ()):
            continue
        loop = {other for other in reaches[key] if key in reaches.get(other, ())} | {key}
        reported |= loop
        actions = []
        for source, target, action in moves:
            if source in loop and target in loop and action not in actions:
                actions.append(action)
        yield Problem(
            ERROR,
            _(
                "Automatic actions can loop for ever between the states %(states)s: %(actions)s. "
                "Give one of them a condition that stops the loop, or make it manual."
            )
            % {
                "states": ", ".join(f"“{s.name}”" for s in definition.states if s.key in loop),
                "actions": ", ".join(f"“{action.name}”" for action in actions),
            },
            state=key,
            action=actions[0].key if actions else "",
        )


def _unknown_types(definition: wf.Definition) -> Iterator[Problem]:
    """Types no plugin registers (a plugin switched off, a definition parsed without checks)."""
    from .conditions import condition_types
    from .tasks import task_types

    for state, action, position in _tasks(definition):
        task = _task_at(state, action, position)
        if task.type not in task_types:
            yield Problem(
                ERROR,
                _("%(where)s: unknown task type “%(type)s”.")
                % {"where": _where(state, action, position), "type": task.type},
                **_keys(state, action),
            )
    for action in definition.actions:
        unknown = sorted(
            {
                leaf["type"]
                for tree in _condition_trees(action)
                for leaf in _leaves(tree)
                if leaf["type"] not in condition_types
            }
        )
        for kind in unknown:
            yield Problem(
                ERROR,
                _("The action “%(action)s” uses an unknown condition type “%(type)s”.")
                % {"action": action.name, "type": kind},
                action=action.key,
            )


def _unattended_tasks(definition: wf.Definition) -> Iterator[Problem]:
    from .tasks import task_types

    for state, action, position in _tasks(definition):
        if action is not None and action.trigger not in UNATTENDED:
            continue
        task = _task_at(state, action, position)
        task_type = task_types.get(task.type)
        if task_type is None:
            continue
        try:
            unattended = task_type.can_run_unattended(task.config)
        except (KeyError, TypeError, ValueError):
            continue  # a configuration parsed without checks: `parse` reports it on publishing
        if unattended:
            continue
        if state is not None:
            message = _(
                "Task %(n)s on arrival in “%(state)s” (%(task)s) asks the agent something, but "
                "arrival tasks run with no agent to ask."
            ) % {"n": position, "state": state.name, "task": task_type.verbose_name}
        else:
            message = _(
                "The action “%(action)s” is %(trigger)s, so no agent is there to answer its task "
                "%(n)s (%(task)s). Make the action manual, or change or remove the task."
            ) % {
                "action": action.name,
                "trigger": _trigger_words(action.trigger),
                "n": position,
                "task": task_type.verbose_name,
            }
        yield Problem(ERROR, message, **_keys(state, action))


def _task_references(definition: wf.Definition) -> Iterator[Problem]:
    """States and actions that tasks name: "choose the next state", "ask the citizen"."""
    known = {state.key for state in definition.states}
    for state, action, position in _tasks(definition):
        task = _task_at(state, action, position)
        where = _where(state, action, position)
        if task.type == "choose_state" and action is not None:
            for key in chosen_states(task):
                if key not in known:
                    yield Problem(
                        ERROR,
                        _("%(where)s chooses the state “%(state)s”, which does not exist.")
                        % {"where": where, "state": key},
                        **_keys(state, action),
                    )
        elif task.type == "choose_state":
            yield Problem(
                WARNING,
                _(
                    "%(where)s chooses a next state, but on arrival there is no action to direct: "
                    "it has no effect."
                )
                % {"where": where},
                **_keys(state, action),
            )
        if task.type != "ask_citizen":
            continue
        then = task.config.get("then_action") or ""
        if not then:
            continue
        then_action = definition.action(then)
        if then_action is None or then_action.trigger != wf.Trigger.CITIZEN:
            yield Problem(
                ERROR,
                _(
                    "%(where)s starts “%(then)s” when the citizen answers, but the workflow has no "
                    "citizen action with that key."
                )
                % {"where": where, "then": then},
                **_keys(state, action),
            )
            continue
        waiting = state.key if state is not None else action.target
        if waiting not in then_action.sources:
            yield Problem(
                WARNING,
                _(
                    "%(where)s starts “%(then)s” when the citizen answers, but that action does not "
                    "leave the state “%(state)s” where the resource waits for the answer."
                )
                % {"where": where, "then": then_action.name, "state": _name(definition, waiting)},
                **_keys(state, action),
            )


def _directory(definition: wf.Definition) -> Iterator[Problem]:
    """Roles (Django groups) and workgroups named by actions, conditions and tasks, that do not
    exist in this database (a definition imported from another city, a group renamed)."""
    from django.contrib.auth.models import Group

    from lutetia.accounts.models import Workgroup

    roles: list[tuple[str, wf.Action | None, wf.State | None]] = []
    codes: list[tuple[str, wf.Action | None, wf.State | None]] = []
    for action in definition.actions:
        roles.extend((role, action, None) for role in action.roles)
        codes.extend((code, action, None) for code in action.workgroups)
        for tree in _condition_trees(action):
            for leaf in _leaves(tree):
                if leaf["type"] == "agent_role" and isinstance(leaf.get("role"), str):
                    roles.append((leaf["role"], action, None))
    for state, action, position in _tasks(definition):
        task = _task_at(state, action, position)
        code = task.config.get("workgroup")
        if task.type in ("assign", "notify_agents") and isinstance(code, str) and code:
            codes.append((code, action, state))
    existing_roles = set(
        Group.objects.filter(name__in={role for role, *_rest in roles}).values_list(
            "name", flat=True
        )
    )
    existing_codes = set(
        Workgroup.objects.filter(code__in={code for code, *_rest in codes}).values_list(
            "code", flat=True
        )
    )
    for role, action, _state in roles:
        if role not in existing_roles:
            yield Problem(
                WARNING,
                _(
                    "The action “%(action)s” names the role “%(role)s”, which does not exist here: "
                    "nobody has it."
                )
                % {"action": action.name, "role": role},
                action=action.key,
            )
    for code, action, state in codes:
        if code not in existing_codes:
            owner = (
                _("The action “%(action)s”") % {"action": action.name}
                if action is not None
                else _("The state “%(state)s”") % {"state": state.name}
            )
            yield Problem(
                WARNING,
                _("%(owner)s names the workgroup “%(code)s”, which does not exist here.")
                % {"owner": owner, "code": code},
                **_keys(state, action),
            )


def agent_field_names(definition: wf.Definition) -> set[str]:
    """The workflow fields "ask the agent for fields" tasks declare (``data.<name>``)."""
    names = set()
    for state, action, position in _tasks(definition):
        task = _task_at(state, action, position)
        if task.type == "agent_fields" and isinstance(task.config.get("fields"), list):
            names.update(
                field["name"]
                for field in task.config["fields"]
                if isinstance(field, dict) and isinstance(field.get("name"), str)
            )
    return names


def _fields(definition: wf.Definition, resource_type_id: str | None) -> Iterator[Problem]:
    """Fields that conditions test and "change a field" tasks write.

    ``data.<name>`` is a workflow field: an "ask the agent for fields" task must declare it
    (checked whatever the resource type). Other names are the resource type's fields; the engine
    also reads a bare name from the workflow fields when the resource has no such field.
    """
    from lutetia.resources import resource_types

    declared = agent_field_names(definition)
    resource_type = resource_types.get(resource_type_id) if resource_type_id else None
    infos = resource_type.fields(None) if resource_type is not None else None
    fields = {info.name for info in infos} if infos is not None else None
    writable = {info.name for info in infos if info.writable} if infos is not None else None

    for action in definition.actions:
        names = []
        for tree in _condition_trees(action):
            for leaf in _leaves(tree):
                name = leaf.get("field")
                if leaf["type"] == "field" and isinstance(name, str) and name not in names:
                    names.append(name)
        for name in names:
            if name.startswith("data."):
                if name[5:] not in declared:
                    yield Problem(
                        WARNING,
                        _(
                            "A condition of the action “%(action)s” tests the workflow field "
                            "“%(field)s”, which no “ask the agent for fields” task asks for."
                        )
                        % {"action": action.name, "field": name},
                        action=action.key,
                    )
            elif fields is not None and name not in fields and name not in declared:
                yield Problem(
                    WARNING,
                    _(
                        "A condition of the action “%(action)s” tests the field “%(field)s”, which "
                        "the resources of this workflow do not have."
                    )
                    % {"action": action.name, "field": name},
                    action=action.key,
                )

    if writable is None:
        return
    for state, action, position in _tasks(definition):
        task = _task_at(state, action, position)
        name = task.config.get("field")
        if task.type != "set_field" or not isinstance(name, str) or name in writable:
            continue
        if name in fields:
            message = _(
                "%(where)s changes the field “%(field)s”, which a workflow may not change: the "
                "task would always fail."
            )
        else:
            message = _(
                "%(where)s changes the field “%(field)s”, which the resources of this workflow do "
                "not have: the task would always fail."
            )
        yield Problem(
            ERROR,
            message % {"where": _where(state, action, position), "field": name},
            **_keys(state, action),
        )
