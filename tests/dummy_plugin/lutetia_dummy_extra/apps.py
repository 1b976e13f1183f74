from lutetia.plugins import PluginConfig


class DummyExtraConfig(PluginConfig):
    """Exercises `requires`, ``default_enabled = False`` and signal order after ``dummy``."""

    name = "lutetia_dummy_extra"
    label = "dummy_extra"
    verbose_name = "Dummy extra"
    version = "0.2.0"
    description = "Needs the dummy plugin; off on every site until switched on."
    category = "feature"
    requires = ("dummy",)
    compatibility = ">=0.1,<1"
    urls = "lutetia_dummy_extra.urls"
    default_enabled = False
    default_auto_field = "django.db.models.BigAutoField"
