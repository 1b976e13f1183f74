"""Find plugins through the ``lutetia.plugins`` entry-point group, for INSTALLED_APPS.

Discovery runs while settings load, so it only imports each plugin's ``apps`` module (no
models). What goes wrong is kept, not raised: the system checks report it with a clear
message, and `lutetia` refuses to start.
"""

from __future__ import annotations

import importlib.metadata
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

ENTRY_POINT_GROUP = "lutetia.plugins"


@dataclass(frozen=True)
class Discovered:
    """One entry point of the group, inspected: where it points, its label, or what went wrong."""

    entry_point: str  # the entry point's name
    target: str  # "package.apps:SomeConfig"
    distribution: str
    app: str = ""  # the dotted path put into INSTALLED_APPS
    label: str = ""
    error: str = ""


#: Where entry points come from: a callable returning objects with ``name``, ``value`` and
#: ``dist`` (``dist.name``), like ``importlib.metadata.EntryPoint``. Tests pass their own to
#: `discover()` instead of patching ``importlib.metadata``.
EntryPointSource = Callable[[], Iterable[Any]]

_found: list[Discovered] | None = None


def installed_entry_points() -> Iterable[importlib.metadata.EntryPoint]:
    """The entry points of the ``lutetia.plugins`` group in the installed distributions."""
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def _inspect(ep: Any) -> Discovered:
    dist = ep.dist.name if ep.dist else "?"
    dotted = ep.value.replace(":", ".")
    base = Discovered(entry_point=ep.name, target=ep.value, distribution=dist)
    try:
        cls = import_string(dotted)
    except Exception as exc:  # any failure of a third-party import is reported, not raised
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return Discovered(**{**base.__dict__, "error": f"cannot be imported: {last}"})
    from .base import PluginConfig

    if not (isinstance(cls, type) and issubclass(cls, PluginConfig)):
        return Discovered(**{**base.__dict__, "error": "does not point at a PluginConfig subclass"})
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        # Django would only fail later, with an AttributeError nobody can read at start-up.
        return Discovered(**{**base.__dict__, "error": "has no `name` (its package's dotted path)"})
    label = cls.__dict__.get("label") or name.rpartition(".")[2]
    return Discovered(**{**base.__dict__, "app": dotted, "label": label})


def discover(refresh: bool = False, source: EntryPointSource | None = None) -> list[Discovered]:
    """Every entry point of the group, inspected, sorted by name for a stable order.

    The result is kept for the life of the process; ``refresh=True`` looks again, in
    ``source`` when given (tests), else in the installed distributions.
    """
    global _found
    if _found is None or refresh:
        eps = sorted((source or installed_entry_points)(), key=lambda ep: (ep.name, ep.value))
        seen: set[tuple[str, str]] = set()
        found = []
        for ep in eps:
            # The same distribution can be on sys.path twice (editable + site); count it once.
            if (ep.name, ep.value) in seen:
                continue
            seen.add((ep.name, ep.value))
            found.append(_inspect(ep))
        _found = found
    return _found


def installable_apps() -> list[str]:
    """Dotted AppConfig paths for INSTALLED_APPS: the healthy plugins, first of each label."""
    apps, labels = [], set()
    for item in discover():
        if item.error or item.label in labels:
            continue
        labels.add(item.label)
        apps.append(item.app)
    return apps


def problems() -> list[Discovered]:
    """Entry points left out: failed imports and labels already taken."""
    out, labels = [], set()
    for item in discover():
        if item.error:
            out.append(item)
        elif item.label in labels:
            out.append(
                Discovered(
                    **{
                        **item.__dict__,
                        "error": f"its label {item.label!r} is already taken by another plugin",
                    }
                )
            )
        else:
            labels.add(item.label)
    return out
