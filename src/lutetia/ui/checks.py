"""System checks of the theme layer: the configured theme is installed, every theme is whole."""

from __future__ import annotations

from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template


@checks.register("lutetia")
def check_themes(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``LUTETIA_THEME`` names an installed theme; each theme has its layout and components."""
    from .components import COMPONENTS
    from .themes import configured_theme_id, themes

    errors: list[checks.CheckMessage] = []
    if configured_theme_id() not in themes:
        errors.append(
            checks.Error(
                f"LUTETIA_THEME: no theme {configured_theme_id()!r} is installed; "
                f"installed themes: {', '.join(sorted(themes)) or 'none'}.",
                hint="Set LUTETIA_THEME to one of them, or install the theme's plugin.",
                id="lutetia_ui.E001",
            )
        )
    for theme_id, theme in themes.items():
        missing = []
        for template_name in [
            theme.layout,
            *(theme.component_template(name) for name in COMPONENTS),
        ]:
            try:
                get_template(template_name)
            except TemplateDoesNotExist:
                missing.append(template_name)
        if missing:
            errors.append(
                checks.Error(
                    f"Theme {theme_id!r} lacks {len(missing)} template(s): {', '.join(missing)}.",
                    hint="A theme implements every component of lutetia.ui.components.",
                    obj=theme,
                    id="lutetia_ui.E002",
                )
            )
    return errors
