"""Time zones: which one a request is shown in, and local times typed by people.

Stored times are UTC (``USE_TZ``); only display converts. The zone of a request is the
signed-in person's own (``User.time_zone``), else the site's (Settings → Site identity), else
the installation's (``LUTETIA_TIME_ZONE``): see `lutetia.site.middleware.TimeZoneMiddleware`.

A local time a person types ("the appointment is at 02:30") is turned into an instant by
`make_aware_local`, which knows about daylight-saving changes: on the night the clocks go
forward a wall time may not exist (refused, with a message saying so); on the night they go
back it exists twice (the first occurrence is taken, the one before the clocks go back).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

#: Folders of the tz database that repeat other zones under other rules (leap seconds...).
_DUPLICATES = ("posix/", "right/")


@cache
def available_time_zones() -> frozenset[str]:
    """Every IANA zone name this machine's tz database knows ("Europe/Paris", "UTC"...)."""
    return frozenset(
        name for name in zoneinfo.available_timezones() if not name.startswith(_DUPLICATES)
    )


def time_zone_choices() -> list[tuple[str, str]]:
    """(name, label) of every zone, sorted, for a select."""
    return [(name, name.replace("_", " ")) for name in sorted(available_time_zones())]


def default_time_zone() -> str:
    """The installation's zone (``LUTETIA_TIME_ZONE``): a new site's default."""
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    """Refuse a name the tz database does not know."""
    if value not in available_time_zones():
        raise ValidationError(
            _("“%(zone)s” is not a known time zone: choose one from the list."),
            code="unknown_time_zone",
            params={"zone": value},
        )


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone called ``name``; None for an empty or unknown name."""
    if not name or name not in available_time_zones():
        return None
    return zoneinfo.ZoneInfo(name)


def zone_for(user=None, site=None) -> zoneinfo.ZoneInfo:
    """The zone to show times in: the person's own, else the site's, else the installation's.

    ``user`` may be anonymous or None; ``site`` a Wagtail ``Site``, None, or a function giving
    one (called only when the person has no zone of their own). A stored name that the tz
    database no longer knows is skipped, never an error.
    """
    if user is not None and getattr(user, "is_authenticated", False):
        zone = zone_named(getattr(user, "time_zone", ""))
        if zone is not None:
            return zone
    if callable(site):
        site = site()
    if site is not None:
        from .models import SiteIdentity

        zone = zone_named(SiteIdentity.for_site(site).time_zone)
        if zone is not None:
            return zone
    return zone_named(settings.TIME_ZONE) or zoneinfo.ZoneInfo("UTC")


class RequestZone(dt.tzinfo):
    """A request's zone, looked up on first use: a request that shows no time (a probe, a page
    served from the cache) never reads the site's settings.

    Behaves as the zone it stands for; converting to it gives datetimes in the real zone.
    """

    def __init__(self, find):
        self._find = find
        self._zone: dt.tzinfo | None = None

    @property
    def zone(self) -> dt.tzinfo:
        if self._zone is None:
            self._zone = self._find()
        return self._zone

    def utcoffset(self, value):
        return self.zone.utcoffset(value)

    def dst(self, value):
        return self.zone.dst(value)

    def tzname(self, value):
        return self.zone.tzname(value)

    def fromutc(self, value):
        return self.zone.fromutc(value.replace(tzinfo=self.zone))

    def __str__(self) -> str:
        return str(self.zone)

    def __repr__(self) -> str:
        return f"RequestZone({self._zone!r})"


lazy_format = lazy(lambda function, value, name: function(value, name), str)


class NonExistentLocalTime(ValidationError):
    """A wall time skipped by the clocks going forward (02:30 on the last Sunday of March in
    Paris). The message says so in the active language; ``code`` is ``nonexistent_time``."""


def make_aware_local(naive: dt.datetime, zone: str | dt.tzinfo) -> dt.datetime:
    """The instant a person means by the wall time ``naive`` in ``zone``.

    - A time that does not exist in ``zone`` (skipped when the clocks go forward) raises
      `NonExistentLocalTime`, a ``ValidationError`` a form shows on its field.
    - A time that exists twice (when the clocks go back) is the first occurrence, still on
      summer time: an appointment booked at 02:30 that night happens an hour before the
      second 02:30.

    The result is aware, in ``zone``; ``.astimezone(datetime.UTC)`` gives what is stored.
    """
    if naive.tzinfo is not None:
        raise ValueError("make_aware_local() expects a naive datetime")
    zone = _real(zone)
    first = naive.replace(tzinfo=zone, fold=0)
    # A wall time that exists comes back unchanged from a trip through UTC; a skipped one
    # comes back shifted by the size of the gap.
    back = first.astimezone(dt.UTC).astimezone(zone)
    if back.replace(tzinfo=None) != naive:
        raise NonExistentLocalTime(
            _(
                "%(time)s does not exist on %(date)s in the %(zone)s time zone: the clocks go "
                "forward that night. Choose another time."
            ),
            code="nonexistent_time",
            # Written in the language active when the message is shown, not when raised.
            params={
                "time": lazy_format(formats.time_format, naive.time(), "TIME_FORMAT"),
                "date": lazy_format(formats.date_format, naive.date(), "DATE_FORMAT"),
                "zone": str(zone),
            },
        )
    return first


def is_ambiguous(naive: dt.datetime, zone: str | dt.tzinfo) -> bool:
    """Whether the wall time ``naive`` happens twice in ``zone`` (the clocks go back)."""
    zone = _real(zone)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    return (
        first.utcoffset() != second.utcoffset()
        and second.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == naive
    )


def _real(zone: str | dt.tzinfo) -> dt.tzinfo:
    """A zone given by name, or the request's (``timezone.get_current_timezone()``)."""
    if isinstance(zone, str):
        return zoneinfo.ZoneInfo(zone)
    return zone.zone if isinstance(zone, RequestZone) else zone
