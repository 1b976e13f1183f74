"""Find plugins through the ``lutetia.plugins`` entry-point group, for INSTALLED_APPS.

Discovery runs while settings load, so it only imports each plugin's ``apps`` module (no
models). What goes wrong is kept, not raised: the system checks report it with a clear
message, and `lutetia` refuses to start.
"""

from __future__ import annotations

import importlib.metadata
import traceback
from dataclasses import dataclass

from django.utils.module_loading import import_string

ENTRY_POINT_GROUP = "lutetia.plugins"


@dataclass(frozen=True)
class Discovered:
    entry_point: str  # the entry point's name
    target: str  # "package.apps:SomeConfig"
    distribution: str
    app: str = ""  # the dotted path put into INSTALLED_APPS
    label: str = ""
    error: str = ""


_found: list[Discovered] | None = None


def _inspect(ep: importlib.metadata.EntryPoint) -> Discovered:
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
    label = cls.__dict__.get("label") or cls.name.rpartition(".")[2]
    return Discovered(**{**base.__dict__, "app": dotted, "label": label})


def discover(refresh: bool = False) -> list[Discovered]:
    """Every entry point of the group, inspected, sorted by name for a stable order."""
    global _found
    if _found is None or refresh:
        eps = sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: (ep.name, ep.value)
        )
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
                    **{**item.__dict__, "error": f"its label {item.label!r} is already taken by another plugin"}
                )
            )
        else:
            labels.add(item.label)
    return out
