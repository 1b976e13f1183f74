"""Template context of every page: the current theme and the layout it gives."""

from __future__ import annotations

from django.template.loader import get_template
from django.utils.functional import SimpleLazyObject, cached_property

from .themes import current_theme


class ThemeLayout:
    """``{% extends ui_layout %}``: the current theme's layout, looked up on first use.

    Django's ``{% extends %}`` accepts any object with a ``template`` attribute; a page that
    does not extend it (the back office) never looks the theme up.
    """

    @cached_property
    def template(self):
        return get_template(current_theme().layout).template

    def __str__(self) -> str:
        return current_theme().layout


def theme(request):
    """``ui_theme`` (the `Theme`) and ``ui_layout`` (what ``lutetia_ui/base.html`` extends)."""
    return {"ui_theme": SimpleLazyObject(current_theme), "ui_layout": ThemeLayout()}
