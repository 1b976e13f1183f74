"""Filters of the account templates: fields given to the theme with a visible label and no
placeholder, relabelled where a page says it better."""

from django import template

register = template.Library()


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


@register.filter
def relabel(bound_field, label):
    """The field with another label, for this page only: ``form.email|relabel:new_label``."""
    bound_field.label = label
    return bound_field


@register.filter
def as_connected_accounts(bound_field, legend):
    """allauth's "disconnect" radios, legend ``legend``, each account named with its provider."""
    from django.utils.translation import gettext

    def name(account):
        provider_account = account.get_provider_account()
        return gettext("%(provider)s: %(account)s") % {
            "provider": provider_account.get_brand()["name"],
            "account": provider_account,
        }

    bound_field.label = legend
    bound_field.field.label_from_instance = name
    return bound_field
