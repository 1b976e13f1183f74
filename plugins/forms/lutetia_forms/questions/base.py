"""`QuestionType`: what one kind of question does, from the builder to the export.

A type turns a `Question` (its definition) into Django form fields for a step, turns the cleaned
data back into the JSON answer stored on the response, and shows an answer in the summary, the
back office, the PDF receipt and the exports. Plugins add types with ``@question_types.register``
(see builtin.py for the shipped ones)::

    from lutetia_forms.questions import QuestionType, question_types

    @question_types.register("siret")
    class Siret(QuestionType):
        label = _("SIRET number")
        def field(self, question, context):
            return forms.CharField(max_length=14, validators=[siret_validator])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from lutetia.plugins import Registry

from .. import validators

if TYPE_CHECKING:
    from ..definition import Question

Text = str | Promise


@dataclass
class FillContext:
    """What a type may need beyond the question: who fills, for which form, and how files are
    kept. Built by the runtime; types never read a request."""

    site: Any = None
    user: Any = None
    #: the draft or response being filled (None in a preview)
    response: Any = None
    #: True when an agent fills back-office questions
    agent: bool = False
    #: ``attach(question, uploaded_file) -> dict`` checks and keeps a file, returns its answer item
    attach: Any = None
    #: ``is_taken(question, value) -> bool`` for answers that must be unique
    is_taken: Any = None
    #: values given in the start link (hidden questions read them)
    start_values: dict[str, str] = field(default_factory=dict)


#: settings that hold numbers (checked by `QuestionType.check` for every type that has them)
NUMBERS = (
    "min",
    "max",
    "min_length",
    "max_length",
    "decimals",
    "max_count",
    "max_size_mb",
    "max_width",
    "max_height",
)


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


class QuestionType:
    """One kind of question. Subclass, set ``label``, override what differs, register."""

    id: str = ""
    label: Text = ""
    #: collects an answer (a heading does not)
    input: bool = True
    #: shown to the citizen as a field (a hidden or computed value is not)
    shown: bool = True
    #: works from the question alone (no file, account or sub-questions): other plugins may
    #: ask it (`questions.shared`)
    shareable: bool = True
    #: config keys an administrator sets, with their default (the builder shows them)
    config_defaults: dict[str, Any] = {}

    # --- the builder -----------------------------------------------------------------------

    def check(self, question: Question) -> list[str]:
        """Problems with the question's configuration, as sentences (empty: fine)."""
        problems = []
        if question.pattern and validators.pattern_error(question.pattern):
            problems.append(validators.pattern_error(question.pattern))
        for name in NUMBERS:
            value = question.config.get(name)
            if value in (None, "") or isinstance(self.config_defaults.get(name, ""), str):
                continue  # not a setting of this type, or a text one (a date limit)
            if isinstance(value, bool) or not _is_number(value):
                problems.append(_("The setting “%(name)s” must be a number.") % {"name": name})
        return problems

    # --- filling ---------------------------------------------------------------------------

    def fields(
        self, question: Question, context: FillContext, value: Any
    ) -> dict[str, forms.Field]:
        """The form fields for the question, by name (the first is the one errors link to).
        ``value`` is the stored answer, to show again."""
        built = self.field(question, context)
        built.label = question.label
        built.help_text = question.help
        built.required = question.required
        built.initial = self.initial(question, value)
        if question.error_message:
            built.error_messages["required"] = question.error_message
            built.error_messages["invalid"] = question.error_message
        if question.pattern:
            built.validators.append(validators.pattern_validator(question))
        return {question.key: built}

    def field(self, question: Question, context: FillContext) -> forms.Field:
        return forms.CharField()

    def initial(self, question: Question, value: Any) -> Any:
        return value

    def value(self, question: Question, cleaned: dict[str, Any], context: FillContext) -> Any:
        """The JSON answer from the step's cleaned data; ValidationError to refuse it."""
        return cleaned.get(question.key)

    def empty_value(self, question: Question) -> Any:
        return None

    # --- showing ---------------------------------------------------------------------------

    def display(self, question: Question, value: Any) -> str:
        """The answer as a line of text, in the active language."""
        if value is None or value == "":
            return ""
        return str(value)

    def export(self, question: Question, value: Any) -> Any:
        """One spreadsheet cell (text or number)."""
        return self.display(question, value)

    def search_text(self, question: Question, value: Any) -> str:
        """What full-text search finds the response by."""
        return self.display(question, value)

    def anonymised(self, question: Question, value: Any) -> Any:
        """What replaces the answer when the response is anonymised (None: removed)."""
        return None

    def files(self, value: Any) -> list[dict]:
        """The file items of the answer ({"id", "name", "size", "type"}): none but for files."""
        return []

    def __str__(self) -> str:
        return str(self.label)


class QuestionTypeRegistry(Registry[QuestionType]):
    """Question types by id; ``register`` takes the class and keeps one instance."""

    def register(self, id: str):  # type: ignore[override]
        record = super().register(id)

        def decorator(cls: type[QuestionType]) -> type[QuestionType]:
            instance = cls()
            instance.id = id
            record(instance)
            return cls

        return decorator

    def choices(self) -> list[tuple[str, str]]:
        return [(key, str(self[key].label)) for key in self]


question_types = QuestionTypeRegistry("question types")


def type_of(question: Question) -> QuestionType:
    """The question's type; KeyError naming it when no plugin registered it."""
    found = question_types.get(question.type)
    if found is None:
        raise KeyError(_("unknown question type “%(type)s”") % {"type": question.type})
    return found


def refuse(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)
