"""Filters of the account templates: fields rendered with a visible label and no placeholder."""

from django import forms, template

register = template.Library()


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def without_placeholder(bound_field):
    """The field, without allauth's placeholder (the label says it, and stays visible) and
    with the ``autocomplete`` an e-mail field needs."""
    widget = bound_field.field.widget
    widget.attrs.pop("placeholder", None)
    if getattr(widget, "input_type", "") == "email":
        widget.attrs.setdefault("autocomplete", "email")
        widget.attrs.setdefault("spellcheck", "false")
    return bound_field


@register.filter
def must_use_mfa(user) -> bool:
    """Whether ``user`` needs a second factor to open the back office (the agents' setting)."""
    from django.conf import settings

    from lutetia.accounts import services

    return bool(settings.LUTETIA_MFA_REQUIRED_FOR_AGENTS and services.is_agent(user))
