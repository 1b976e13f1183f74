"""Data blocks that replace inline scripts, so the Content-Security-Policy needs no
``unsafe-inline`` (read by ``lutetia_ui/admin/csp-init.js``)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Inside <script type="application/json"> only "</script>" or "<!--" could end the block; these
# characters never appear in JSON outside strings, where their \u escapes are equivalent.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def csp_init(initialiser: str, json_text, target: str = "", constructor: str = ""):
    """``<script type="application/json" data-lutetia-init="…">`` holding ready-made JSON.

    ``target``: the id of the element to initialise; ``constructor``: which of the allowed
    chooser classes (``csp-init.js`` keeps the list) builds it.
    """
    data = mark_safe(str(json_text).translate(_ESCAPES))  # noqa: S308 - escaped just above
    return format_html(
        '<script type="application/json" data-lutetia-init="{}"{}{}>{}</script>',
        initialiser,
        format_html(' data-target="{}"', target) if target else "",
        format_html(' data-constructor="{}"', constructor) if constructor else "",
        data,
    )
