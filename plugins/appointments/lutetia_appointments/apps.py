"""Appointments: the plugin's metadata; ``ready()`` only imports its registrations and receivers."""

from django.utils.translation import gettext_lazy as _

from lutetia.plugins import PluginConfig


class AppointmentsConfig(PluginConfig):
    name = "lutetia_appointments"
    label = "appointments"
    verbose_name = _("Appointments")
    # Keep in step with pyproject.toml.
    version = "0.1.0"
    description = _(
        "Citizens book appointments in shared agendas (identity papers, civil status, visits) "
        "that never overbook; agents see their calendars and handle the day's appointments."
    )
    category = "service"
    requires = ()
    compatibility = ">=0.1,<1"
    urls = "lutetia_appointments.urls"
    a11y_urls = ("/services/appointments/", "/services/appointments/identity-card/")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import jobs, receivers, resources  # noqa: F401
