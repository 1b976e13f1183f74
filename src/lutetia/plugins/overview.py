"""What is installed and what is on where: read by the back-office screen and ``lutetia plugins``.

Only reads; switching a plugin on or off goes through `lutetia.plugins.state.set_enabled`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .base import PluginConfig, plugin_configs
from .discovery import Discovered, problems
from .state import enabled_labels

#: The right to switch plugins on and off (superusers have every right).
MANAGE_PERMISSION = "lutetia_plugins.change_pluginactivation"

#: How each of `CATEGORIES` reads in the back office.
CATEGORY_NAMES = {
    "service": _("service"),
    "feature": _("feature"),
    "theme": _("theme"),
    "integration": _("integration"),
}


@dataclass(frozen=True)
class PluginRow:
    """One installed plugin, its metadata, its check errors and its state per site (by pk)."""

    label: str
    name: str
    version: str
    category: str
    description: str
    requires: tuple[str, ...]
    compatibility: str
    default_enabled: bool
    errors: tuple[str, ...] = ()
    enabled: dict[int, bool] = field(default_factory=dict)

    @property
    def category_name(self) -> str:
        """The category in the reader's language (an unknown one as written)."""
        return str(CATEGORY_NAMES.get(self.category, self.category))

    def enabled_on(self, site) -> bool:
        """Whether the plugin is on for ``site`` (one of the sites the row was built for)."""
        return self.enabled.get(site.pk, False)


def can_manage_plugins(user) -> bool:
    """Whether ``user`` may switch plugins on and off (superuser, or the right above)."""
    return bool(user and user.is_active and (user.is_superuser or user.has_perm(MANAGE_PERMISSION)))


def plugin_rows(sites: Iterable = ()) -> list[PluginRow]:
    """Installed plugins in INSTALLED_APPS order, with their state on each of ``sites``."""
    from .checks import plugin_errors

    configs = plugin_configs()
    errors: dict[str, list[str]] = {}
    for error in plugin_errors(configs):
        if isinstance(error.obj, PluginConfig):
            errors.setdefault(error.obj.label, []).append(error.msg)
    states = {site.pk: enabled_labels(site) for site in sites}
    return [
        PluginRow(
            label=cfg.label,
            name=str(cfg.verbose_name),
            version=cfg.version,
            category=cfg.category,
            description=str(cfg.description),
            requires=tuple(cfg.requires),
            compatibility=cfg.compatibility,
            default_enabled=cfg.default_enabled,
            errors=tuple(errors.get(cfg.label, ())),
            enabled={pk: cfg.label in labels for pk, labels in states.items()},
        )
        for cfg in configs
    ]


def discovery_problems() -> list[Discovered]:
    """Entry points left out of the site: failed imports, labels already taken."""
    return problems()
