"""Kinds of questions one plugin defines and other plugins ask, without importing it.

The forms plugin offers here each of its question types that needs nothing but the question
(text, number, date, time, choices, address... and the types other plugins add to it). A plugin
that asks a few questions of its own (appointments, once the slot is chosen) accepts them
beside its plain ones while the offering plugin is on for the site, and keeps asking them with
a plain text field if that plugin is later removed.

A kind works from a plain question, as stored in JSON::

    {"key": "siret", "label": "SIRET number", "type": "forms.siret", "required": true,
     "help": "", "config": {...}}

and tells the asking plugin's back office how its ``config`` is edited: the form fields, named
after the configuration keys (``config_fields``), their initial values from a stored config
(``config_initial``) and the config from their cleaned values (``config_value``), so that an
administrator never types JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from lutetia.plugins import Registry, enabled_labels


@dataclass(frozen=True)
class SharedQuestionKind:
    #: the plugin that offers it: offered on the sites where that plugin is on
    plugin: str
    label: Any
    #: ``fields(question) -> {name: field}``, the first named after the question's key
    fields: Callable[[dict], dict[str, forms.Field]]
    #: ``value(question, cleaned_data) -> JSON answer`` (cleaned data keyed by those names)
    value: Callable[[dict, dict], Any]
    #: ``display(question, answer) -> str``: the answer as a line of text
    display: Callable[[dict, Any], str]
    #: ``check(question) -> [problem, ...]``: its configuration, as sentences
    check: Callable[[dict], list[str]]
    #: ``config_fields() -> {config key: form field}``: how its configuration is edited
    config_fields: Callable[[], dict[str, forms.Field]] = lambda: {}
    #: ``config_initial(config) -> {config key: initial value}`` of those fields
    config_initial: Callable[[dict], dict] = lambda config: dict(config)
    #: ``config_value(cleaned) -> config`` from the fields' cleaned values (by config key);
    #: `ValidationError` by config key for a value that is not one
    config_value: Callable[[dict], dict] = lambda cleaned: dict(cleaned)


shared_question_kinds: Registry[SharedQuestionKind] = Registry("shared question kinds")


def offered(site) -> dict[str, SharedQuestionKind]:
    """The kinds whose plugin is on for ``site``, by id."""
    on = enabled_labels(site)
    return {id: kind for id, kind in shared_question_kinds.items() if kind.plugin in on}
