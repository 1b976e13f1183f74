"""The registry of notification channels; plugins add theirs from ``ready()`` (see `base`)."""

from __future__ import annotations

from lutetia.plugins.registry import Registry

from .base import Channel

channels: Registry[type[Channel]] = Registry("notification channels")
