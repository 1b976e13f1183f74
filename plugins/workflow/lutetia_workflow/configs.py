"""What task and condition types share: a configuration checked by its own Django form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from .definition import DefinitionError


class ConfigForm(forms.Form):
    """The configuration form of a task or condition type (the back office shows it too)."""


def clean_config(form_class: type[forms.Form] | None, config: dict, where: str) -> dict[str, Any]:
    """``config`` checked and normalised by ``form_class``; `DefinitionError` naming the fields."""
    if form_class is None:
        return {}
    form = form_class(data=config)
    if not form.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(str(message) for message in messages)}"
            for name, messages in form.errors.items()
        )
        raise DefinitionError(
            _("%(where)s: invalid configuration (%(problems)s).")
            % {"where": where, "problems": problems}
        )
    return {name: _json_value(value) for name, value in form.cleaned_data.items()}


def _json_value(value: Any) -> Any:
    """Form values as JSON can hold them (a model instance is kept by its natural key)."""
    if hasattr(value, "code"):
        return value.code
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    return value


class CommaSeparated(forms.CharField):
    """A list of texts written one per line or separated by commas; stored as a JSON list."""

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            items = [str(item) for item in value]
        else:
            text = super().to_python(value) or ""
            items = text.replace("\n", ",").split(",")
        return [item.strip() for item in items if item.strip()]

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, (list, tuple)) else value
