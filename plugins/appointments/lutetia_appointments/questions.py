"""A service's own questions, asked after the slot is chosen (besides name, e-mail, phone).

Stored in ``Service.questions`` as a list of plain dicts::

    {"key": "document", "label": "Document wanted", "type": "choice", "required": true,
     "help": "", "choices": [["id", "Identity card"], ["passport", "Passport"]]}

A question may be asked only after a given answer to a single choice or yes/no question
before it: ``"shown_if": {"key": "document", "value": "passport"}`` (yes/no: ``"yes"`` or
``"no"``). The page says so beside it; its answer is required (when it says so) only then, and
dropped otherwise.

Types: text, textarea, email, phone, number, date, choice, yes_no; and, on a site where the
forms plugin is on, its question types (``forms.time``, ``forms.choices``, ``forms.address``,
the types plugins add to it...: `lutetia.questions`), configured by a ``config`` object as in
a form. A question whose shared type is gone (the plugin removed) is asked as plain text.
`validate` checks a list before it is saved (the back office shows its messages);
`form_fields` makes the Django fields the citizen's page shows; `answers_of` keeps the cleaned
answers as JSON-able values.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lutetia.questions import offered, shared_question_kinds

TYPES = {
    "text": gettext_lazy("short text"),
    "textarea": gettext_lazy("long text"),
    "email": gettext_lazy("e-mail"),
    "phone": gettext_lazy("phone"),
    "number": gettext_lazy("number"),
    "date": gettext_lazy("date"),
    "choice": gettext_lazy("single choice"),
    "yes_no": gettext_lazy("yes/no"),
}
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: keys the page uses for its own fields
RESERVED = {"first_name", "last_name", "email", "phone", "people", "captcha", "captcha_token"}
PREFIX = "q_"


#: The types a later question may depend on: their answer is one of a few values.
CONDITION_TYPES = ("choice", "yes_no")


def _answer_values(question: dict) -> list[tuple[str, str]]:
    """(value, label) of the answers a condition may name."""
    if question.get("type") == "choice":
        return [(str(v), str(label)) for v, label in question.get("choices") or []]
    if question.get("type") == "yes_no":
        return [("yes", _("Yes")), ("no", _("No"))]
    return []


def condition_options(earlier: list[dict]) -> list[tuple[str, str]]:
    """("key=value", what it reads as) for each answer a question after ``earlier`` may
    depend on."""
    return [
        (f"{question['key']}={value}", condition_text(question, label))
        for question in earlier
        for value, label in _answer_values(question)
    ]


def condition_text(question: dict, answer_label: str) -> str:
    return _("“%(question)s” is answered “%(answer)s”") % {
        "question": question.get("label", question.get("key")),
        "answer": answer_label,
    }


def describe_condition(question: dict, questions: list[dict]) -> str:
    """What a conditional question's condition reads as ("" when it has none)."""
    condition = question.get("shown_if")
    if not condition:
        return ""
    target = next((q for q in questions if q.get("key") == condition.get("key")), None)
    if target is None:
        return ""
    labels = dict(_answer_values(target))
    return condition_text(target, labels.get(condition.get("value"), condition.get("value")))


def applies(question: dict, answers: dict) -> bool:
    """Whether ``question`` is asked, given the answers (by key) to the questions before it."""
    condition = question.get("shown_if")
    if not condition:
        return True
    value = answers.get(condition.get("key"))
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return value is not None and str(value) == condition.get("value")


def _field_names(question: dict) -> list[str]:
    shared = shared_question_kinds.get(question.get("type"))
    if shared is None:
        return [PREFIX + question["key"]]
    return [PREFIX + name for name in shared.fields(question)]


def unasked_fields(questions: list[dict], cleaned_data: dict) -> list[str]:
    """The form fields of the questions not asked, given the answers in ``cleaned_data``:
    what was typed there is not the citizen's answer, and neither are its errors."""
    answers, unasked = {}, []
    for question in questions:
        if not applies(question, answers):
            unasked += _field_names(question)
            continue
        if question.get("type") in CONDITION_TYPES:
            value = cleaned_data.get(PREFIX + question["key"])
            if value not in (None, ""):
                answers[question["key"]] = value
    return unasked


def _condition_checked(question: dict, earlier: list[dict]) -> dict | str | None:
    """The question's condition, cleaned; None without one; a problem's text otherwise."""
    condition = question.get("shown_if")
    if condition in (None, {}, ""):
        return None
    if isinstance(condition, dict):
        key, value = str(condition.get("key", "")), str(condition.get("value", ""))
        target = next((q for q in earlier if q["key"] == key), None)
        if target is not None and value in dict(_answer_values(target)):
            return {"key": key, "value": value}
    return _(
        "its condition must name a single choice or yes/no question before it, and one of its "
        "answers."
    )


def type_label(kind: str) -> str:
    """What the back office calls a question's type."""
    shared = shared_question_kinds.get(kind)
    return str(TYPES.get(kind) or (shared.label if shared else kind))


def validate(questions, site=None, saved=()) -> list[dict]:
    """The questions, checked; ValidationError with every problem found. The forms' types are
    accepted where that plugin is on for ``site``; a question kept as it is in ``saved`` (the
    questions asked now) is accepted even if its type is no longer offered, so that the others
    can still be changed (it is asked as plain text meanwhile)."""
    shared = offered(site)
    if not isinstance(questions, list):
        raise ValidationError(_("The questions must be a list."))
    problems, keys, cleaned = [], set(), []
    for index, question in enumerate(questions, start=1):
        if not isinstance(question, dict):
            problems.append(_("Question %(n)s is not an object.") % {"n": index})
            continue
        key = str(question.get("key", ""))
        label = str(question.get("label", "")).strip()
        kind = question.get("type", "text")
        if not KEY.match(key) or key in RESERVED:
            problems.append(
                _(
                    "Question %(n)s: its key must be lower-case letters, digits and _ (not a field "
                    "of the page)."
                )
                % {"n": index}
            )
        elif key in keys:
            problems.append(
                _("Question %(n)s: the key “%(key)s” is used twice.") % {"n": index, "key": key}
            )
        keys.add(key)
        if not label:
            problems.append(_("Question %(n)s has no label.") % {"n": index})
        config = question.get("config") or {}
        if question in saved and kind not in TYPES and kind not in shared:
            pass  # saved when its type was offered: kept as it is
        elif kind in shared:
            if not isinstance(config, dict):
                problems.append(_("Question %(n)s: its config must be an object.") % {"n": index})
            else:
                problems += [
                    _("Question %(n)s: %(problem)s") % {"n": index, "problem": problem}
                    for problem in shared[kind].check(question)
                ]
        elif kind not in TYPES:
            problems.append(
                _("Question %(n)s: unknown type “%(type)s”.") % {"n": index, "type": kind}
            )
        choices = question.get("choices") or []
        if kind == "choice":
            if not choices or not all(
                isinstance(c, list | tuple) and len(c) == 2 and str(c[0]) and str(c[1])
                for c in choices
            ):
                problems.append(
                    _("Question %(n)s: a choice needs a list of [value, label] pairs.")
                    % {"n": index}
                )
        condition = _condition_checked(question, cleaned)
        if isinstance(condition, str):
            problems.append(_("Question %(n)s: %(problem)s") % {"n": index, "problem": condition})
            condition = None
        cleaned.append(
            {
                "key": key,
                "label": label,
                "type": kind,
                "required": bool(question.get("required", False)),
                "help": str(question.get("help", "")),
                **(
                    {"choices": [[str(v), str(lbl)] for v, lbl in choices]}
                    if kind == "choice"
                    else {}
                ),
                **({"config": config} if kind not in TYPES and isinstance(config, dict) else {}),
                **({"shown_if": condition} if condition else {}),
            }
        )
    if problems:
        raise ValidationError(problems)
    return cleaned


def _field(question: dict) -> forms.Field:
    common = {
        "label": question["label"],
        "required": question.get("required", False),
        "help_text": question.get("help", ""),
    }
    kind = question.get("type", "text")
    if kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, **common)
    if kind == "email":
        return forms.EmailField(**common)
    if kind == "phone":
        return forms.RegexField(
            regex=r"^\+?[0-9 .()-]{6,20}$",
            error_messages={"invalid": _("Enter a phone number.")},
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            **common,
        )
    if kind == "number":
        return forms.DecimalField(max_digits=12, decimal_places=2, **common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "choice":
        return forms.ChoiceField(
            choices=[("", "—"), *[(v, lbl) for v, lbl in question.get("choices", [])]],
            **common,
        )
    if kind == "yes_no":
        return forms.TypedChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            widget=forms.RadioSelect,
            coerce=lambda value: value == "yes",
            empty_value=None,
            **common,
        )
    return forms.CharField(max_length=300, **common)


def form_fields(questions: list[dict]) -> dict[str, forms.Field]:
    """The Django fields of the questions, named ``q_<key>`` (a shared type's other fields
    ``q_<its name>``)."""
    fields = {}
    for question in questions:
        shared = shared_question_kinds.get(question.get("type"))
        if shared is None:
            own = {PREFIX + question["key"]: _field(question)}
        else:
            own = {PREFIX + name: f for name, f in shared.fields(question).items()}
        condition = describe_condition(question, questions)
        if condition:  # required only when asked: checked by `answers_of`
            shown_if = question["shown_if"]
            for field in own.values():
                field.required = False
                # questions.js hides the question while it is not asked
                field.widget.attrs["data-shown-if"] = PREFIX + shown_if["key"]
                field.widget.attrs["data-shown-if-value"] = shown_if["value"]
            first = next(iter(own.values()), None)
            if first is not None:
                hint = _("Only if %(condition)s.") % {"condition": condition}
                first.help_text = f"{hint} {first.help_text}".strip()
        fields.update(own)
    return fields


def _shared_cleaned(question: dict, shared, cleaned_data: dict) -> dict:
    names = shared.fields(question)
    return {name: cleaned_data.get(PREFIX + name) for name in names}


def answers_of(questions: list[dict], cleaned_data: dict, *, required: bool = True) -> dict:
    """The cleaned answers by key, as JSON values (dates in ISO form, numbers as strings).
    ValidationError by field name when a shared type refuses an answer: call it from a form's
    ``clean`` so the page shows it at the question."""
    answers, missing = {}, {}
    for question in questions:
        if not applies(question, answers):
            continue  # not asked: an answer given anyway is dropped
        field = PREFIX + question["key"]
        shared = shared_question_kinds.get(question.get("type"))
        if shared is not None:
            try:
                value = shared.value(question, _shared_cleaned(question, shared, cleaned_data))
            except ValidationError as refused:  # e.g. a time outside the question's hours
                raise ValidationError({field: refused.messages}) from None
        else:
            value = cleaned_data.get(field)
        if value in (None, "", [], {}):
            if required and question.get("shown_if") and question.get("required"):
                missing[field] = _("This field is required.")
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif shared is None and not isinstance(value, bool | str | int):
            value = str(value)
        answers[question["key"]] = value
    if missing:
        raise ValidationError(missing)
    return answers


def readable(questions: list[dict], answers: dict) -> list[tuple[str, str]]:
    """(label, answer as read) of each answered question, for summaries and lists; then the
    answers to questions removed since, under their key (what was answered stays readable)."""
    found = []
    for question in questions:
        if question["key"] not in answers:
            continue
        value = answers[question["key"]]
        shared = shared_question_kinds.get(question.get("type"))
        if shared is not None:
            found.append((question["label"], shared.display(question, value)))
            continue
        if question.get("type") == "choice":
            value = dict(question.get("choices", [])).get(value, value)
        elif question.get("type") == "yes_no":
            value = _("Yes") if value else _("No")
        found.append((question["label"], str(value)))
    asked = {question["key"] for question in questions}
    for key, value in answers.items():
        if key not in asked:
            found.append((_("%(key)s (question removed)") % {"key": key}, _plain(value)))
    return found


def _plain(value) -> str:
    """An answer whose question is gone, as text."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)
