"""Filling a form: which steps a citizen goes through, which questions show, and checking a step.

Everything here works on a parsed `Definition` and a dict of answers; nothing reads a request or
writes to the database (services.py does, views.py parses the request). The rules:

- a question shows when its condition holds over the answers *before it* (earlier steps, and
  earlier questions of its step as just posted), and it is not back-office only;
- a hidden question has no answer: its stored answer is dropped when it is hidden;
- the path of a response is its first step, then each step's first transition whose condition
  holds, else the next step in the list, until the summary;
- a step is checked by the server alone: a question that shows is validated, one that does not
  is ignored whatever was posted, so a crafted POST can neither skip a mandatory answer nor
  inject one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _

from .conditions import holds, is_empty
from .definition import Definition, Question, Step
from .questions import FillContext, question_types, type_of
from .questions.builtin import Computed, RepeatableGroup

SUMMARY = "summary"


def is_shown(question: Question, answers: dict[str, Any], *, agent: bool = False) -> bool:
    if question.backoffice_only and not agent:
        return False
    return holds(question.when, answers)


def next_step(definition: Definition, step: Step, answers: dict[str, Any]) -> str:
    """The key of the step after ``step``, or `SUMMARY`."""
    for transition in step.transitions:
        if holds(transition.when, answers):
            return transition.to if definition.step(transition.to) else SUMMARY
    index = definition.index(step.key)
    return definition.steps[index + 1].key if index + 1 < len(definition.steps) else SUMMARY


def path(definition: Definition, answers: dict[str, Any]) -> list[str]:
    """The keys of the steps the answers lead through, in order (a loop stops at its repeat)."""
    keys: list[str] = []
    step = definition.steps[0]
    while step.key not in keys:
        keys.append(step.key)
        following = next_step(definition, step, answers)
        if following == SUMMARY:
            break
        step = definition.step(following)
    return keys


def previous_step(definition: Definition, key: str, answers: dict[str, Any]) -> str | None:
    keys = path(definition, answers)
    if key == SUMMARY:
        return keys[-1]
    index = keys.index(key) if key in keys else 0
    return keys[index - 1] if index > 0 else None


def shown_questions(step: Step, answers: dict[str, Any], *, agent: bool = False) -> list[Question]:
    """The step's questions that show, given the answers (inputs and display-only ones)."""
    return [question for question in step.questions if is_shown(question, answers, agent=agent)]


def kept_answers(definition: Definition, answers: dict[str, Any], agent: bool = False) -> dict:
    """The answers of the questions that show along the path; the others are dropped."""
    kept: dict[str, Any] = {}
    for key in path(definition, answers):
        for question in definition.step(key).questions:
            if question.key in answers and is_shown(question, kept, agent=agent):
                kept[question.key] = answers[question.key]
    # Back-office answers are the agents': a citizen's step never drops them.
    for question in definition.questions:
        if question.backoffice_only and question.key in answers:
            kept[question.key] = answers[question.key]
    return kept


# --- one step -------------------------------------------------------------------------------


@dataclass
class StepOutcome:
    """What checking a posted step gives: the form to show again, or the new answers."""

    form: forms.Form
    answers: dict[str, Any]
    valid: bool
    #: questions that appeared because of the answers just posted (shown again, no error)
    revealed: list[str] = field(default_factory=list)
    #: repetitions of each group, as drawn
    counts: dict[str, int] = field(default_factory=dict)


class StepForm(forms.Form):
    """A step's Django form; the questions it draws, in order, are in ``questions``."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)

    def quiet(self) -> None:
        """Draw the posted values without their errors (a live redraw, not a check)."""
        self._errors = ErrorDict()


def build_form(
    step: Step,
    answers: dict[str, Any],
    context: FillContext,
    *,
    data=None,
    files=None,
    counts: dict[str, int] | None = None,
    shown: list[Question] | None = None,
) -> StepForm:
    """The step's form for the questions that show (bound when ``data`` is given)."""
    shown = shown_questions(step, answers, agent=context.agent) if shown is None else shown
    form = StepForm(data=data, files=files, questions=shown)
    counts = counts or {}
    for question in shown:
        kind = type_of(question)
        if isinstance(kind, RepeatableGroup):
            built = kind.fields(
                question, context, answers.get(question.key), counts.get(question.key)
            )
        else:
            built = kind.fields(question, context, answers.get(question.key))
        form.fields.update(built)
    return form


def posted_counts(step: Step, data, answers: dict[str, Any], action: str = "") -> dict[str, int]:
    """How many repetitions of each group the page showed, then added or removed."""
    counts = {}
    for question in step.questions:
        if question.type != "group":
            continue
        kind: RepeatableGroup = question_types["group"]
        try:
            count = int(data.get(f"{question.key}__count", ""))
        except (TypeError, ValueError):
            count = kind.count(question, answers.get(question.key))
        if action == f"add:{question.key}":
            count += 1
        elif action.startswith(f"remove:{question.key}:"):
            count -= 1
        counts[question.key] = kind.count(question, None, count)
    return counts


def _remove_item(step: Step, data, action: str):
    """Removing repetition i of a group: shift the posted values of the later ones up."""
    if not action.startswith("remove:"):
        return data
    try:
        _verb, key, index = action.split(":")
        index = int(index)
    except ValueError:
        return data
    question = step and next((q for q in step.questions if q.key == key), None)
    if question is None:
        return data
    data = data.copy()
    prefix = f"{key}__"
    moved = {}
    for name in list(data.keys()):
        if not name.startswith(prefix) or name == f"{key}__count":
            continue
        try:
            position, rest = name[len(prefix) :].split("__", 1)
            position = int(position)
        except ValueError:
            continue
        values = data.getlist(name)
        del data[name]
        if position < index:
            moved[name] = values
        elif position > index:
            moved[f"{prefix}{position - 1}__{rest}"] = values
    for name, values in moved.items():
        data.setlist(name, values)
    return data


def provisional(step: Step, answers: dict[str, Any], data, context: FillContext) -> dict[str, Any]:
    """The step's answers as posted, for conditions inside the step: each question that shows
    given the earlier ones, its value when it is well-formed (errors are for `check_step`)."""
    merged = dict(answers)
    for question in step.questions:
        merged.pop(question.key, None)
    quiet = FillContext(
        site=context.site, user=context.user, response=context.response, agent=context.agent
    )
    for question in step.questions:
        if not is_shown(question, merged, agent=context.agent):
            continue
        kind = type_of(question)
        if not kind.input or question.type in ("file", "group"):
            if question.key in answers:
                merged[question.key] = answers[question.key]
            continue
        form = StepForm(data=data, questions=[question])
        form.fields.update(kind.fields(question, quiet, answers.get(question.key)))
        for built in form.fields.values():
            built.required = False
        form.is_valid()
        try:
            value = kind.value(question, form.cleaned_data, quiet)
        except (ValidationError, TypeError, ValueError, KeyError):
            continue
        if not is_empty(value):
            merged[question.key] = value
    return merged


def check_step(
    definition: Definition,
    step: Step,
    answers: dict[str, Any],
    context: FillContext,
    *,
    data,
    files=None,
    action: str = "next",
    shown_before: list[str] | None = None,
    lenient: bool = False,
) -> StepOutcome:
    """Check the posted ``data`` of ``step``.

    ``lenient`` (saving a draft, going back, adding a repetition): keep what is well-formed,
    report nothing. Otherwise the answers change only when the whole step is valid.
    """
    data = _remove_item(step, data, action)
    counts = posted_counts(step, data, answers, action)
    merged = provisional(step, answers, data, context)
    shown = shown_questions(step, merged, agent=context.agent)
    form = build_form(step, answers, context, data=data, files=files, counts=counts, shown=shown)
    if lenient:
        for field_ in form.fields.values():
            field_.required = False
    form.is_valid()
    new_answers = {
        key: value for key, value in answers.items() if definition.step_of(key) is not step
    }
    for question in shown:
        kind = type_of(question)
        if not kind.input:
            continue
        if isinstance(kind, Computed):
            continue
        if lenient and question.type == "file":
            # Files are only kept through a valid step: a draft keeps the ones already sent.
            if question.key in answers:
                new_answers[question.key] = answers[question.key]
            continue
        try:
            if isinstance(kind, RepeatableGroup):
                value = kind.value(question, form.cleaned_data, context, counts.get(question.key))
            else:
                value = kind.value(question, form.cleaned_data, context)
            if not lenient and not is_empty(value):
                _check_unique(question, value, context)
        except ValidationError as error:
            if not lenient:
                _add_error(form, question, error)
            continue
        if question.required and not lenient and is_empty(value) and kind.shown:
            if not form.errors.get(_first_field(form, question)):
                _add_error(
                    form,
                    question,
                    ValidationError(question.error_message or _("This field is required.")),
                )
            continue
        if not is_empty(value):
            new_answers[question.key] = value
    for question in shown:
        if isinstance(type_of(question), Computed):
            result = question_types["computed"].compute(question, new_answers)
            if result is not None:
                new_answers[question.key] = result
    revealed = []
    if shown_before is not None and not lenient:
        revealed = [
            q.key
            for q in shown
            if q.key not in shown_before and type_of(q).input and type_of(q).shown
        ]
        for key in revealed:
            for name in list(form.errors):
                if name == key or name.startswith(f"{key}__"):
                    del form.errors[name]
    valid = lenient or (not form.errors and not revealed)
    if not valid:
        return StepOutcome(
            form=form, answers=answers, valid=False, revealed=revealed, counts=counts
        )
    return StepOutcome(
        form=form,
        answers=kept_answers(definition, new_answers, agent=context.agent),
        valid=True,
        counts=counts,
    )


def _first_field(form: forms.Form, question: Question) -> str:
    return next(
        (
            name
            for name in form.fields
            if name == question.key or name.startswith(f"{question.key}__")
        ),
        question.key,
    )


def _add_error(form: forms.Form, question: Question, error: ValidationError) -> None:
    name = _first_field(form, question)
    if name not in form.fields:
        form.add_error(None, error)
        return
    if name in form.errors:
        return  # the field's own error says it already
    form.add_error(name, error)


def _check_unique(question: Question, value: Any, context: FillContext) -> None:
    if question.unique and context.is_taken is not None and context.is_taken(question, value):
        raise ValidationError(
            question.error_message or _("This answer was already given in another response."),
            code="unique",
        )


# --- the whole response -------------------------------------------------------------------------


def missing(definition: Definition, answers: dict[str, Any]) -> list[tuple[Step, Question]]:
    """The mandatory questions that show along the path and have no answer: what stops a
    submission (a step skipped by a crafted address, an answer dropped by a crafted POST)."""
    gaps = []
    for key in path(definition, answers):
        step = definition.step(key)
        for question in step.questions:
            kind = question_types.get(question.type)
            if kind is None or not kind.input or not kind.shown or not question.required:
                continue
            if is_shown(question, answers) and is_empty(answers.get(question.key)):
                gaps.append((step, question))
    return gaps


@dataclass(frozen=True)
class SummaryLine:
    question: Question
    label: str
    value: str


@dataclass(frozen=True)
class SummaryStep:
    step: Step
    lines: tuple[SummaryLine, ...]


def summary(
    definition: Definition, answers: dict[str, Any], *, agent: bool = False
) -> list[SummaryStep]:
    """The answers along the path, step by step, as text (the summary page, the receipt)."""
    steps = []
    for key in path(definition, answers):
        step = definition.step(key)
        lines = []
        for question in step.questions:
            kind = question_types.get(question.type)
            if kind is None or not kind.input or not is_shown(question, answers, agent=agent):
                continue
            if not kind.shown and not isinstance(kind, Computed):
                continue
            lines.append(
                SummaryLine(
                    question, question.label, kind.display(question, answers.get(question.key))
                )
            )
        steps.append(SummaryStep(step, tuple(lines)))
    return steps
