"""System checks for plugins: mistakes surface when the server starts, with clear messages."""

from __future__ import annotations

from collections.abc import Iterable

from django.core import checks
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

import lutetia

from .base import CATEGORIES, PluginConfig, plugin_configs
from .discovery import problems


@checks.register("lutetia")
def check_plugins(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Discovery problems (E001), then each installed plugin's metadata (E002-E007)."""
    return discovery_errors() + plugin_errors(plugin_configs())


def discovery_errors() -> list[checks.CheckMessage]:
    """Entry points left out of INSTALLED_APPS: failed imports, labels already taken (E001)."""
    return [
        checks.Error(
            f"Plugin {item.entry_point!r} ({item.target}, from {item.distribution}) {item.error}.",
            hint="Fix or uninstall that distribution; the site starts without it only once it is gone.",
            id="lutetia.E001",
        )
        for item in problems()
    ]


def plugin_errors(
    configs: Iterable[PluginConfig], core_version: str | None = None
) -> list[checks.CheckMessage]:
    """What is wrong with these plugins' metadata, taken together (E002-E007).

    ``configs`` are the installed plugins (a requirement outside them is missing);
    ``core_version`` defaults to this Lutetia's.
    """
    errors: list[checks.CheckMessage] = []
    installed = {cfg.label: cfg for cfg in configs}
    core = Version(core_version or lutetia.__version__)
    for cfg in installed.values():
        for required in cfg.requires:
            if required not in installed:
                errors.append(
                    checks.Error(
                        f"Plugin {cfg.label!r} requires the plugin {required!r}, which is not installed.",
                        hint=f"Install the distribution that provides {required!r}, or uninstall {cfg.label!r}.",
                        obj=cfg,
                        id="lutetia.E002",
                    )
                )
        if cfg.compatibility:
            try:
                spec = SpecifierSet(cfg.compatibility)
            except InvalidSpecifier:
                errors.append(
                    checks.Error(
                        f"Plugin {cfg.label!r} declares compatibility {cfg.compatibility!r}, "
                        "which is not a version specifier.",
                        hint='Write it like ">=0.1,<1".',
                        obj=cfg,
                        id="lutetia.E003",
                    )
                )
            else:
                if not spec.contains(core, prereleases=True):
                    errors.append(
                        checks.Error(
                            f"Plugin {cfg.label!r} works with Lutetia {cfg.compatibility}, "
                            f"not with this Lutetia {core}.",
                            hint="Install a release of the plugin made for this Lutetia.",
                            obj=cfg,
                            id="lutetia.E004",
                        )
                    )
        if cfg.category not in CATEGORIES:
            errors.append(
                checks.Error(
                    f"Plugin {cfg.label!r} has category {cfg.category!r}.",
                    hint=f"Use one of {', '.join(CATEGORIES)}.",
                    obj=cfg,
                    id="lutetia.E005",
                )
            )
        if not cfg.version or not cfg.description:
            errors.append(
                checks.Error(
                    f"Plugin {cfg.label!r} must declare a version and a description.",
                    obj=cfg,
                    id="lutetia.E006",
                )
            )
        if cfg.label in cfg.requires:
            errors.append(
                checks.Error(f"Plugin {cfg.label!r} requires itself.", obj=cfg, id="lutetia.E007")
            )
    return errors
