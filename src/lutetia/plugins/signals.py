"""Site-scoped signals: like Django's, but a plugin's receivers run only on sites where it is on.

Receivers in the core (or any non-plugin app) always run. Receivers run in INSTALLED_APPS
order of their app, then in connection order, so the order is the same on every server.
Every signal documents its arguments and what receivers return.
"""

from __future__ import annotations

from typing import Any

import django.dispatch
from django.apps import apps

from .base import PluginConfig
from .state import enabled_labels


class SiteSignal(django.dispatch.Signal):
    """A signal sent for a site; ``send(sender, site=..., **kwargs)``."""

    def _plugin_of(self, receiver) -> PluginConfig | None:
        module = getattr(receiver, "__module__", None) or type(receiver).__module__
        cfg = apps.get_containing_app_config(module)
        return cfg if isinstance(cfg, PluginConfig) else None

    def _live_receivers_for(self, sender, site) -> list:
        receivers = self._live_receivers(sender)
        # Django ≥ 5.0 returns (sync, async) lists; plugins use sync receivers.
        if isinstance(receivers, tuple):
            receivers = list(receivers[0]) + list(receivers[1])
        enabled = enabled_labels(site)
        order = {cfg.label: i for i, cfg in enumerate(apps.get_app_configs())}
        chosen = []
        for position, receiver in enumerate(receivers):
            cfg = self._plugin_of(receiver)
            if cfg is not None and cfg.label not in enabled:
                continue
            rank = order.get(cfg.label, -1) if cfg is not None else -1
            chosen.append((rank, position, receiver))
        return [receiver for _rank, _position, receiver in sorted(chosen, key=lambda t: t[:2])]

    def send(self, sender: Any, site=None, **named: Any) -> list[tuple[Any, Any]]:  # type: ignore[override]
        return [
            (receiver, receiver(signal=self, sender=sender, site=site, **named))
            for receiver in self._live_receivers_for(sender, site)
        ]

    def send_robust(self, sender: Any, site=None, **named: Any) -> list[tuple[Any, Any]]:  # type: ignore[override]
        responses = []
        for receiver in self._live_receivers_for(sender, site):
            try:
                response = receiver(signal=self, sender=sender, site=site, **named)
            except Exception as err:
                import logging

                logging.getLogger("lutetia.plugins").exception(
                    "receiver %r of a site signal failed", receiver
                )
                responses.append((receiver, err))
            else:
                responses.append((receiver, response))
        return responses


#: Sent after a plugin was switched on or off for a site (a plain, not site-scoped, signal).
#: Arguments: ``site``, ``plugin`` (its PluginConfig), ``enabled`` (bool). Return: ignored.
plugin_state_changed = django.dispatch.Signal()
