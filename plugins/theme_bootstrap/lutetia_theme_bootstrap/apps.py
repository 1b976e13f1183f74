"""Bootstrap theme: the plugin's metadata; ``ready()`` registers the theme."""

from django.utils.translation import gettext_lazy as _

from lutetia.plugins import PluginConfig


class ThemeBootstrapConfig(PluginConfig):
    name = "lutetia_theme_bootstrap"
    label = "theme_bootstrap"
    verbose_name = _("Bootstrap theme")
    # Keep in step with pyproject.toml.
    version = "0.1.0"
    description = _(
        "A neutral municipal look built on Bootstrap 5. The site's name, logo, colours and "
        "footer links come from its settings: any town, association or care home makes it "
        "theirs without touching a file."
    )
    category = "theme"
    requires = ()
    compatibility = ">=0.1,<1"
    urls = "lutetia_theme_bootstrap.urls"
    a11y_urls = ()  # its only address is the site's colours, a stylesheet
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lutetia.ui.themes import Theme, themes

        if "bootstrap" not in themes:
            themes.register("bootstrap")(
                Theme(
                    id="bootstrap",
                    verbose_name=_("Bootstrap 5"),
                    description=self.description,
                    template_prefix="theme_bootstrap",
                    stylesheets=("theme_bootstrap/vendor/bootstrap/css/bootstrap.min.css",),
                    scripts=("theme_bootstrap/vendor/bootstrap/js/bootstrap.bundle.min.js",),
                    signature_class="container",
                )
            )
