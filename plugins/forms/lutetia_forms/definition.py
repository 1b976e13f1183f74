"""A form's definition: its steps, questions, transitions and conditions, as plain data.

A published version of a form stores its definition as one JSON document
(`FormVersion.definition`), read as the frozen dataclasses below. One document, like a workflow's:
a published version never changes, and the same document is what responses and drafts keep, what
an export carries to another city, what the preview and the validation report read. Parsing
refuses anything malformed with a message naming the part at fault; what is well-formed but
doubtful (a condition on a later question, an unreachable step) is the validation report's job
(`validation.py`).

The format (``"format": 1``)::

    {"format": 1,
     "steps": [{"key": "child", "title": "Your child",
                "questions": [{"key": "first_name", "type": "text", "label": "First name",
                               "help": "", "required": true, "config": {"max_length": 80},
                               "when": null, "backoffice_only": false, "anonymise": true,
                               "error_message": "", "pattern": "", "unique": false,
                               "column": true, "filter": false}],
                "transitions": [{"to": "school", "when": {"question": "age", "op": "ge",
                                                          "value": 3}}]}]}

Answers are stored flat, by question key: keys are unique across the whole form (a repeatable
group's own questions are unique within the group). After a step, the first transition whose
condition holds names the next step; without one, the next step in the list; after the last step
comes the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _

FORMAT = 1
KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")

#: What a leaf condition may test (see conditions.py for their meaning).
OPERATORS = ("eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "filled", "empty", "contains")
#: Operators that take no value.
UNARY = ("filled", "empty")


class DefinitionError(ValueError):
    """The definition is malformed; ``str()`` says where and why, in the active language."""


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    config: dict[str, Any] = field(default_factory=dict)
    when: dict[str, Any] | None = None
    #: only agents see it (filled in the back office, never shown to the citizen)
    backoffice_only: bool = False
    #: erased when the response is anonymised (retention, workflow task)
    anonymise: bool = True
    error_message: str = ""
    #: a named pattern of the library (validators.PATTERNS) or "re:<regular expression>"
    pattern: str = ""
    #: no two submitted responses of the form may give the same answer
    unique: bool = False
    #: a column of the back-office list, and a filter there
    column: bool = False
    filter: bool = False
    #: a repeatable group's own questions
    children: tuple[Question, ...] = ()

    def child(self, key: str) -> Question | None:
        return next((child for child in self.children if child.key == key), None)


@dataclass(frozen=True)
class Transition:
    to: str
    when: dict[str, Any] | None = None


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    questions: tuple[Question, ...] = ()
    transitions: tuple[Transition, ...] = ()


@dataclass(frozen=True)
class Definition:
    steps: tuple[Step, ...]

    def step(self, key: str) -> Step | None:
        return next((step for step in self.steps if step.key == key), None)

    def index(self, key: str) -> int:
        """The step's position; -1 when there is no such step."""
        return next((i for i, step in enumerate(self.steps) if step.key == key), -1)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every top-level question, in order (a group counts once)."""
        return tuple(question for step in self.steps for question in step.questions)

    @cached_property
    def _by_key(self) -> dict[str, Question]:
        return {question.key: question for question in self.questions}

    @cached_property
    def _step_by_question(self) -> dict[str, Step]:
        return {question.key: step for step in self.steps for question in step.questions}

    def question(self, key: str) -> Question | None:
        return self._by_key.get(key)

    def step_of(self, key: str) -> Step | None:
        return self._step_by_question.get(key)


def empty() -> dict[str, Any]:
    """The definition of a new form: one empty step."""
    return {"format": FORMAT, "steps": [{"key": "step_1", "title": "", "questions": []}]}


# --- parsing --------------------------------------------------------------------------------


def _fail(where: str, message: str) -> DefinitionError:
    return DefinitionError(f"{where}: {message}")


def _text(data: dict, name: str, where: str, *, required: bool = False, max_length=2000) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _fail(where, _("“%(name)s” must be a text.") % {"name": name})
    if required and not value.strip():
        raise _fail(where, _("“%(name)s” is required.") % {"name": name})
    if len(value) > max_length:
        raise _fail(
            where,
            _("“%(name)s” is longer than %(max)s characters.") % {"name": name, "max": max_length},
        )
    return value


def _flag(data: dict, name: str, where: str, default: bool = False) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise _fail(where, _("“%(name)s” must be true or false.") % {"name": name})
    return value


def _key(data: dict, where: str) -> str:
    key = data.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        raise _fail(
            where,
            _(
                "the key %(key)r must start with a lower-case letter and use only lower-case "
                "letters, digits and “_” (50 at most)."
            )
            % {"key": key},
        )
    return key


def parse_condition(data: Any, where: str) -> dict[str, Any] | None:
    """Check a condition's shape (not what it refers to: that is the validation report's)."""
    if data in (None, {}):
        return None
    if not isinstance(data, dict):
        raise _fail(where, _("a condition must be an object."))
    for group in ("all", "any"):
        if group in data:
            parts = data[group]
            if not isinstance(parts, list) or not parts:
                raise _fail(where, _("“%(name)s” must be a non-empty list.") % {"name": group})
            return {
                group: [
                    parse_condition(part, f"{where} › {group}[{i}]") for i, part in enumerate(parts)
                ]
            }
    if "not" in data:
        inner = parse_condition(data["not"], f"{where} › not")
        if inner is None:
            raise _fail(where, _("“not” needs a condition."))
        return {"not": inner}
    question = data.get("question")
    if not isinstance(question, str) or not question:
        raise _fail(where, _("a condition names the question it tests."))
    op = data.get("op", "eq")
    if op not in OPERATORS:
        raise _fail(
            where,
            _("unknown operator %(op)r (known: %(known)s).")
            % {"op": op, "known": ", ".join(OPERATORS)},
        )
    leaf: dict[str, Any] = {"question": question, "op": op}
    if op not in UNARY:
        if "value" not in data:
            raise _fail(where, _("the operator %(op)r needs a value.") % {"op": op})
        value = data["value"]
        if op in ("in", "not_in") and not isinstance(value, list):
            raise _fail(where, _("the operator %(op)r needs a list of values.") % {"op": op})
        leaf["value"] = value
    return leaf


def _question(data: Any, where: str, *, nested: bool = False) -> Question:
    if not isinstance(data, dict):
        raise _fail(where, _("a question must be an object."))
    key = _key(data, where)
    where = f"{where} “{key}”"
    kind = data.get("type")
    if not isinstance(kind, str) or not kind:
        raise _fail(where, _("a question needs a type."))
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise _fail(where, _("“%(name)s” must be an object.") % {"name": "config"})
    children: tuple[Question, ...] = ()
    if "questions" in config:
        if nested:
            raise _fail(where, _("a repeatable group cannot hold another group."))
        raw = config["questions"]
        if not isinstance(raw, list):
            raise _fail(where, _("“%(name)s” must be a list.") % {"name": "questions"})
        children = tuple(
            _question(child, f"{where} › {i + 1}", nested=True) for i, child in enumerate(raw)
        )
        _unique([child.key for child in children], where)
        config = {name: value for name, value in config.items() if name != "questions"}
    return Question(
        key=key,
        type=kind,
        label=_text(data, "label", where, max_length=500),
        help=_text(data, "help", where),
        required=_flag(data, "required", where),
        config=config,
        when=parse_condition(data.get("when"), f"{where} › when"),
        backoffice_only=_flag(data, "backoffice_only", where),
        anonymise=_flag(data, "anonymise", where, default=True),
        error_message=_text(data, "error_message", where, max_length=300),
        pattern=_text(data, "pattern", where, max_length=500),
        unique=_flag(data, "unique", where),
        column=_flag(data, "column", where),
        filter=_flag(data, "filter", where),
        children=children,
    )


def _unique(keys: list[str], where: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise _fail(where, _("the key “%(key)s” is used twice.") % {"key": key})
        seen.add(key)


def parse(data: Any) -> Definition:
    """The definition in ``data``; `DefinitionError` naming the first fault."""
    where = _("definition")
    if not isinstance(data, dict):
        raise _fail(where, _("it must be an object."))
    if data.get("format", FORMAT) != FORMAT:
        raise _fail(
            where,
            _("unknown format %(format)r (this version reads %(known)s).")
            % {"format": data.get("format"), "known": FORMAT},
        )
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise _fail(where, _("a form has at least one step."))
    steps = []
    for number, raw in enumerate(raw_steps, start=1):
        step_where = _("step %(number)s") % {"number": number}
        if not isinstance(raw, dict):
            raise _fail(step_where, _("a step must be an object."))
        key = _key(raw, step_where)
        raw_questions = raw.get("questions") or []
        if not isinstance(raw_questions, list):
            raise _fail(step_where, _("“%(name)s” must be a list.") % {"name": "questions"})
        questions = tuple(
            _question(question, f"{step_where} › {i + 1}")
            for i, question in enumerate(raw_questions)
        )
        raw_transitions = raw.get("transitions") or []
        if not isinstance(raw_transitions, list):
            raise _fail(step_where, _("“%(name)s” must be a list.") % {"name": "transitions"})
        transitions = []
        for i, transition in enumerate(raw_transitions, start=1):
            t_where = f"{step_where} › {_('transition')} {i}"
            if not isinstance(transition, dict) or not isinstance(transition.get("to"), str):
                raise _fail(t_where, _("a transition names the step it goes to."))
            transitions.append(
                Transition(
                    to=transition["to"],
                    when=parse_condition(transition.get("when"), f"{t_where} › when"),
                )
            )
        steps.append(
            Step(
                key=key,
                title=_text(raw, "title", step_where, max_length=200),
                questions=questions,
                transitions=tuple(transitions),
            )
        )
    _unique([step.key for step in steps], where)
    _unique([question.key for step in steps for question in step.questions], where)
    return Definition(steps=tuple(steps))
