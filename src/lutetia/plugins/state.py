"""Which plugins are on for which site: read from the cache, changed through `set_enabled()`."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .base import PluginConfig, get_plugin, plugin_configs

CACHE_KEY = "lutetia:plugins:enabled:{site_id}"


def enabled_labels(site) -> frozenset[str]:
    """Labels of the plugins switched on for ``site`` (all defaults when there is no site)."""
    if site is None:
        return frozenset(cfg.label for cfg in plugin_configs() if cfg.default_enabled)
    key = CACHE_KEY.format(site_id=site.pk)
    labels = cache.get(key)
    if labels is None:
        from .models import PluginActivation

        stored = dict(PluginActivation.objects.filter(site=site).values_list("plugin", "enabled"))
        labels = frozenset(
            cfg.label for cfg in plugin_configs() if stored.get(cfg.label, cfg.default_enabled)
        )
        cache.set(key, labels, None)
    return labels


def is_enabled(site, label: str) -> bool:
    """Whether the plugin ``label`` is switched on for ``site``."""
    return label in enabled_labels(site)


def forget(site) -> None:
    """Drop the cached state of ``site``: the next read comes from the database."""
    cache.delete(CACHE_KEY.format(site_id=site.pk))


def set_enabled(site, label: str, enabled: bool, user=None) -> PluginConfig:
    """Switch a plugin on or off for a site, keeping `requires` consistent.

    Refuses (ValidationError) to switch on a plugin whose requirements are off, or to switch off
    a plugin that another switched-on plugin requires. The plugin's data is never touched.
    """
    from .models import PluginActivation

    cfg = get_plugin(label)
    if cfg is None:
        raise ValidationError(
            _("There is no installed plugin called “%(label)s”.") % {"label": label}
        )
    current = enabled_labels(site)
    if enabled:
        missing = [req for req in cfg.requires if req not in current]
        if missing:
            raise ValidationError(
                _("“%(plugin)s” needs %(missing)s: switch it on first.")
                % {"plugin": cfg.verbose_name, "missing": ", ".join(_names(missing))}
            )
    else:
        dependants = [
            other.label
            for other in plugin_configs()
            if label in other.requires and other.label in current
        ]
        if dependants:
            raise ValidationError(
                ngettext(
                    "%(dependants)s needs “%(plugin)s”: switch it off first.",
                    "%(dependants)s need “%(plugin)s”: switch them off first.",
                    len(dependants),
                )
                % {"plugin": cfg.verbose_name, "dependants": ", ".join(_names(dependants))}
            )
    from lutetia import audit

    with transaction.atomic():
        PluginActivation.objects.update_or_create(
            site=site, plugin=label, defaults={"enabled": enabled, "changed_by": user}
        )
        audit.record(
            user,
            "plugins.enabled" if enabled else "plugins.disabled",
            ("plugin", label, str(cfg.verbose_name)),
            details={"site": site.pk},
            category="admin",
        )
        transaction.on_commit(lambda: forget(site))
    forget(site)
    from .signals import plugin_state_changed

    plugin_state_changed.send(sender=type(cfg), site=site, plugin=cfg, enabled=enabled)
    return cfg


def _names(labels: list[str]) -> list[str]:
    return [
        f"“{get_plugin(label).verbose_name}”" if get_plugin(label) else f"“{label}”"
        for label in labels
    ]
