from lutetia.plugins import PluginConfig


class DummyConfig(PluginConfig):
    name = "lutetia_dummy"
    label = "dummy"
    verbose_name = "Dummy"
    version = "0.1.0"
    description = "Exercises the plugin framework in the core's own tests."
    category = "service"
    compatibility = ">=0.1"
    urls = "lutetia_dummy.urls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import jobs, receivers  # noqa: F401
