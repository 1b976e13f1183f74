"""What citizens are shown of an agenda (its next free slot, a week's slots), kept briefly.

When a popular service opens, thousands of citizens load the calendar and try the same slots;
each refused hold shows the calendar again. Computing it each time reads the agenda's slots
for every page. Kept here for `SECONDS` per agenda, it is read once per agenda and second.

A change of places or slots made through this plugin (a hold, a booking, a cancellation, a
move, the rules or the slots changed in the back office) calls `changed`: the agenda's views
kept are dropped at once, in this process's cache, or in every process's where the cache is
shared (Redis). Elsewhere a view may be `SECONDS` late — as any page is the moment it is
shown; the booking re-checks in the database, and a refusal that finds a view late drops it
(views.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

#: How long a view is kept, in seconds (0: never kept).
SECONDS = 1


def _version_key(agenda_id: int) -> str:
    return f"appointments:shown:{agenda_id}"


def kept(agenda_id: int, what: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept under ``what`` for the agenda until it changes or `SECONDS` pass.
    Values are copied in and out of the cache: change them freely."""
    if SECONDS <= 0:
        return compute()
    version = cache.get(_version_key(agenda_id), 0)
    key = f"{_version_key(agenda_id)}:{version}:{what}"
    found = cache.get(key)
    if found is None:
        found = (compute(),)  # a tuple: None is a value too (no free slot)
        cache.set(key, found, SECONDS)
    return found[0]


def changed(*agenda_ids: int) -> None:
    """The places or slots of these agendas changed: what was kept of them is not shown again.
    Now, and again when the transaction commits (a view read meanwhile saw the old state)."""

    def drop():
        for agenda_id in set(agenda_ids):
            key = _version_key(agenda_id)
            try:
                cache.incr(key)
            except ValueError:  # no version yet (or culled): any new one will do
                cache.set(key, 1, None)

    drop()
    transaction.on_commit(drop)
