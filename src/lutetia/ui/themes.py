"""Themes: one implementation of every `lutetia.ui.components` component per CSS framework.

A theme is a plugin that registers a `Theme` in its ``AppConfig.ready()``::

    from lutetia.ui.themes import Theme, themes

    themes.register("bootstrap")(
        Theme(
            id="bootstrap",
            verbose_name=_("Bootstrap 5"),
            description=_("A neutral municipal look; identity from the site's settings."),
            template_prefix="theme_bootstrap",
        )
    )

and ships ``templates/<template_prefix>/layout.html`` (the page layout every front-office page
extends) and ``templates/<template_prefix>/components/<name>.html`` for each component.

Which theme a request gets: the site's choice (Settings → Theme, `ThemeSettings`), else the
configured default (``LUTETIA_THEME``). `ThemeMiddleware` puts it in a context variable, so
template tags and the form renderer find it without being handed the request.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import get_template

from lutetia.plugins.registry import Registry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Theme:
    """What a theme plugin declares; its templates live under ``template_prefix``."""

    id: str
    verbose_name: str
    template_prefix: str
    description: str = ""
    #: Static files the layout links (the theme's own layout decides where).
    stylesheets: tuple[str, ...] = field(default_factory=tuple)
    scripts: tuple[str, ...] = field(default_factory=tuple)
    #: A class every page in this theme carries and no other theme's page does: the tests
    #: check with it that each page wears its theme's framework.
    signature_class: str = ""

    @property
    def layout(self) -> str:
        """The template every front-office page extends (through ``lutetia_ui/base.html``)."""
        return f"{self.template_prefix}/layout.html"

    def component_template(self, name: str) -> str:
        """The template of component ``name`` in this theme."""
        return f"{self.template_prefix}/components/{name}.html"

    def template(self, name: str):
        """The compiled template of component ``name`` (Django's engine template).

        Kept once found where the template loaders cache too (``DEBUG`` off): a page calls
        dozens of components, and each lookup would walk the loaders' cache key again.
        """
        if settings.DEBUG:
            return get_template(self.component_template(name)).template
        key = (self.template_prefix, name)
        found = _compiled.get(key)
        if found is None:
            found = _compiled[key] = get_template(self.component_template(name)).template
        return found


#: Compiled component templates, by (template prefix, component name); see `Theme.template`.
_compiled: dict[tuple[str, str], Any] = {}


@receiver(setting_changed)
def _forget_compiled_templates(setting, **kwargs):
    if setting in ("TEMPLATES", "DEBUG"):
        _compiled.clear()


#: Every installed theme, by id.
themes: Registry[Theme] = Registry("themes")

#: The current request's theme, or what finds it (called once, on first use: a request that
#: renders no themed page, a health probe say, never reads the site's settings).
_current: contextvars.ContextVar[Theme | Callable[[], Theme] | None] = contextvars.ContextVar(
    "lutetia_ui_theme", default=None
)


class UnknownTheme(LookupError):
    """A theme id that no installed plugin registered."""


def configured_theme_id() -> str:
    """The default theme's id (``LUTETIA_THEME``)."""
    return settings.LUTETIA_THEME


def get_theme(theme_id: str) -> Theme:
    """The installed theme ``theme_id``; `UnknownTheme` naming the installed ones otherwise."""
    theme = themes.get(theme_id)
    if theme is None:
        installed = ", ".join(sorted(themes)) or "none"
        raise UnknownTheme(f"no theme {theme_id!r} is installed (installed: {installed})")
    return theme


def default_theme() -> Theme:
    """The configured theme (start-up checks that it is installed)."""
    return get_theme(configured_theme_id())


def theme_for_site(site) -> Theme:
    """The theme ``site`` chose in its settings, else the configured one.

    A site whose chosen theme was uninstalled since gets the configured one, and a warning in
    the logs: its visitors still see a page.
    """
    from .models import ThemeSettings

    chosen = ThemeSettings.for_site(site).theme if site is not None else ""
    if chosen:
        try:
            return get_theme(chosen)
        except UnknownTheme:
            logger.warning("site %s chose theme %r, which is not installed", site.pk, chosen)
    return default_theme()


def current_theme() -> Theme:
    """The theme of the request being answered, else the configured one (commands, tasks)."""
    current = _current.get()
    if callable(current):
        current = current()
        _current.set(current)
    return current or default_theme()


def activate(theme: Theme | Callable[[], Theme] | None) -> contextvars.Token:
    """Make ``theme`` (or what ``theme()`` returns, on first use) the current one; give the
    token back to `deactivate`."""
    return _current.set(theme)


def deactivate(token: contextvars.Token) -> None:
    _current.reset(token)
