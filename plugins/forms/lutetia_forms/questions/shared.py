"""The forms' question types offered to other plugins (`lutetia.questions`): each type that
needs nothing but the question (no file, no account, no sub-questions), as ``forms.<type>``.

The shipped types are offered when the plugin is ready; a plugin adding a type to the forms
may offer it too with ``offer("<type>")``."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from lutetia.questions import SharedQuestionKind, shared_question_kinds

from ..definition import Question
from .base import FillContext, question_types

PREFIX = "forms."


def _question(spec: dict, type_id: str) -> Question:
    return Question(
        key=str(spec.get("key", "")),
        type=type_id,
        label=str(spec.get("label", "")),
        help=str(spec.get("help", "")),
        required=bool(spec.get("required", False)),
        config=dict(spec.get("config") or {}),
    )


def offer(type_id: str) -> None:
    """Offer the registered type ``type_id`` to other plugins."""
    kind = question_types[type_id]

    def fields(spec):
        return kind.fields(_question(spec, type_id), FillContext(), None)

    def value(spec, cleaned):
        return kind.value(_question(spec, type_id), cleaned, FillContext())

    def display(spec, answer):
        return kind.display(_question(spec, type_id), answer)

    def check(spec):
        return kind.check(_question(spec, type_id))

    def settings():
        from ..builder_forms import config_fields  # the builder's own editing of a type

        return config_fields(kind)

    def config_fields():
        return {setting.name: setting.field() for setting in settings()}

    def config_initial(config):
        return {
            setting.name: setting.initial(config.get(setting.name, setting.default))
            for setting in settings()
        }

    def config_value(cleaned):
        config, problems = {}, {}
        for setting in settings():
            try:
                config[setting.name] = setting.value(cleaned.get(setting.name))
            except ValueError as exc:
                problems[setting.name] = str(exc)
        if problems:
            raise ValidationError(problems)
        return config

    shared_question_kinds.register(PREFIX + type_id)(
        SharedQuestionKind(
            plugin="forms",
            label=kind.label,
            fields=fields,
            value=value,
            display=display,
            check=check,
            config_fields=config_fields,
            config_initial=config_initial,
            config_value=config_value,
        )
    )


def offer_shareable() -> None:
    for type_id, kind in question_types.items():
        if (
            kind.input
            and kind.shown
            and kind.shareable
            and PREFIX + type_id not in shared_question_kinds
        ):
            offer(type_id)
