"""The site's choice of theme (Settings → Theme)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import register_setting

from lutetia.site.current import CachedSiteSetting


def validate_theme(value: str) -> None:
    """An installed theme's id, or empty for the configured default."""
    from .themes import themes

    if value and value not in themes:
        raise ValidationError(
            _("There is no theme “%(theme)s”; installed: %(installed)s."),
            code="unknown_theme",
            params={"theme": value, "installed": ", ".join(sorted(themes))},
        )


@register_setting(icon="image")
class ThemeSettings(CachedSiteSetting):
    """Which theme this site's front office wears; switching needs no restart."""

    theme = models.CharField(
        _("theme"),
        max_length=64,
        blank=True,
        validators=[validate_theme],
        help_text=_(
            "How every page of this site looks. Empty: the default theme of the installation."
        ),
    )

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("theme")


class ThemeSelect(forms.Select):
    """The installed themes, read when the form is shown (themes register at start-up)."""

    @property
    def choices(self):
        from .themes import default_theme, themes

        default = _("The installation's default (%(theme)s)") % {
            "theme": default_theme().verbose_name
        }
        return [("", default), *themes.choices()]

    @choices.setter
    def choices(self, value):
        """Ignored: the list is always the installed themes."""


ThemeSettings.panels = [FieldPanel("theme", widget=ThemeSelect)]
