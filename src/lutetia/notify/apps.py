from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "lutetia.notify"
    label = "lutetia_notify"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The built-in channels, then the periodic job that delivers what is due.
        from . import channels, jobs  # noqa: F401
