from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UiConfig(AppConfig):
    name = "lutetia.ui"
    label = "lutetia_ui"
    verbose_name = _("User interface")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the theme checks
        from .csp import patch_choosers

        patch_choosers()
