"""`PluginConfig`: the AppConfig every Lutetia plugin subclasses, with its metadata."""

from __future__ import annotations

from django.apps import AppConfig

CATEGORIES = ("service", "feature", "theme", "integration")


class PluginConfig(AppConfig):
    """A Lutetia plugin: a Django app found through the ``lutetia.plugins`` entry-point group.

    ``verbose_name`` is the plugin's human name. ``ready()`` must only import receivers and
    registrations: no queries, no settings read at import time.
    """

    #: the plugin's release, e.g. "1.2.0" (normally its distribution's version)
    version: str = ""
    #: one sentence saying what a city gets from it
    description: str = ""
    #: one of CATEGORIES
    category: str = "feature"
    #: labels of the plugins this one needs (it may import their models, and only theirs)
    requires: tuple[str, ...] = ()
    #: the Lutetia versions it works with, as a PEP 440 specifier (e.g. ">=0.1,<1")
    compatibility: str = ""
    #: module of its front-office URLs, mounted under /services/<url_prefix>/ (Lutece "XPage")
    urls: str | None = None
    #: the path segment under /services/; defaults to the label with "_" turned into "-"
    url_prefix: str | None = None
    #: the state of the plugin on a site where nobody switched it on or off yet
    default_enabled: bool = True
    #: front-office addresses the accessibility gate visits (tests/browser/test_accessibility.py);
    #: None: its /services/<url_prefix>/ page when it has URLs; () for none (a theme's files)
    a11y_urls: tuple[str, ...] | None = None

    is_lutetia_plugin = True

    def get_url_prefix(self) -> str:
        """The path segment of its front-office URLs, under /services/."""
        return self.url_prefix or self.label.replace("_", "-")


def plugin_configs() -> list[PluginConfig]:
    """Installed plugins, in INSTALLED_APPS order."""
    from django.apps import apps

    return [cfg for cfg in apps.get_app_configs() if isinstance(cfg, PluginConfig)]


def get_plugin(label: str) -> PluginConfig | None:
    """The installed plugin labelled ``label``, or None."""
    for cfg in plugin_configs():
        if cfg.label == label:
            return cfg
    return None
