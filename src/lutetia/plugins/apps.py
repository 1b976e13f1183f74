from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PluginsAppConfig(AppConfig):
    name = "lutetia.plugins"
    label = "lutetia_plugins"
    verbose_name = _("Plugins")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401
