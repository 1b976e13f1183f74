"""The question types every form has: text to files, groups, tables and computed values."""

from __future__ import annotations

import ast
import operator
import re
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format, number_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lutetia import files
from lutetia.files.filetypes import describe, resolve_allowed
from lutetia.ui.fields import Address, AddressField

from .. import validators
from .base import FillContext, QuestionType, question_types, refuse

# --- text ----------------------------------------------------------------------------------


@question_types.register("text")
class ShortText(QuestionType):
    label = gettext_lazy("Short text")
    config_defaults = {"max_length": 200, "min_length": 0}

    def field(self, question, context):
        return forms.CharField(
            max_length=int(question.config.get("max_length") or 200),
            min_length=int(question.config.get("min_length") or 0) or None,
        )

    def value(self, question, cleaned, context):
        return (cleaned.get(question.key) or "").strip()


@question_types.register("textarea")
class LongText(ShortText):
    label = gettext_lazy("Long text")
    config_defaults = {"max_length": 5000, "min_length": 0}

    def field(self, question, context):
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 5}),
            max_length=int(question.config.get("max_length") or 5000),
            min_length=int(question.config.get("min_length") or 0) or None,
        )


@question_types.register("email")
class Email(ShortText):
    label = gettext_lazy("E-mail address")
    config_defaults = {}

    def field(self, question, context):
        return forms.EmailField(
            max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
        )

    def value(self, question, cleaned, context):
        return (cleaned.get(question.key) or "").strip().lower()


PHONE = re.compile(r"^\+?[0-9 .()-]{6,20}$")


@question_types.register("phone")
class Phone(ShortText):
    label = gettext_lazy("Phone number")
    config_defaults = {}

    def field(self, question, context):
        return forms.CharField(
            max_length=25,
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        )

    def value(self, question, cleaned, context):
        raw = (cleaned.get(question.key) or "").strip()
        if raw and (not PHONE.match(raw) or sum(c.isdigit() for c in raw) < 6):
            raise refuse(question.error_message or _("Enter a phone number, e.g. 01 23 45 67 89."))
        return raw


# --- numbers, dates, times -------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@question_types.register("number")
class Number(QuestionType):
    label = gettext_lazy("Number")
    config_defaults = {"min": None, "max": None, "decimals": 0}

    def check(self, question):
        problems = super().check(question)
        low, high = _decimal(question.config.get("min")), _decimal(question.config.get("max"))
        if low is not None and high is not None and low > high:
            problems.append(_("The minimum is greater than the maximum."))
        return problems

    def field(self, question, context):
        decimals = int(question.config.get("decimals") or 0)
        low, high = _decimal(question.config.get("min")), _decimal(question.config.get("max"))
        if decimals:
            return forms.DecimalField(
                decimal_places=decimals, min_value=low, max_value=high, max_digits=18
            )
        return forms.IntegerField(
            min_value=int(low) if low is not None else None,
            max_value=int(high) if high is not None else None,
        )

    def value(self, question, cleaned, context):
        value = cleaned.get(question.key)
        if value is None:
            return None
        return int(value) if isinstance(value, int) else str(value)

    def display(self, question, value):
        if value in (None, ""):
            return ""
        number = _decimal(value)
        return number_format(number) if number is not None else str(value)

    def export(self, question, value):
        number = _decimal(value)
        if number is None:
            return ""
        return int(number) if number == number.to_integral_value() else float(number)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


@question_types.register("date")
class DateQuestion(QuestionType):
    label = gettext_lazy("Date")
    config_defaults = {"min": "", "max": ""}

    def check(self, question):
        problems = super().check(question)
        for name in ("min", "max"):
            error = validators.date_limit_error(str(question.config.get(name) or ""))
            if error:
                problems.append(error)
        return problems

    def field(self, question, context):
        return forms.DateField(widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"])

    def initial(self, question, value):
        try:
            return date.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None

    def value(self, question, cleaned, context):
        value = cleaned.get(question.key)
        if value is None:
            return None
        today = timezone.localdate()
        validators.check_date_range(
            value,
            validators.resolve_date(str(question.config.get("min") or ""), today),
            validators.resolve_date(str(question.config.get("max") or ""), today),
        )
        return value.isoformat()

    def display(self, question, value):
        day = self.initial(question, value)
        return date_format(day, "DATE_FORMAT") if day else ""

    def export(self, question, value):
        return value or ""


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


@question_types.register("time")
class TimeQuestion(QuestionType):
    label = gettext_lazy("Time")
    config_defaults = {"min": "", "max": ""}

    def field(self, question, context):
        return forms.TimeField(widget=TimeInput(), input_formats=["%H:%M", "%H:%M:%S", "%Hh%M"])

    def initial(self, question, value):
        try:
            return time.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None

    def value(self, question, cleaned, context):
        value = cleaned.get(question.key)
        if value is None:
            return None
        text = value.strftime("%H:%M")
        low, high = question.config.get("min") or "", question.config.get("max") or ""
        if (low and text < low) or (high and text > high):
            raise refuse(
                question.error_message
                or _("Give a time between %(min)s and %(max)s.")
                % {"min": low or "00:00", "max": high or "23:59"}
            )
        return text

    def display(self, question, value):
        moment = self.initial(question, value)
        return time_format(moment, "TIME_FORMAT") if moment else ""


# --- choices ---------------------------------------------------------------------------------


def choices_of(question) -> list[tuple[str, str]]:
    return [
        (str(choice.get("value", "")), str(choice.get("label", "") or choice.get("value", "")))
        for choice in question.config.get("choices") or []
        if isinstance(choice, dict)
    ]


def _check_choices(question) -> list[str]:
    values = [value for value, _label in choices_of(question)]
    problems = []
    if not values:
        problems.append(_("A choice question needs at least one choice."))
    if len(set(values)) != len(values):
        problems.append(_("Two choices have the same value."))
    if any(not value for value in values):
        problems.append(_("Every choice needs a value."))
    return problems


@question_types.register("choice")
class SingleChoice(QuestionType):
    label = gettext_lazy("Single choice")
    config_defaults = {"choices": [], "widget": "radio"}

    def check(self, question):
        return super().check(question) + _check_choices(question)

    def field(self, question, context):
        choices = choices_of(question)
        if question.config.get("widget") == "select":
            return forms.ChoiceField(choices=[("", "—"), *choices])
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect)

    def value(self, question, cleaned, context):
        return cleaned.get(question.key) or None

    def display(self, question, value):
        return dict(choices_of(question)).get(str(value), str(value)) if value else ""


@question_types.register("choices")
class MultipleChoice(QuestionType):
    label = gettext_lazy("Multiple choice")
    config_defaults = {"choices": [], "min": None, "max": None}

    def check(self, question):
        problems = super().check(question)
        if problems:
            return problems  # settings of the wrong kind: nothing more can be read
        problems += _check_choices(question)
        low, high = question.config.get("min"), question.config.get("max")
        if low and high and int(low) > int(high):
            problems.append(_("The minimum is greater than the maximum."))
        return problems

    def field(self, question, context):
        return forms.MultipleChoiceField(
            choices=choices_of(question), widget=forms.CheckboxSelectMultiple
        )

    def initial(self, question, value):
        return value or []

    def value(self, question, cleaned, context):
        picked = list(cleaned.get(question.key) or [])
        low, high = question.config.get("min"), question.config.get("max")
        if picked and low and len(picked) < int(low):
            raise refuse(_("Choose at least %(count)s answers.") % {"count": low})
        if high and len(picked) > int(high):
            raise refuse(_("Choose at most %(count)s answers.") % {"count": high})
        return picked

    def empty_value(self, question):
        return []

    def display(self, question, value):
        labels = dict(choices_of(question))
        return ", ".join(labels.get(str(item), str(item)) for item in value or [])

    def anonymised(self, question, value):
        return []


@question_types.register("yes_no")
class YesNo(QuestionType):
    label = gettext_lazy("Yes / no")

    def field(self, question, context):
        return forms.TypedChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            widget=forms.RadioSelect,
            coerce=lambda answer: answer == "yes",
            empty_value=None,
        )

    def initial(self, question, value):
        return {True: "yes", False: "no"}.get(value)

    def value(self, question, cleaned, context):
        return cleaned.get(question.key)

    def display(self, question, value):
        return {True: _("Yes"), False: _("No")}.get(value, "")


# --- files -----------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the checks are the `attach` callback's (content, size)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


@question_types.register("file")
class FileQuestion(QuestionType):
    shareable = False
    label = gettext_lazy("File")
    config_defaults = {
        "types": [],
        "max_size_mb": 10,
        "max_count": 1,
        "max_width": None,
        "max_height": None,
    }

    def check(self, question):
        problems = super().check(question)
        count = question.config.get("max_count") or 1
        if not isinstance(count, int) or count < 1 or count > 20:
            problems.append(_("The number of files must be between 1 and 20."))
        try:
            files.resolve_allowed(question.config.get("types") or ())
        except ValueError:
            problems.append(
                _("Unknown file type among “%(types)s”.")
                % {"types": ", ".join(map(str, question.config.get("types") or ()))}
            )
        return problems

    def fields(self, question, context, value):
        items = self.files(value)
        upload = MultipleFileField(
            required=False, label=question.label, help_text=self._hint(question)
        )
        upload.widget.attrs["multiple"] = (question.config.get("max_count") or 1) > 1
        upload.widget.attrs["accept"] = files.accept_attribute(question.config.get("types") or ())
        built = {question.key: upload}
        if items:
            built[f"{question.key}__keep"] = forms.MultipleChoiceField(
                label=_("Files already sent for “%(question)s” (untick to remove)")
                % {"question": question.label},
                choices=[(item["id"], f"{item['name']} ({_size(item['size'])})") for item in items],
                initial=[item["id"] for item in items],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        return built

    def _hint(self, question) -> str:
        parts = [question.help] if question.help else []
        count = question.config.get("max_count") or 1
        size = question.config.get("max_size_mb") or 10
        types = describe(resolve_allowed(question.config.get("types") or ()))
        parts.append(
            ngettext(
                "%(types)s; one file of %(size)s MB at most.",
                "%(types)s; up to %(count)s files of %(size)s MB each.",
                count,
            )
            % {"types": types, "count": count, "size": size}
        )
        return " ".join(parts)

    def value(self, question, cleaned, context: FillContext):
        kept_ids = set(cleaned.get(f"{question.key}__keep") or [])
        previous = context.response.answers.get(question.key) if context.response else None
        items = [item for item in self.files(previous) if item["id"] in kept_ids]
        for uploaded in cleaned.get(question.key) or []:
            items.append(context.attach(question, uploaded))
        count = question.config.get("max_count") or 1
        if len(items) > count:
            raise refuse(_("Send at most %(count)s file(s).") % {"count": count}, code="max_count")
        if question.required and not items:
            raise refuse(question.error_message or _("Attach a file."), code="required")
        return items

    def empty_value(self, question):
        return []

    def files(self, value):
        return [item for item in value or [] if isinstance(item, dict) and "id" in item]

    def display(self, question, value):
        return ", ".join(item["name"] for item in self.files(value))

    def anonymised(self, question, value):
        return []


def _size(size: int) -> str:
    from django.template.defaultfilters import filesizeformat

    return str(filesizeformat(size))


# --- address --------------------------------------------------------------------------------


@question_types.register("address")
class AddressQuestion(QuestionType):
    label = gettext_lazy("Address")
    config_defaults = {"geolocation": False}

    def fields(self, question, context, value):
        built = super().fields(question, context, value)
        if question.config.get("geolocation"):
            point = (value or {}).get("point") or {}
            built[f"{question.key}__lat"] = forms.DecimalField(
                label=_("Latitude (optional)"),
                required=False,
                min_value=-90,
                max_value=90,
                decimal_places=6,
                max_digits=9,
                initial=point.get("lat"),
            )
            built[f"{question.key}__lon"] = forms.DecimalField(
                label=_("Longitude (optional)"),
                required=False,
                min_value=-180,
                max_value=180,
                decimal_places=6,
                max_digits=10,
                initial=point.get("lon"),
            )
        return built

    def field(self, question, context):
        return AddressField()

    def initial(self, question, value):
        if isinstance(value, dict):
            return Address(
                value.get("street", ""), value.get("postcode", ""), value.get("town", "")
            )
        return None

    def value(self, question, cleaned, context):
        address = cleaned.get(question.key)
        if not address:
            return None
        answer: dict[str, Any] = {
            "street": address.street,
            "postcode": address.postcode,
            "town": address.town,
        }
        lat, lon = cleaned.get(f"{question.key}__lat"), cleaned.get(f"{question.key}__lon")
        if lat is not None and lon is not None:
            answer["point"] = {"lat": float(lat), "lon": float(lon)}
        return answer

    def display(self, question, value):
        if not isinstance(value, dict):
            return ""
        return (
            f"{value.get('street', '')}, {value.get('postcode', '')} {value.get('town', '')}".strip(
                ", "
            )
        )


# --- display only, hidden, profile, computed -----------------------------------------------------


@question_types.register("heading")
class Heading(QuestionType):
    label = gettext_lazy("Heading")
    input = False

    def fields(self, question, context, value):
        return {}


@question_types.register("paragraph")
class Paragraph(Heading):
    label = gettext_lazy("Read-only text")


@question_types.register("hidden")
class Hidden(QuestionType):
    """A value the citizen does not see: fixed, or given in the start link (``?key=value``)."""

    label = gettext_lazy("Hidden value")
    shown = False
    config_defaults = {"value": "", "from_link": False}

    def fields(self, question, context, value):
        return {}

    def value(self, question, cleaned, context):
        if question.config.get("from_link") and question.key in context.start_values:
            return str(context.start_values[question.key])[:200]
        return question.config.get("value") or None


#: profile attribute → (label, how to read it from the user)
PROFILE = {
    "first_name": (gettext_lazy("First name"), lambda user: user.first_name),
    "last_name": (gettext_lazy("Last name"), lambda user: user.last_name),
    "full_name": (gettext_lazy("Full name"), lambda user: user.get_full_name()),
    "email": (gettext_lazy("E-mail address"), lambda user: user.email),
}


@question_types.register("profile")
class ProfileField(QuestionType):
    shareable = False
    """A field of the signed-in citizen's profile: prefilled, locked or editable."""

    label = gettext_lazy("Citizen profile field")
    config_defaults = {"attribute": "full_name", "locked": True}

    def check(self, question):
        if question.config.get("attribute") not in PROFILE:
            return [_("Choose the profile field to show.")]
        return super().check(question)

    def _profile_value(self, question, context) -> str:
        user = context.user
        if user is None or not user.is_authenticated:
            return ""
        return str(PROFILE[question.config.get("attribute", "full_name")][1](user) or "")

    def fields(self, question, context, value):
        built = super().fields(question, context, value)
        field = built[question.key]
        known = self._profile_value(question, context)
        if known and not value:
            field.initial = known
        if known and question.config.get("locked", True):
            field.disabled = True
            field.initial = known
        return built

    def field(self, question, context):
        attribute = question.config.get("attribute", "full_name")
        if attribute == "email":
            return forms.EmailField(max_length=254)
        return forms.CharField(max_length=150)

    def value(self, question, cleaned, context):
        known = self._profile_value(question, context)
        if known and question.config.get("locked", True):
            return known  # a locked value comes from the account, whatever was posted
        return (cleaned.get(question.key) or "").strip()


_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def evaluate(expression: str, answers: dict[str, Any]) -> Decimal | None:
    """A formula of numbers, question keys, + - * / and parentheses; None when an answer it
    reads is missing or not a number, or on division by zero. Anything else is refused by
    `formula_error` before the form is published."""
    tree = ast.parse(expression, mode="eval")

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return Decimal(str(node.value))
        if isinstance(node, ast.Name):
            answer = answers.get(node.id)
            if isinstance(answer, list):
                return Decimal(len(answer))
            number = _decimal(answer)
            if number is None:
                raise ArithmeticError
            return number
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        raise ValueError(expression)

    try:
        return walk(tree)
    except (ArithmeticError, ValueError):
        return None


def formula_error(expression: str) -> str:
    try:
        tree = ast.parse(expression or "", mode="eval")
    except SyntaxError:
        return _("The formula “%(formula)s” cannot be read.") % {"formula": expression}
    allowed = (
        ast.Expression,
        ast.Constant,
        ast.Name,
        ast.Load,
        ast.UnaryOp,
        ast.USub,
        ast.BinOp,
        *_OPERATORS,
    )
    for node in ast.walk(tree):
        if not isinstance(node, allowed) or (
            isinstance(node, ast.Constant) and not isinstance(node.value, int | float)
        ):
            return _(
                "The formula “%(formula)s” may only use numbers, question keys, + - * / and "
                "parentheses."
            ) % {"formula": expression}
    return ""


def formula_names(expression: str) -> set[str]:
    try:
        return {
            node.id
            for node in ast.walk(ast.parse(expression, mode="eval"))
            if isinstance(node, ast.Name)
        }
    except SyntaxError:
        return set()


@question_types.register("computed")
class Computed(QuestionType):
    """A value computed from earlier answers (a total, a count of files)."""

    label = gettext_lazy("Computed value")
    shown = False
    config_defaults = {"formula": "", "decimals": 2}

    def check(self, question):
        error = formula_error(question.config.get("formula", ""))
        return [error] if error else []

    def fields(self, question, context, value):
        return {}

    def compute(self, question, answers: dict[str, Any]) -> str | None:
        result = evaluate(question.config.get("formula", ""), answers)
        if result is None:
            return None
        places = Decimal(1).scaleb(-int(question.config.get("decimals", 2) or 0))
        return str(result.quantize(places))

    display = Number.display
    export = Number.export


# --- repeatable groups and tables ---------------------------------------------------------------


@question_types.register("group")
class RepeatableGroup(QuestionType):
    shareable = False
    """ "Add another child": the group's questions, repeated between ``min`` and ``max`` times.
    The answer is a list of {child key: answer}. The runtime draws and counts the repetitions."""

    label = gettext_lazy("Repeatable group")
    config_defaults = {"min": 1, "max": 10, "add_label": "", "item_label": ""}

    def check(self, question):
        problems = super().check(question)
        if problems:
            return problems
        if not question.children:
            problems.append(_("A repeatable group needs at least one question."))
        low, high = int(question.config.get("min") or 0), int(question.config.get("max") or 10)
        if low > high or high > 50:
            problems.append(_("A group repeats between its minimum and its maximum (50 at most)."))
        for child in question.children:
            child_type = question_types.get(child.type)
            if child_type is None:
                problems.append(_("Unknown question type “%(type)s”.") % {"type": child.type})
            elif child.type in ("group", "table", "file", "computed"):
                problems.append(
                    _("A repeatable group cannot hold a question of type “%(type)s”.")
                    % {"type": child_type.label}
                )
            else:
                problems.extend(child_type.check(child))
        return problems

    def count(self, question, value, posted: int | None = None) -> int:
        low, high = int(question.config.get("min") or 0), int(question.config.get("max") or 10)
        count = posted if posted is not None else len(value or []) or max(low, 1)
        return max(min(count, high), low, 0)

    def fields(self, question, context, value, count: int | None = None):
        value = value if isinstance(value, list) else []
        built: dict[str, forms.Field] = {}
        for index in range(self.count(question, value, count)):
            item = value[index] if index < len(value) and isinstance(value[index], dict) else {}
            for child in question.children:
                child_fields = question_types[child.type].fields(
                    child, context, item.get(child.key)
                )
                for name, field in child_fields.items():
                    built[f"{question.key}__{index}__{name}"] = field
        return built

    def value(self, question, cleaned, context, count: int | None = None):
        items = []
        for index in range(self.count(question, None, count)):
            prefix = f"{question.key}__{index}__"
            part = {
                name[len(prefix) :]: data
                for name, data in cleaned.items()
                if name.startswith(prefix)
            }
            items.append(
                {
                    child.key: question_types[child.type].value(child, part, context)
                    for child in question.children
                }
            )
        return items

    def empty_value(self, question):
        return []

    def display(self, question, value):
        lines = []
        for number, item in enumerate(value or [], start=1):
            parts = [
                f"{child.label}: {question_types[child.type].display(child, item.get(child.key))}"
                for child in question.children
                if question_types[child.type].input
            ]
            lines.append(f"{number}. " + "; ".join(parts))
        return "\n".join(lines)

    def anonymised(self, question, value):
        return []


@question_types.register("table")
class Table(QuestionType):
    shareable = False
    """A grid of short answers: rows and columns named by the administrator."""

    label = gettext_lazy("Table")
    config_defaults = {"rows": [], "columns": []}

    def check(self, question):
        if not question.config.get("rows") or not question.config.get("columns"):
            return [_("A table needs at least one row and one column.")]
        return []

    def fields(self, question, context, value):
        rows, columns = question.config.get("rows") or [], question.config.get("columns") or []
        value = value if isinstance(value, list) else []
        built = {}
        for r, row in enumerate(rows):
            for c, column in enumerate(columns):
                try:
                    initial = value[r][c]
                except (IndexError, TypeError):
                    initial = ""
                built[f"{question.key}__{r}__{c}"] = forms.CharField(
                    label=f"{row} — {column}",
                    required=question.required,
                    max_length=200,
                    initial=initial,
                )
        return built

    def value(self, question, cleaned, context):
        rows, columns = question.config.get("rows") or [], question.config.get("columns") or []
        return [
            [(cleaned.get(f"{question.key}__{r}__{c}") or "").strip() for c in range(len(columns))]
            for r in range(len(rows))
        ]

    def display(self, question, value):
        rows, columns = question.config.get("rows") or [], question.config.get("columns") or []
        lines = []
        for r, row in enumerate(rows):
            cells = value[r] if isinstance(value, list) and r < len(value) else []
            parts = [
                f"{column}: {cells[c] if c < len(cells) else ''}"
                for c, column in enumerate(columns)
            ]
            lines.append(f"{row} — " + "; ".join(parts))
        return "\n".join(lines)

    def anonymised(self, question, value):
        return []
