"""The site's colours under the Bootstrap theme (name, logo and footer: Settings → Identity)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.contrib.settings.models import register_setting

from lutetia.site.current import CachedSiteSetting

from .colours import AA_CONTRAST, HEX, WHITE, contrast

colour_format = RegexValidator(
    HEX, _("Write a colour as # followed by six hexadecimal digits, for example #0b4f8a.")
)


def readable_on_white(value: str) -> None:
    """The colour carries white text (buttons) and sits on white (links): 4.5:1 both ways."""
    if not HEX.match(value or ""):
        return  # the format validator speaks
    ratio = contrast(value, WHITE)
    if ratio < AA_CONTRAST:
        raise ValidationError(
            _(
                "This colour is too light: its contrast with white is %(ratio).1f:1, and text "
                "needs at least 4.5:1 to be readable (WCAG 2.1 AA). Choose a darker shade."
            ),
            code="low_contrast",
            params={"ratio": ratio},
        )


@register_setting(icon="image")
class BootstrapIdentity(CachedSiteSetting):
    """Primary and secondary colours of the site (buttons, links, header band)."""

    primary_colour = models.CharField(
        _("primary colour"),
        max_length=7,
        default="#0b4f8a",
        validators=[colour_format, readable_on_white],
        help_text=_("Buttons, links and the header's band. At least 4.5:1 against white."),
    )
    secondary_colour = models.CharField(
        _("secondary colour"),
        max_length=7,
        default="#5c4a72",
        validators=[colour_format, readable_on_white],
        help_text=_("Secondary buttons and the footer. At least 4.5:1 against white."),
    )

    panels = [
        HelpPanel(
            content=_(
                "These colours apply when the site uses the Bootstrap theme. The name, logo "
                "and contact details are in Settings → Identity."
            )
        ),
        FieldPanel("primary_colour"),
        FieldPanel("secondary_colour"),
    ]

    class Meta:
        verbose_name = _("Colours (Bootstrap theme)")
        verbose_name_plural = _("Colours (Bootstrap theme)")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
