from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "lutetia.jobs"
    label = "lutetia_jobs"
    verbose_name = _("Periodic jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import housekeeping  # noqa: F401
