"""The form validation report: what is well-formed but wrong (or doubtful) in a definition.

Errors stop publishing: an unknown question type, a condition on a question that does not exist
or comes later, a transition to a step that does not exist or goes backwards, a question type's
own configuration problems. Warnings do not: a step no path reaches, an empty step, a condition
testing a value none of the question's choices has.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .conditions import referenced
from .definition import Definition, Question, Step
from .questions import question_types
from .questions.builtin import choices_of, formula_names

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    level: str
    where: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


def errors(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.is_error]


def _where(step: Step, question: Question | None = None) -> str:
    title = step.title or step.key
    if question is None:
        return _("step “%(step)s”") % {"step": title}
    return _("step “%(step)s”, question “%(question)s”") % {
        "step": title,
        "question": question.label or question.key,
    }


def _condition_problems(
    condition, before: dict[str, Question], every: dict[str, Question], where: str
) -> list[Problem]:
    problems = []
    for key in sorted(referenced(condition)):
        if key not in every:
            problems.append(
                Problem(
                    ERROR,
                    where,
                    _("The condition tests “%(key)s”, which is no question of the form.")
                    % {"key": key},
                )
            )
        elif key not in before:
            problems.append(
                Problem(
                    ERROR,
                    where,
                    _("The condition tests “%(key)s”, which comes later in the form.")
                    % {"key": key},
                )
            )
    problems.extend(_value_problems(condition, every, where))
    return problems


def _value_problems(condition, every: dict[str, Question], where: str) -> list[Problem]:
    if not condition:
        return []
    for group in ("all", "any"):
        if group in condition:
            return [p for part in condition[group] for p in _value_problems(part, every, where)]
    if "not" in condition:
        return _value_problems(condition["not"], every, where)
    question = every.get(condition["question"])
    if question is None or question.type not in ("choice", "choices") or "value" not in condition:
        return []
    known = {value for value, _label in choices_of(question)}
    values = condition["value"] if isinstance(condition["value"], list) else [condition["value"]]
    strange = [str(value) for value in values if str(value) not in known]
    if not strange:
        return []
    return [
        Problem(
            WARNING,
            where,
            _(
                "The condition tests the value “%(value)s”, which is none of the choices of “%(question)s”."
            )
            % {"value": ", ".join(strange), "question": question.label},
        )
    ]


def reachable_steps(definition: Definition) -> set[str]:
    """The steps some answers lead to (a transition without condition closes the default way)."""
    reached = {definition.steps[0].key}
    changed = True
    while changed:
        changed = False
        for index, step in enumerate(definition.steps):
            if step.key not in reached:
                continue
            targets = [transition.to for transition in step.transitions]
            unconditional = any(transition.when is None for transition in step.transitions)
            if not unconditional and index + 1 < len(definition.steps):
                targets.append(definition.steps[index + 1].key)
            for target in targets:
                if definition.step(target) and target not in reached:
                    reached.add(target)
                    changed = True
    return reached


def report(definition: Definition) -> list[Problem]:
    """Every problem of the definition, in the order of the form."""
    problems: list[Problem] = []
    every = {question.key: question for question in definition.questions}
    before: dict[str, Question] = {}
    inputs = 0
    for index, step in enumerate(definition.steps):
        if not step.questions:
            problems.append(Problem(WARNING, _where(step), _("This step has no question.")))
        if not step.title:
            problems.append(
                Problem(
                    WARNING, _where(step), _("This step has no title: the stepper shows its key.")
                )
            )
        for question in step.questions:
            where = _where(step, question)
            kind = question_types.get(question.type)
            if kind is None:
                problems.append(
                    Problem(
                        ERROR,
                        where,
                        _("Unknown question type “%(type)s”.") % {"type": question.type},
                    )
                )
            else:
                inputs += kind.input
                problems.extend(Problem(ERROR, where, message) for message in kind.check(question))
                if kind.input and kind.shown and not question.label:
                    problems.append(Problem(ERROR, where, _("The question has no label.")))
            problems.extend(_condition_problems(question.when, before, every, where))
            if question.type == "computed":
                for name in sorted(formula_names(question.config.get("formula", ""))):
                    if name not in before:
                        problems.append(
                            Problem(
                                ERROR,
                                where,
                                _("The formula reads “%(key)s”, which is no earlier question.")
                                % {"key": name},
                            )
                        )
            before[question.key] = question
        for transition in step.transitions:
            where = _where(step)
            target = definition.index(transition.to)
            if target < 0:
                problems.append(
                    Problem(
                        ERROR,
                        where,
                        _("A transition goes to “%(step)s”, which is no step of the form.")
                        % {"step": transition.to},
                    )
                )
            elif target <= index:
                problems.append(
                    Problem(
                        ERROR,
                        where,
                        _("A transition goes back to “%(step)s”: steps only go forward.")
                        % {"step": transition.to},
                    )
                )
            problems.extend(_condition_problems(transition.when, before, every, where))
    reached = reachable_steps(definition)
    for step in definition.steps:
        if step.key not in reached:
            problems.append(
                Problem(WARNING, _where(step), _("No path of the form reaches this step."))
            )
    if not inputs:
        problems.append(Problem(ERROR, _("definition"), _("The form asks no question.")))
    return problems
