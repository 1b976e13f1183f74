"""Texts administrators write with placeholders: ``Your request {{ reference }} is {{ state }}``.

Rendered by a Django template engine of its own that reaches no template file (no loader has a
folder), with no custom tag libraries, and without HTML escaping (the texts are plain text:
e-mails, SMS). A text that does not compile is refused when the workflow is saved.
"""

from __future__ import annotations

from functools import cache

from django import forms
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _


@cache
def engine() -> Engine:
    return Engine(dirs=[], app_dirs=False, autoescape=False, libraries={}, debug=False)


def render(text: str, variables: dict) -> str:
    return engine().from_string(text).render(Context(variables, autoescape=False))


def check(text: str) -> str:
    """``text`` unchanged if it compiles; ValidationError otherwise."""
    try:
        engine().from_string(text)
    except TemplateSyntaxError as exc:
        raise forms.ValidationError(
            _("This text has a mistake in its placeholders: %(error)s"), params={"error": exc}
        ) from exc
    return text


class TemplateTextField(forms.CharField):
    """A text with placeholders, checked when the configuration is saved."""

    def clean(self, value):
        return check(super().clean(value))
