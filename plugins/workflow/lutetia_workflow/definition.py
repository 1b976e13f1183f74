"""A workflow's definition: states, actions, tasks and conditions, as plain data.

A version of a workflow stores its definition as one JSON document (`WorkflowVersion.definition`)
and the engine reads it as the frozen dataclasses below. One document rather than a table per
part, because a published version never changes: the whole of it is what resources started on,
what an export carries to another city, what the diagram, the validation report and the test run
read. Parsing refuses anything malformed with a message naming the part at fault, so neither the
back office nor an import can store a definition the engine would stumble on.

The format (``"format": 1``)::

    {"format": 1,
     "states": [{"key": "received", "name": "Received", "public_label": "Received",
                 "colour": "#000091", "initial": true, "final": false,
                 "on_arrival": [{"type": "notify_citizen", "config": {...}}]}],
     "actions": [{"key": "accept", "name": "Accept", "sources": ["received"],
                  "target": "accepted", "alternative_target": "", "trigger": "manual",
                  "delay_minutes": 0, "mass": false, "roles": [], "workgroups": [],
                  "public": true, "on_failure": "rollback",
                  "conditions": {"all": [{"type": "field", "field": "x", "op": "eq", "value": "1"}]},
                  "tasks": [{"type": "comment", "config": {"visible_to_citizen": true}}]}]}
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

FORMAT = 1
KEY = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class Trigger:
    """How an action starts."""

    MANUAL = "manual"  # an agent clicks its button
    AUTOMATIC = "automatic"  # as soon as its conditions hold (on arrival in a source state)
    TIMED = "timed"  # after delay_minutes in a source state (the scheduler's sweep)
    CITIZEN = "citizen"  # the citizen clicks it in the front office
    API = "api"  # a call to the API

    ALL = (MANUAL, AUTOMATIC, TIMED, CITIZEN, API)


class OnFailure:
    """What a failing task does to its action."""

    ROLLBACK = "rollback"  # nothing of the action stays; the failure is in the history
    ALTERNATIVE = (
        "alternative"  # the tasks' work is undone and the resource goes to the alternative target
    )

    ALL = (ROLLBACK, ALTERNATIVE)


class DefinitionError(ValueError):
    """The definition is malformed; ``str()`` says where and why, in the active language."""


@dataclass(frozen=True)
class TaskSpec:
    type: str
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class State:
    key: str
    name: str
    public_label: str = ""
    colour: str = "#6a6a6a"
    initial: bool = False
    final: bool = False
    on_arrival: tuple[TaskSpec, ...] = ()

    @property
    def label_for_citizen(self) -> str:
        return self.public_label or self.name


@dataclass(frozen=True)
class Action:
    key: str
    name: str
    sources: tuple[str, ...]
    target: str
    alternative_target: str = ""
    trigger: str = Trigger.MANUAL
    delay_minutes: int = 0
    mass: bool = False
    roles: tuple[str, ...] = ()
    workgroups: tuple[str, ...] = ()
    public: bool = True
    on_failure: str = OnFailure.ROLLBACK
    conditions: dict[str, Any] | None = None
    tasks: tuple[TaskSpec, ...] = ()

    @property
    def is_timed(self) -> bool:
        return self.trigger == Trigger.TIMED


@dataclass(frozen=True)
class Definition:
    states: tuple[State, ...]
    actions: tuple[Action, ...]

    @property
    def initial(self) -> State:
        return next(state for state in self.states if state.initial)

    def state(self, key: str) -> State | None:
        return next((state for state in self.states if state.key == key), None)

    def action(self, key: str) -> Action | None:
        return next((action for action in self.actions if action.key == key), None)

    def actions_from(self, state_key: str, trigger: str | None = None) -> list[Action]:
        return [
            action
            for action in self.actions
            if state_key in action.sources and (trigger is None or action.trigger == trigger)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "states": [_state_json(state) for state in self.states],
            "actions": [_action_json(action) for action in self.actions],
        }


def _tasks_json(tasks) -> list[dict]:
    return [{"type": task.type, "config": dict(task.config)} for task in tasks]


def _state_json(state: State) -> dict:
    data = asdict(state)
    data["on_arrival"] = _tasks_json(state.on_arrival)
    return data


def _action_json(action: Action) -> dict:
    data = asdict(action)
    for name in ("sources", "roles", "workgroups"):
        data[name] = list(data[name])
    data["tasks"] = _tasks_json(action.tasks)
    return data


EMPTY = {"format": FORMAT, "states": [], "actions": []}


def empty() -> dict:
    """A new workflow's draft: no state, no action (a callable default for the model field)."""
    return {"format": FORMAT, "states": [], "actions": []}


# --- parsing -------------------------------------------------------------------------------


def parse(data: Any, *, check_types: bool = True) -> Definition:
    """The `Definition` in ``data`` (decoded JSON); `DefinitionError` when malformed.

    ``check_types`` also checks that every task and condition type is registered and that its
    configuration is valid (through its configuration form).
    """
    if not isinstance(data, dict):
        raise DefinitionError(_("A workflow definition is a JSON object."))
    if data.get("format", FORMAT) != FORMAT:
        raise DefinitionError(
            _("Unknown definition format %(format)r (this version reads format %(expected)s).")
            % {"format": data.get("format"), "expected": FORMAT}
        )
    states = tuple(_parse_state(raw, i, check_types) for i, raw in enumerate(_list(data, "states")))
    actions = tuple(
        _parse_action(raw, i, check_types) for i, raw in enumerate(_list(data, "actions"))
    )
    _unique([s.key for s in states], _("state"))
    _unique([a.key for a in actions], _("action"))
    if states and sum(state.initial for state in states) != 1:
        raise DefinitionError(_("A workflow has exactly one initial state."))
    keys = {state.key for state in states}
    for action in actions:
        where = _("Action “%(key)s”") % {"key": action.key}
        for source in action.sources:
            if source not in keys:
                raise DefinitionError(
                    _("%(where)s: its source state “%(state)s” does not exist.")
                    % {"where": where, "state": source}
                )
        for target in filter(None, (action.target, action.alternative_target)):
            if target not in keys:
                raise DefinitionError(
                    _("%(where)s: its target state “%(state)s” does not exist.")
                    % {"where": where, "state": target}
                )
    return Definition(states=states, actions=actions)


def _list(data: dict, name: str) -> list:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise DefinitionError(_("“%(name)s” must be a list.") % {"name": name})
    return value


def _unique(keys: list[str], kind: str) -> None:
    seen = set()
    for key in keys:
        if key in seen:
            raise DefinitionError(
                _("Two %(kind)ss have the key “%(key)s”.") % {"kind": kind, "key": key}
            )
        seen.add(key)


def _key(raw: dict, where: str) -> str:
    key = raw.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        raise DefinitionError(
            _(
                "%(where)s: the key %(key)r must be 1 to 50 lower-case letters, digits, '-' or "
                "'_', starting with a letter."
            )
            % {"where": where, "key": key}
        )
    return key


def _text(raw: dict, name: str, where: str, *, required: bool = False, max_length=200) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str) or len(value) > max_length or (required and not value.strip()):
        raise DefinitionError(
            _("%(where)s: “%(name)s” must be a text of 1 to %(max)s characters.")
            % {"where": where, "name": name, "max": max_length}
        )
    return value.strip()


def _strings(raw: dict, name: str, where: str) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DefinitionError(
            _("%(where)s: “%(name)s” must be a list of texts.") % {"where": where, "name": name}
        )
    return tuple(value)


def _parse_tasks(raw_tasks: Any, where: str, check_types: bool) -> tuple[TaskSpec, ...]:
    if not isinstance(raw_tasks, list):
        raise DefinitionError(_("%(where)s: its tasks must be a list.") % {"where": where})
    tasks = []
    for position, raw in enumerate(raw_tasks, 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            raise DefinitionError(
                _("%(where)s, task %(n)s: a task has a type.") % {"where": where, "n": position}
            )
        config = raw.get("config", {})
        if not isinstance(config, dict):
            raise DefinitionError(
                _("%(where)s, task %(n)s: its configuration must be an object.")
                % {"where": where, "n": position}
            )
        if check_types:
            from .tasks import clean_task_config

            config = clean_task_config(raw["type"], config, f"{where}, task {position}")
        tasks.append(TaskSpec(type=raw["type"], config=config))
    return tuple(tasks)


def _parse_state(raw: Any, index: int, check_types: bool) -> State:
    if not isinstance(raw, dict):
        raise DefinitionError(_("State %(n)s must be an object.") % {"n": index + 1})
    key = _key(raw, _("State %(n)s") % {"n": index + 1})
    where = _("State “%(key)s”") % {"key": key}
    colour = raw.get("colour", "#6a6a6a")
    if not isinstance(colour, str) or not COLOUR.match(colour):
        raise DefinitionError(
            _("%(where)s: the colour must be written #rrggbb.") % {"where": where}
        )
    return State(
        key=key,
        name=_text(raw, "name", where, required=True),
        public_label=_text(raw, "public_label", where),
        colour=colour.lower(),
        initial=bool(raw.get("initial", False)),
        final=bool(raw.get("final", False)),
        on_arrival=_parse_tasks(raw.get("on_arrival", []), where, check_types),
    )


def _parse_action(raw: Any, index: int, check_types: bool) -> Action:
    if not isinstance(raw, dict):
        raise DefinitionError(_("Action %(n)s must be an object.") % {"n": index + 1})
    key = _key(raw, _("Action %(n)s") % {"n": index + 1})
    where = _("Action “%(key)s”") % {"key": key}
    trigger = raw.get("trigger", Trigger.MANUAL)
    if trigger not in Trigger.ALL:
        raise DefinitionError(
            _("%(where)s: unknown trigger %(trigger)r.") % {"where": where, "trigger": trigger}
        )
    on_failure = raw.get("on_failure", OnFailure.ROLLBACK)
    if on_failure not in OnFailure.ALL:
        raise DefinitionError(
            _("%(where)s: unknown failure mode %(mode)r.") % {"where": where, "mode": on_failure}
        )
    delay = raw.get("delay_minutes", 0)
    if not isinstance(delay, int) or isinstance(delay, bool) or delay < 0:
        raise DefinitionError(
            _("%(where)s: the delay is a whole number of minutes.") % {"where": where}
        )
    if trigger == Trigger.TIMED and delay < 1:
        raise DefinitionError(
            _("%(where)s: a timed action needs a delay of at least one minute.") % {"where": where}
        )
    sources = _strings(raw, "sources", where)
    if not sources:
        raise DefinitionError(
            _("%(where)s: it needs at least one source state.") % {"where": where}
        )
    mass = bool(raw.get("mass", False))
    if mass and trigger != Trigger.MANUAL:
        raise DefinitionError(
            _("%(where)s: only a manual action can be a mass action.") % {"where": where}
        )
    alternative = raw.get("alternative_target", "") or ""
    if on_failure == OnFailure.ALTERNATIVE and not alternative:
        raise DefinitionError(
            _("%(where)s: following the alternative path needs an alternative target.")
            % {"where": where}
        )
    conditions = raw.get("conditions") or None
    if conditions is not None:
        from .conditions import clean_conditions

        conditions = clean_conditions(conditions, where, check_types=check_types)
    return Action(
        key=key,
        name=_text(raw, "name", where, required=True),
        sources=sources,
        target=_text(raw, "target", where, required=True, max_length=50),
        alternative_target=alternative,
        trigger=trigger,
        delay_minutes=delay,
        mass=mass,
        roles=_strings(raw, "roles", where),
        workgroups=_strings(raw, "workgroups", where),
        public=bool(raw.get("public", True)),
        on_failure=on_failure,
        conditions=conditions,
        tasks=_parse_tasks(raw.get("tasks", []), where, check_types),
    )
