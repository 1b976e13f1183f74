"""``{% ui %}`` and ``{% uiblock %}``: call a component of the contract in the current theme.

    {% load ui %}
    {% ui "button" label=_("Send") variant="secondary" %}
    {% uiblock "alert" level="error" title=_("Check the form") %}<p>…</p>{% enduiblock %}
    {% ui "form" form=form submit_label=_("Send") %}

Parameters are checked against `lutetia.ui.components.COMPONENTS`; see there for strictness.
"""

from __future__ import annotations

import logging

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.template import Context
from django.template.base import token_kwargs
from django.utils.safestring import mark_safe

from ..components import ComponentError, get_component
from ..themes import current_theme

register = template.Library()
logger = logging.getLogger("lutetia.ui")

#: Components that post a form, with the parameter that says they do: the tag gives them the
#: CSRF token when the caller did not. Only then: a token sets a cookie, and a page with a new
#: cookie is never cached (the header of a signed-out visitor posts nothing).
POSTS_A_FORM = {
    "form": lambda values: values.get("method") == "post",
    "header": lambda values: bool(values.get("sign_out_url")),
}


def render_component(name: str, params: dict, context=None, content: str | None = None) -> str:
    """HTML of component ``name`` in the current theme (``context``: the caller's, if any)."""
    component = get_component(name)
    if content is not None and component.block:
        params = {**params, "content": mark_safe(content)}  # noqa: S308 - rendered template output
    values = component.values(params, has_content=content is not None)
    request = getattr(context, "request", None) if context is not None else None
    posts = name in POSTS_A_FORM and POSTS_A_FORM[name](values)
    if posts and not values.get("csrf_token") and request is not None:
        values["csrf_token"] = get_token(request)
    theme = current_theme()
    values["ui_theme"] = theme
    values["request"] = request
    # A plain Context, no request: context processors would run again for each component.
    return theme.template(name).render(Context(values))


def _safely(render):
    """Raise in strict mode (tests, development); log and render nothing in production."""
    try:
        return render()
    except ComponentError:
        if settings.LUTETIA_UI_STRICT:
            raise
        logger.exception("a component was called against its contract")
        return ""


class ComponentNode(template.Node):
    def __init__(self, name, kwargs, nodelist=None):
        self.name, self.kwargs, self.nodelist = name, kwargs, nodelist

    def render(self, context):
        name = self.name.resolve(context)
        params = {key: value.resolve(context) for key, value in self.kwargs.items()}
        content = self.nodelist.render(context) if self.nodelist is not None else None
        return _safely(lambda: render_component(name, params, context, content))


def _parse(parser, token, block: bool):
    bits = token.split_contents()
    tag = bits[0]
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{tag} needs the component's name")
    name = parser.compile_filter(bits[1])
    rest = bits[2:]
    kwargs = token_kwargs(rest, parser, support_legacy=False)
    if rest:
        raise template.TemplateSyntaxError(
            f"{tag}: parameters are name=value pairs, got {' '.join(rest)!r}"
        )
    nodelist = None
    if block:
        nodelist = parser.parse(("enduiblock",))
        parser.delete_first_token()
    return ComponentNode(name, kwargs, nodelist)


@register.tag("ui")
def ui_tag(parser, token):
    """``{% ui "name" param=value ... %}``."""
    return _parse(parser, token, block=False)


@register.tag("uiblock")
def uiblock_tag(parser, token):
    """``{% uiblock "name" param=value ... %}content{% enduiblock %}``."""
    return _parse(parser, token, block=True)


# --- helpers for the themes' form templates ----------------------------------------------------


def hint_id(field) -> str:
    """The id of a field's hint: ``<field id>-hint`` (every theme uses the same)."""
    return f"{field.auto_id}-hint"


def error_id(field) -> str:
    """The id of a field's error message: ``<field id>-error``."""
    return f"{field.auto_id}-error"


@register.simple_tag
def ui_widget(field, **attrs):
    """The field's input with the theme's attributes, described by its hint and its errors.

    ``{% ui_widget field class="form-control" %}``; ``aria_describedby`` style names become
    ``aria-describedby``. A field in error gets ``aria-invalid="true"``.
    """
    final = {
        key.replace("_", "-"): value for key, value in attrs.items() if value not in (None, False)
    }
    described = [final.pop("aria-describedby")] if final.get("aria-describedby") else []
    if field.help_text:
        described.append(hint_id(field))
    if field.errors:
        described.append(error_id(field))
        final["aria-invalid"] = "true"
    if described:
        final["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=final)


@register.filter
def ui_hint_id(field) -> str:
    return hint_id(field)


@register.filter
def ui_error_id(field) -> str:
    return error_id(field)
