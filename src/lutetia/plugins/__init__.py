"""The plugin framework: `PluginConfig`, discovery, `Registry[T]`, site-scoped signals, checks.

Public API for plugins::

    from lutetia.plugins import PluginConfig, Registry, SiteSignal, is_enabled
"""

from .base import CATEGORIES, PluginConfig, get_plugin, plugin_configs
from .registry import Registry
from .signals import SiteSignal
from .state import enabled_labels, is_enabled, set_enabled

__all__ = [
    "CATEGORIES",
    "PluginConfig",
    "Registry",
    "SiteSignal",
    "enabled_labels",
    "get_plugin",
    "is_enabled",
    "plugin_configs",
    "set_enabled",
]
