"""The Django forms of the form builder, one per part: a form's settings, a step (with its
transitions), a question (common attributes, its type's configuration, its condition), the whole
draft as JSON, an import.

Each form turns what an administrator typed into the JSON of its part (`as_step`,
`as_question`); the view puts the part in the draft, and the whole draft is parsed before it is
kept (admin_builder.py). These forms check what one part can check alone; what needs the whole
form (a condition on a later question) is the validation report's job.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from lutetia.accounts import workgroups

from . import definition as fd
from . import validators
from .models import Category, Form
from .questions import FillContext, QuestionType, question_types
from .questions.builtin import PROFILE

# --- a draft every page can draw ----------------------------------------------------------------


def check_drawable(definition: fd.Definition) -> None:
    """`fd.DefinitionError` when a question's settings are of the wrong kind (a text where a
    number goes, a list where an object goes): well-formed for the parser, they would break
    the preview, the validation report and the citizen's page. The builder and the import
    refuse such a draft, as they refuse a malformed one."""
    context = FillContext()
    for number, step in enumerate(definition.steps, start=1):
        for question in step.questions:
            kind = question_types.get(question.type)
            if kind is None:
                continue  # the validation report says it, and publishing is refused
            problems: list[str] = []
            try:
                problems = kind.check(question)
                kind.fields(question, context, None)
            except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError) as exc:
                where = _("step %(number)s") % {"number": number}
                reason = " ".join(problems) or _("its settings cannot be read (%(error)s).") % {
                    "error": exc
                }
                raise fd.DefinitionError(f"{where} › “{question.key}”: {reason}") from None


# --- a form's settings ----------------------------------------------------------------------

SETTINGS_FIELDS = [
    "title",
    "slug",
    "description",
    "category",
    "workgroup",
    "enabled",
    "opens_at",
    "closes_at",
    "max_responses",
    "one_per_citizen",
    "login_required",
    "captcha",
    "terms",
    "confirmation_message",
    "reference_prefix",
    "draft_days",
    "retention_days",
    "retention_action",
]


class FormSettingsForm(WagtailAdminModelForm):
    """A form's settings in the back office (the viewset's add and edit pages).

    The site is not asked: the view sets it on a new form (the site being administered) and it
    never changes. The slug is unique per site: the database says so, this form says it first,
    in words.
    """

    class Meta:
        model = Form
        fields = SETTINGS_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "category" in self.fields:
            self.fields["category"].queryset = Category.objects.filter(
                site_id=self.instance.site_id
            )
        if "one_per_citizen" in self.fields:
            self.fields["one_per_citizen"].help_text = gettext_lazy(
                "Each account may submit once. Sign-in is then required, whatever the box below "
                "says."
            )

    def save(self, commit=True):
        """An existing form: only its settings are written, never the draft (the builder may
        have changed it since this page was opened)."""
        if not commit or self.instance._state.adding:
            return super().save(commit=commit)
        self.instance.save(update_fields=[*self._meta.fields, "updated_at"])
        return self.instance

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        taken = (
            Form.objects.filter(site_id=self.instance.site_id, slug=slug)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if slug and taken:
            raise forms.ValidationError(
                _(
                    "Another form of this site already has the address “%(slug)s”: choose "
                    "another one."
                )
                % {"slug": slug},
                code="unique",
            )
        return slug

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The form must close after it opens."))
        if data.get("one_per_citizen"):
            # One response per account only means something for signed-in citizens.
            data["login_required"] = True
        return data


class JSONBox(forms.JSONField):
    """A JSON field shown indented, and empty (not ``null``) when there is nothing."""

    def prepare_value(self, value):
        if value is None:
            return ""
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


# --- conditions -------------------------------------------------------------------------------

OPERATOR_LABELS = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "gt": gettext_lazy("is more than"),
    "ge": gettext_lazy("is at least"),
    "lt": gettext_lazy("is less than"),
    "le": gettext_lazy("is at most"),
    "filled": gettext_lazy("is answered"),
    "empty": gettext_lazy("is not answered"),
    "contains": gettext_lazy("contains"),
}

MODE_CHOICES = [
    ("all", gettext_lazy("all the rows hold")),
    ("any", gettext_lazy("one of the rows holds")),
]

CONDITION_JSON_HELP = gettext_lazy(
    'For conditions the rows cannot say (nested "all", "any", "not"); when filled, it is used '
    'instead of the rows. Example: {"any": [{"question": "age", "op": "lt", "value": 18}, '
    '{"not": {"question": "resident", "op": "eq", "value": true}}]}'
)


def question_choices(draft: dict, *, exclude: str = "") -> list:
    """The questions a condition may test, grouped by step, for a select."""
    groups: list = [("", "—")]
    for number, step in enumerate(_list(draft.get("steps")), start=1):
        if not isinstance(step, dict):
            continue
        options = []
        for question in _list(step.get("questions")):
            if not isinstance(question, dict) or question.get("key") == exclude:
                continue
            kind = question_types.get(str(question.get("type")))
            if kind is not None and not kind.input:
                continue
            key = str(question.get("key", ""))
            label = str(question.get("label") or key)
            options.append((key, f"{label} ({key})"))
        if options:
            title = (
                step.get("title") or step.get("key") or _("Step %(number)s") % {"number": number}
            )
            groups.append((str(title), options))
    return groups


def _list(value) -> list:
    return value if isinstance(value, list) else []


def questions_by_key(draft: dict) -> dict[str, dict]:
    return {
        question["key"]: question
        for step in _list(draft.get("steps"))
        if isinstance(step, dict)
        for question in _list(step.get("questions"))
        if isinstance(question, dict) and isinstance(question.get("key"), str)
    }


def value_text(value: Any) -> str:
    """A condition's value as typed in a row."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value)
    return "" if value is None else str(value)


TRUE_WORDS = ("true", "yes", "oui", "igen", "1")
FALSE_WORDS = ("false", "no", "non", "nem", "0")


def typed_value(text: str, question: dict | None) -> Any:
    """A row's value as the condition stores it: true/false for a yes/no question, a number for
    a number question, else the text."""
    text = text.strip()
    kind = (question or {}).get("type")
    if kind == "yes_no":
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
    if kind in ("number", "computed"):
        number = _number(text)
        if number is not None:
            return number
    return text


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def simple_rows(condition: dict | None, limit: int) -> tuple[str, list[dict]] | None:
    """(mode, leaves) when the rows can show the condition; None when it needs the JSON box."""
    if not condition:
        return "all", []
    if "question" in condition:
        return "all", [condition]
    for mode in ("all", "any"):
        parts = condition.get(mode)
        if isinstance(parts, list) and len(parts) <= limit:
            if all(isinstance(part, dict) and "question" in part for part in parts):
                return mode, parts
    return None


class ConditionFields:
    """Rows "question / operator / value" (all or any of them), and a JSON box for the rest,
    added to a form under ``prefix``. `condition()` reads them back after validation."""

    def __init__(self, form: forms.Form, prefix: str, draft: dict, *, rows: int, exclude=""):
        self.form, self.prefix, self.rows = form, prefix, rows
        self.known = questions_by_key(draft)
        choices = question_choices(draft, exclude=exclude)
        operators = [(op, str(OPERATOR_LABELS[op])) for op in fd.OPERATORS]
        if rows > 1:
            form.fields[f"{prefix}mode"] = forms.ChoiceField(
                label=gettext_lazy("Shown when"), choices=MODE_CHOICES, initial="all"
            )
        for i in range(rows):
            form.fields[f"{prefix}{i}_question"] = forms.ChoiceField(
                label=gettext_lazy("Question"), choices=choices, required=False
            )
            form.fields[f"{prefix}{i}_op"] = forms.ChoiceField(
                label=gettext_lazy("Test"), choices=operators, required=False, initial="eq"
            )
            # What a value is, is said once under the rows (the template's help).
            form.fields[f"{prefix}{i}_value"] = forms.CharField(
                label=gettext_lazy("Value"), required=False, max_length=500
            )
        form.fields[f"{prefix}json"] = JSONBox(
            label=gettext_lazy("Advanced condition (JSON)"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=CONDITION_JSON_HELP,
        )

    def initial(self, condition: dict | None) -> dict[str, Any]:
        shown = simple_rows(condition, self.rows)
        if shown is None:
            return {f"{self.prefix}json": condition}
        mode, leaves = shown
        values: dict[str, Any] = {f"{self.prefix}mode": mode}
        for i, leaf in enumerate(leaves):
            values[f"{self.prefix}{i}_question"] = leaf.get("question", "")
            values[f"{self.prefix}{i}_op"] = leaf.get("op", "eq")
            values[f"{self.prefix}{i}_value"] = value_text(leaf.get("value"))
        return values

    def bound_rows(self) -> list[dict]:
        """The rows' bound fields, for the template."""
        return [
            {
                "question": self.form[f"{self.prefix}{i}_question"],
                "op": self.form[f"{self.prefix}{i}_op"],
                "value": self.form[f"{self.prefix}{i}_value"],
            }
            for i in range(self.rows)
        ]

    @property
    def mode_field(self):
        name = f"{self.prefix}mode"
        return self.form[name] if name in self.form.fields else None

    @property
    def json_field(self):
        return self.form[f"{self.prefix}json"]

    def clean(self, data: dict) -> dict | None:
        """The condition the fields say (None: always); errors go on the fields."""
        raw = data.get(f"{self.prefix}json")
        if raw not in (None, "", {}):
            try:
                return fd.parse_condition(raw, _("condition"))
            except fd.DefinitionError as exc:
                self.form.add_error(f"{self.prefix}json", str(exc))
                return None
        leaves = []
        for i in range(self.rows):
            leaf = self._leaf(data, i)
            if leaf is not None:
                leaves.append(leaf)
        if not leaves:
            return None
        if len(leaves) == 1:
            return leaves[0]
        return {data.get(f"{self.prefix}mode") or "all": leaves}

    def _leaf(self, data: dict, i: int) -> dict | None:
        key = data.get(f"{self.prefix}{i}_question")
        if not key:
            return None
        op = data.get(f"{self.prefix}{i}_op") or "eq"
        leaf: dict[str, Any] = {"question": key, "op": op}
        if op in fd.UNARY:
            return leaf
        text = data.get(f"{self.prefix}{i}_value") or ""
        if not text.strip():
            self.form.add_error(
                f"{self.prefix}{i}_value", _("Give the value the answer is compared with.")
            )
            return None
        question = self.known.get(key)
        if op in ("in", "not_in"):
            leaf["value"] = [
                typed_value(part, question) for part in text.split(",") if part.strip()
            ]
        else:
            leaf["value"] = typed_value(text, question)
        return leaf


# --- a step -------------------------------------------------------------------------------------


def _key_from(text: str) -> str:
    key = slugify(text or "").replace("-", "_")
    if key and not key[0].isalpha():
        key = f"q_{key}"
    return key[:50]


def _free_key(base: str, taken: set) -> str:
    """``base``, or ``base_2``, ``base_3``… when it is taken (a key made from a label)."""
    base = base[:45]
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}_{number}"
        number += 1
    return candidate


KEY_HELP = gettext_lazy(
    "The name answers are stored under (exports, conditions, formulas): lower-case letters, "
    "digits and “_”, starting with a letter. Made from the label when empty."
)


class StepForm(forms.Form):
    """A step's title and key, and where it leads (its transitions, first match wins)."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    key = forms.CharField(
        label=gettext_lazy("Key"), max_length=50, required=False, help_text=KEY_HELP
    )

    def __init__(self, *args, draft: dict, step: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.draft = draft
        self.step = step or {}
        existing = _list(self.step.get("transitions"))
        self.transition_count = len(existing) + 2
        targets = [("", "—")] + [
            (s["key"], s.get("title") or s["key"])
            for s in _list(draft.get("steps"))
            if isinstance(s, dict)
            and isinstance(s.get("key"), str)
            and s.get("key") != self.step.get("key")
        ]
        self.conditions = []
        for i in range(self.transition_count):
            self.fields[f"t{i}_to"] = forms.ChoiceField(
                label=gettext_lazy("Go to the step"), choices=targets, required=False
            )
            self.conditions.append(ConditionFields(self, f"t{i}_when_", draft, rows=1))
        if not self.is_bound:
            self.initial.update(self._initial())

    def _initial(self) -> dict[str, Any]:
        values: dict[str, Any] = {"title": self.step.get("title", ""), "key": self.step.get("key")}
        for i, transition in enumerate(_list(self.step.get("transitions"))):
            if not isinstance(transition, dict):
                continue
            values[f"t{i}_to"] = transition.get("to", "")
            values.update(self.conditions[i].initial(transition.get("when")))
        return values

    def transition_rows(self) -> list[dict]:
        return [
            {
                "to": self[f"t{i}_to"],
                "rows": condition.bound_rows(),
                "json": condition.json_field,
            }
            for i, condition in enumerate(self.conditions)
        ]

    def clean(self):
        data = super().clean()
        key = data.get("key") or _free_key(
            _key_from(data.get("title", "")) or "step", self._taken_keys() - {self.step.get("key")}
        )
        if not fd.KEY.match(key):
            self.add_error("key", KEY_HELP)
        elif key != self.step.get("key") and key in self._taken_keys():
            self.add_error("key", _("Another step already has the key “%(key)s”.") % {"key": key})
        data["key"] = key
        transitions = []
        for i, condition in enumerate(self.conditions):
            target = data.get(f"t{i}_to")
            when = condition.clean(data)
            if target:
                transitions.append({"to": target, "when": when})
            elif when is not None:
                self.add_error(f"t{i}_to", _("Choose the step this condition leads to."))
        data["transitions"] = transitions
        return data

    def _taken_keys(self) -> set:
        return {s.get("key") for s in _list(self.draft.get("steps")) if isinstance(s, dict)}

    def as_step(self) -> dict:
        data = self.cleaned_data
        step = {
            "key": data["key"],
            "title": data.get("title", ""),
            "questions": _list(self.step.get("questions")),
        }
        if data["transitions"]:
            step["transitions"] = data["transitions"]
        return step


# --- a question ---------------------------------------------------------------------------------

#: Labels of the configuration keys of the shipped types (a plugin's keys show their name).
CONFIG_LABELS = {
    "max_length": gettext_lazy("Longest answer (characters)"),
    "min_length": gettext_lazy("Shortest answer (characters)"),
    "min": gettext_lazy("Minimum"),
    "max": gettext_lazy("Maximum"),
    "decimals": gettext_lazy("Decimal places"),
    "choices": gettext_lazy("Choices"),
    "widget": gettext_lazy("Shown as"),
    "types": gettext_lazy("File types allowed"),
    "max_size_mb": gettext_lazy("Largest file (MB)"),
    "max_count": gettext_lazy("Most files"),
    "max_width": gettext_lazy("Widest image (pixels)"),
    "max_height": gettext_lazy("Tallest image (pixels)"),
    "geolocation": gettext_lazy("Ask for the position on a map (latitude and longitude)"),
    "value": gettext_lazy("Value"),
    "from_link": gettext_lazy("Taken from the start link (?key=value) when given"),
    "attribute": gettext_lazy("Profile field"),
    "locked": gettext_lazy("The citizen cannot change it"),
    "formula": gettext_lazy("Formula"),
    "add_label": gettext_lazy("Label of the “add” button"),
    "item_label": gettext_lazy("Name of one repetition"),
    "rows": gettext_lazy("Rows"),
    "columns": gettext_lazy("Columns"),
}

CONFIG_HELP = {
    ("date", "min"): gettext_lazy(
        "A date (2026-09-01), “today”, or a delay from today such as -18y, +2w, +30d."
    ),
    ("date", "max"): gettext_lazy(
        "A date (2026-09-01), “today”, or a delay from today such as -18y, +2w, +30d."
    ),
    ("time", "min"): gettext_lazy("HH:MM, e.g. 08:30."),
    ("time", "max"): gettext_lazy("HH:MM, e.g. 18:00."),
    ("choices", "min"): gettext_lazy("Fewest answers to tick (empty: no minimum)."),
    ("choices", "max"): gettext_lazy("Most answers to tick (empty: no maximum)."),
    ("computed", "formula"): gettext_lazy(
        "Numbers, keys of earlier questions, + - * / and parentheses, e.g. adults * 12 + "
        "children * 6."
    ),
    ("file", "types"): gettext_lazy(
        "One per line: a family (pdf, image, office, text), a content type (application/pdf) "
        "or an extension (.odt); empty: every family."
    ),
    ("group", "min"): gettext_lazy("Fewest repetitions."),
    ("group", "max"): gettext_lazy("Most repetitions (50 at most)."),
}

CHOICES_HELP = gettext_lazy(
    "One choice per line: value|label, e.g. market|Market. The value is what exports and "
    "conditions read; a line without “|” is both."
)

WIDGET_CHOICES = [
    ("radio", gettext_lazy("buttons (a few choices)")),
    ("select", gettext_lazy("a drop-down list (many choices)")),
]

CUSTOM_PATTERN = "re:"


def choices_text(choices: Any) -> str:
    lines = []
    for choice in _list(choices):
        if not isinstance(choice, dict):
            continue
        value, label = str(choice.get("value", "")), str(choice.get("label", ""))
        lines.append(value if not label or label == value else f"{value}|{label}")
    return "\n".join(lines)


def parse_choices(text: str) -> list[dict[str, str]]:
    choices = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        value, _bar, label = line.partition("|")
        value, label = value.strip(), label.strip()
        choices.append({"value": value, "label": label or value})
    return choices


class ConfigField:
    """How one configuration key is edited: the Django field, its initial text, its value."""

    def __init__(self, name: str, default: Any, type_id: str):
        self.name, self.default, self.type_id = name, default, type_id

    def field(self) -> forms.Field:
        label = CONFIG_LABELS.get(self.name, self.name)
        help_text = CONFIG_HELP.get((self.type_id, self.name), "")
        default = self.default
        if self.name == "choices":
            return forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text=CHOICES_HELP,
            )
        if self.name == "widget" and self.type_id == "choice":
            return forms.ChoiceField(label=label, choices=WIDGET_CHOICES)
        if self.name == "attribute" and self.type_id == "profile":
            return forms.ChoiceField(
                label=label, choices=[(key, str(value[0])) for key, value in PROFILE.items()]
            )
        if isinstance(default, bool):
            return forms.BooleanField(label=label, required=False, help_text=help_text)
        if isinstance(default, int):
            return forms.IntegerField(label=label, required=False, help_text=help_text)
        if isinstance(default, float) or default is None:
            return forms.CharField(
                label=label,
                required=False,
                max_length=30,
                help_text=help_text or gettext_lazy("A number; empty: none."),
            )
        if isinstance(default, list):
            return forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=help_text or gettext_lazy("One per line."),
            )
        if isinstance(default, dict):
            return JSONBox(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=help_text,
            )
        return forms.CharField(label=label, required=False, max_length=500, help_text=help_text)

    def initial(self, value: Any) -> Any:
        if self.name == "choices":
            return choices_text(value)
        if isinstance(self.default, list):
            return "\n".join(str(item) for item in _list(value))
        if (isinstance(self.default, float) or self.default is None) and value is not None:
            return str(value)
        return value

    def value(self, cleaned: Any) -> Any:
        """The JSON value; ValueError with a message when the text is not one."""
        if self.name == "choices":
            return parse_choices(cleaned)
        default = self.default
        if isinstance(default, bool):
            return bool(cleaned)
        if isinstance(default, int):
            return default if cleaned is None else cleaned
        if isinstance(default, float) or default is None:
            text = (cleaned or "").strip()
            if not text:
                return None
            number = _number(text)
            if number is None:
                raise ValueError(_("Enter a number."))
            return number
        if isinstance(default, list):
            return [line.strip() for line in (cleaned or "").splitlines() if line.strip()]
        if isinstance(default, dict):
            return cleaned or {}
        return cleaned or ""


def config_fields(kind: QuestionType) -> list[ConfigField]:
    defaults = dict(kind.config_defaults)
    if kind.id == "choice" or kind.id == "choices":
        defaults.setdefault("choices", [])
    return [ConfigField(name, default, kind.id) for name, default in defaults.items()]


class QuestionForm(forms.Form):
    """One question: what every question has, its type's configuration, its condition.

    A display-only type (heading, read-only text) is only a text, a key and a condition; a
    question inside a repeatable group has no condition (the group shows or not as a whole).
    """

    label = forms.CharField(label=gettext_lazy("Label"), max_length=500, required=False)
    key = forms.CharField(
        label=gettext_lazy("Key"), max_length=50, required=False, help_text=KEY_HELP
    )
    help = forms.CharField(
        label=gettext_lazy("Help text"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    required = forms.BooleanField(label=gettext_lazy("An answer is required"), required=False)
    error_message = forms.CharField(
        label=gettext_lazy("Error message"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("What the citizen reads when the answer is missing or refused."),
    )
    pattern = forms.ChoiceField(
        label=gettext_lazy("Expected form of the answer"),
        required=False,
        help_text=gettext_lazy("Checks a text answer against a known pattern."),
    )
    custom_pattern = forms.CharField(
        label=gettext_lazy("Your own regular expression"),
        required=False,
        max_length=497,
        help_text=gettext_lazy(
            "Used when “your own regular expression” is chosen above, e.g. ^[A-Z]{2}\\d{4}$."
        ),
    )
    unique = forms.BooleanField(
        label=gettext_lazy("No two responses may give the same answer"), required=False
    )
    backoffice_only = forms.BooleanField(
        label=gettext_lazy("Back office only (filled by agents, never shown to the citizen)"),
        required=False,
    )
    anonymise = forms.BooleanField(
        label=gettext_lazy("Personal data: erased when the response is anonymised"),
        required=False,
        initial=True,
    )
    column = forms.BooleanField(
        label=gettext_lazy("A column of the responses' list"), required=False
    )
    filter = forms.BooleanField(
        label=gettext_lazy("A filter of the responses' list"), required=False
    )

    COMMON = (
        "required",
        "error_message",
        "pattern",
        "custom_pattern",
        "unique",
        "backoffice_only",
        "anonymise",
        "column",
        "filter",
    )

    def __init__(
        self,
        *args,
        kind: QuestionType,
        draft: dict,
        siblings: list[dict],
        question: dict | None = None,
        nested: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.kind, self.draft, self.nested = kind, draft, nested
        self.question = question or {}
        self.siblings = siblings
        self.fields["pattern"].choices = [
            ("", gettext_lazy("any")),
            *validators.pattern_choices(),
            (CUSTOM_PATTERN, gettext_lazy("your own regular expression")),
        ]
        if not kind.input:
            for name in self.COMMON:
                del self.fields[name]
            self.fields["label"].label = gettext_lazy("Text")
            self.fields["label"].widget = forms.Textarea(attrs={"rows": 3})
        self.config = config_fields(kind)
        for config in self.config:
            self.fields[f"config_{config.name}"] = config.field()
        self.condition = None
        if not nested:
            self.condition = ConditionFields(
                self, "when_", draft, rows=3, exclude=self.question.get("key", "")
            )
        if not self.is_bound:
            self.initial.update(self._initial())

    def _initial(self) -> dict[str, Any]:
        question = self.question
        values: dict[str, Any] = {
            name: question.get(name)
            for name in ("label", "key", "help", "required", "error_message", "unique")
        }
        values.update(
            {name: question.get(name, False) for name in ("backoffice_only", "column", "filter")}
        )
        values["anonymise"] = question.get("anonymise", True)
        pattern = question.get("pattern") or ""
        if pattern.startswith(CUSTOM_PATTERN):
            values["pattern"], values["custom_pattern"] = CUSTOM_PATTERN, pattern[3:]
        else:
            values["pattern"] = pattern
        config = question.get("config") if isinstance(question.get("config"), dict) else {}
        for field in self.config:
            values[f"config_{field.name}"] = field.initial(config.get(field.name, field.default))
        if self.condition is not None:
            values.update(self.condition.initial(question.get("when")))
        return values

    # --- for the template ---

    def common_fields(self):
        return [
            self[name] for name in ("label", "key", "help", *self.COMMON) if name in self.fields
        ]

    def config_bound_fields(self):
        return [self[f"config_{config.name}"] for config in self.config]

    # --- checking ---

    def clean(self):
        data = super().clean()
        if self.kind.input and self.kind.shown and not (data.get("label") or "").strip():
            self.add_error("label", _("A question needs a label."))
        key = data.get("key") or _free_key(
            _key_from(data.get("label", ""))[:40] or "question",
            self._taken_keys() - {self.question.get("key")},
        )
        if not fd.KEY.match(key):
            self.add_error("key", KEY_HELP)
        elif key != self.question.get("key") and key in self._taken_keys():
            self.add_error(
                "key", _("Another question already has the key “%(key)s”.") % {"key": key}
            )
        data["key"] = key
        data["pattern_value"] = self._pattern(data)
        data["config"] = self._config(data)
        data["when"] = self.condition.clean(data) if self.condition is not None else None
        return data

    def _taken_keys(self) -> set[str]:
        if self.nested:
            return {q.get("key") for q in self.siblings if isinstance(q, dict)}
        return set(questions_by_key(self.draft))

    def _pattern(self, data: dict) -> str:
        choice = data.get("pattern") or ""
        if choice != CUSTOM_PATTERN:
            return choice
        regex = (data.get("custom_pattern") or "").strip()
        if not regex:
            self.add_error("custom_pattern", _("Write the regular expression."))
            return ""
        pattern = CUSTOM_PATTERN + regex
        error = validators.pattern_error(pattern)
        if error:
            self.add_error("custom_pattern", error)
        return pattern

    def _config(self, data: dict) -> dict[str, Any]:
        previous = self.question.get("config")
        config = dict(previous) if isinstance(previous, dict) else {}
        for field in self.config:
            name = f"config_{field.name}"
            if name in self.errors:
                continue
            try:
                config[field.name] = field.value(data.get(name))
            except ValueError as exc:
                self.add_error(name, str(exc))
        return config

    def as_question(self) -> dict:
        """The question's JSON; what the form does not edit (a group's questions, a plugin's
        configuration keys) is kept from the question as it was."""
        data = self.cleaned_data
        question: dict[str, Any] = {
            "key": data["key"],
            "type": self.kind.id,
            "label": (data.get("label") or "").strip(),
            "help": data.get("help") or "",
            "config": data["config"],
        }
        if self.kind.input:
            question.update(
                {
                    "required": bool(data.get("required")),
                    "error_message": data.get("error_message") or "",
                    "pattern": data["pattern_value"],
                    "unique": bool(data.get("unique")),
                    "backoffice_only": bool(data.get("backoffice_only")),
                    "anonymise": bool(data.get("anonymise")),
                    "column": bool(data.get("column")),
                    "filter": bool(data.get("filter")),
                }
            )
        if data.get("when"):
            question["when"] = data["when"]
        return question


# --- the whole draft, import -----------------------------------------------------------------


class DefinitionForm(forms.Form):
    definition = JSONBox(
        label=gettext_lazy("Definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 30}),
        help_text=gettext_lazy(
            "The whole draft. It is checked in full when saved: a malformed draft is refused "
            "and nothing changes."
        ),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Form file (JSON)"))
    workgroup = forms.ModelChoiceField(
        label=gettext_lazy("Workgroup"),
        queryset=None,
        required=False,
        help_text=gettext_lazy(
            "Agents of this workgroup process its responses; empty: every agent."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workgroup"].queryset = workgroups.assignable(user)
        if not workgroups.sees_all(user):
            # A form outside the agent's workgroups would vanish from their list at once.
            self.fields["workgroup"].required = True
            self.fields["workgroup"].help_text = gettext_lazy(
                "Agents of this workgroup process its responses."
            )
