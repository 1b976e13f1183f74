"""DSFR theme: the plugin's metadata; ``ready()`` registers the theme."""

from django.utils.translation import gettext_lazy as _

from lutetia.plugins import PluginConfig

#: The layout's static files (vendor.toml copies them from npm @gouvfr/dsfr).
VENDOR = "theme_dsfr/vendor/dsfr"


class ThemeDsfrConfig(PluginConfig):
    name = "lutetia_theme_dsfr"
    label = "theme_dsfr"
    verbose_name = _("DSFR theme")
    # Keep in step with pyproject.toml.
    version = "0.1.0"
    description = _(
        "The French State's design system (DSFR). Reserved to the French State's services: the "
        "State brand block “République française” and the Marianne font are the State's marks, "
        "and a city's site must not use this theme without the right to."
    )
    category = "theme"
    requires = ()
    compatibility = ">=0.1,<1"
    a11y_urls = ()  # no page of its own: the gate visits every page under every theme
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lutetia.ui.themes import Theme, themes

        if "dsfr" not in themes:
            themes.register("dsfr")(
                Theme(
                    id="dsfr",
                    verbose_name=_("French State design system (DSFR)"),
                    description=self.description,
                    template_prefix="theme_dsfr",
                    stylesheets=(f"{VENDOR}/dsfr.min.css", "theme_dsfr/theme.css"),
                    scripts=(
                        f"{VENDOR}/dsfr.module.min.js",
                        f"{VENDOR}/dsfr.nomodule.min.js",
                        "theme_dsfr/theme.js",
                    ),
                    signature_class="fr-container",
                )
            )
