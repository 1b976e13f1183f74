"""Contact: the plugin's metadata; ``ready()`` only connects its receivers."""

from django.utils.translation import gettext_lazy as _

from lutetia.plugins import PluginConfig


class ContactConfig(PluginConfig):
    name = "lutetia_contact"
    label = "contact"
    verbose_name = _("Contact")
    # Keep in step with pyproject.toml.
    version = "0.1.0"
    description = _(
        "Citizens write to the town hall from an online form; agents follow and answer the "
        "messages in the back office."
    )
    category = "service"
    requires = ()
    compatibility = ">=0.1,<1"
    urls = "lutetia_contact.urls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import api, receivers, resources  # noqa: F401
