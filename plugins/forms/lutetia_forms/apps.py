"""Forms: the plugin's metadata; ``ready()`` only imports its registrations and receivers."""

from django.utils.translation import gettext_lazy as _

from lutetia.plugins import PluginConfig


class FormsConfig(PluginConfig):
    name = "lutetia_forms"
    label = "forms"
    verbose_name = _("Forms")
    # Keep in step with pyproject.toml.
    version = "0.1.0"
    description = _(
        "Administrators put procedures online as multi-step forms without code; citizens fill "
        "them, save drafts and send documents; agents process the responses."
    )
    category = "service"
    requires = ()
    compatibility = ">=0.1,<1"
    urls = "lutetia_forms.urls"
    default_auto_field = "django.db.models.BigAutoField"
    # The list and the demo's canteen form; the steps are walked by tests/test_forms_browser.py
    # (a draft is needed to open them).
    a11y_urls = ("/services/forms/", "/services/forms/canteen/")

    def ready(self) -> None:
        from . import jobs, receivers, resources  # noqa: F401
        from .questions import builtin, shared  # noqa: F401

        shared.offer_shareable()
