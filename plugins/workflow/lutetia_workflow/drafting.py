"""Changes to a workflow's draft, one part at a time, as the designer's screens make them.

Pure functions over the draft's JSON: each returns a new draft and never changes the one it
got. `services.save_draft` then checks the whole result (`definition.parse`) before storing it,
so a change that would break the workflow (an action left pointing at a deleted state) is
refused with the parser's message and the stored draft stays as it was.
"""

from __future__ import annotations

import copy

from django.utils.translation import gettext as _

from .definition import DefinitionError

STATE, ACTION = "state", "action"


def _copy(draft: dict) -> dict:
    draft = copy.deepcopy(draft or {})
    draft.setdefault("format", 1)
    draft.setdefault("states", [])
    draft.setdefault("actions", [])
    return draft


def _find(items: list[dict], key: str) -> int:
    for index, item in enumerate(items):
        if item.get("key") == key:
            return index
    raise DefinitionError(_("“%(key)s” does not exist in this workflow.") % {"key": key})


def put_state(draft: dict, state: dict, old_key: str | None = None) -> dict:
    """Add ``state`` (``old_key`` None) or replace the state ``old_key``; renaming its key
    renames it in every action. A new initial state takes the mark from the previous one."""
    draft = _copy(draft)
    states = draft["states"]
    existing = {} if old_key is None else states[_find(states, old_key)]
    merged = {**existing, **state}
    merged.setdefault("on_arrival", [])
    if not states:
        merged["initial"] = True
    if merged.get("initial"):
        for other in states:
            other["initial"] = False
    if old_key is None:
        states.append(merged)
    else:
        states[_find(states, old_key)] = merged
        if old_key != merged["key"]:
            for action in draft["actions"]:
                action["sources"] = [
                    merged["key"] if s == old_key else s for s in action["sources"]
                ]
                for name in ("target", "alternative_target"):
                    if action.get(name) == old_key:
                        action[name] = merged["key"]
    return draft


def delete_state(draft: dict, key: str) -> dict:
    """Remove a state no action uses (refused otherwise, naming the actions)."""
    draft = _copy(draft)
    users = [
        a["name"]
        for a in draft["actions"]
        if key in a.get("sources", []) or key in (a.get("target"), a.get("alternative_target"))
    ]
    if users:
        raise DefinitionError(
            _("The state is used by these actions: %(actions)s. Change or delete them first.")
            % {"actions": ", ".join(users)}
        )
    del draft["states"][_find(draft["states"], key)]
    return draft


def put_action(draft: dict, action: dict, old_key: str | None = None) -> dict:
    """Add or replace an action (its tasks are kept when replaced)."""
    draft = _copy(draft)
    actions = draft["actions"]
    if old_key is None:
        actions.append({"tasks": [], **action})
    else:
        index = _find(actions, old_key)
        actions[index] = {**actions[index], **action}
    return draft


def delete_action(draft: dict, key: str) -> dict:
    draft = _copy(draft)
    del draft["actions"][_find(draft["actions"], key)]
    return draft


def _tasks(draft: dict, owner: str, key: str) -> list[dict]:
    if owner == STATE:
        return draft["states"][_find(draft["states"], key)].setdefault("on_arrival", [])
    if owner == ACTION:
        return draft["actions"][_find(draft["actions"], key)].setdefault("tasks", [])
    raise DefinitionError(_("Tasks belong to a state or an action."))


def put_task(draft: dict, owner: str, key: str, task: dict, index: int | None = None) -> dict:
    """Append a task to a state's arrival tasks or an action's tasks, or replace task ``index``."""
    draft = _copy(draft)
    tasks = _tasks(draft, owner, key)
    if index is None:
        tasks.append(task)
    else:
        _check_index(tasks, index)
        tasks[index] = task
    return draft


def delete_task(draft: dict, owner: str, key: str, index: int) -> dict:
    draft = _copy(draft)
    tasks = _tasks(draft, owner, key)
    _check_index(tasks, index)
    del tasks[index]
    return draft


def move_task(draft: dict, owner: str, key: str, index: int, offset: int) -> dict:
    """Move a task up (offset -1) or down (+1); tasks run in their order."""
    draft = _copy(draft)
    tasks = _tasks(draft, owner, key)
    _check_index(tasks, index)
    other = index + offset
    if 0 <= other < len(tasks):
        tasks[index], tasks[other] = tasks[other], tasks[index]
    return draft


def _check_index(tasks: list, index: int) -> None:
    if not 0 <= index < len(tasks):
        raise DefinitionError(_("There is no such task."))
