"""From opening rules to slots: which slots an agenda should have, and bringing its rows there.

An agenda's day is, in order of precedence: closed (a closing day, or a public holiday of its
location's country and region when the agenda closes on them), the ranges of its specific day,
or the ranges of the typical week that covers the date for that weekday. Each range is cut into
slots of its length; a slot's capacity is the range's, or the places of the active resources
it names (all the agenda's when it names none) but those absent that day, plus the places an
agent added to it by hand.

`apply` brings the agenda's future slots to what the rules say, in one transaction. It never
orphans an appointment: when a slot that holds places would disappear, change its times, or
shrink below the places taken, nothing is changed and `RuleConflict` lists the appointments an
agent must move or cancel first.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from functools import lru_cache

import holidays as holidays_lib
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import shown
from .models import (
    Absence,
    Agenda,
    Appointment,
    ClosingDay,
    Slot,
    SpecificDay,
    TimeRange,
    WeekRule,
)

#: How far ahead slots exist beyond the booking horizon (agents see and prepare them).
MARGIN_DAYS = 7


class RuleConflict(Exception):
    """A change would orphan booked appointments: nothing was changed."""

    def __init__(self, appointments: list[Appointment]):
        self.appointments = appointments
        super().__init__(
            _(
                "This change would remove or shrink slots that hold appointments. Move or "
                "cancel these appointments first: %(references)s."
            )
            % {"references": ", ".join(a.reference or str(a.uid)[:8] for a in appointments)}
        )


@dataclass(frozen=True)
class Wanted:
    """A slot as the rules define it."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    day: dt.date
    capacity: int


@dataclass
class Plan:
    """What `apply` changes in the agenda's slots."""

    create: list[Wanted] = field(default_factory=list)
    update: list[tuple[Slot, Wanted]] = field(default_factory=list)
    delete: list[Slot] = field(default_factory=list)
    conflicts: list[Slot] = field(default_factory=list)


@lru_cache(maxsize=64)
def _holidays(country: str, region: str, year: int) -> frozenset[dt.date]:
    try:
        found = holidays_lib.country_holidays(country, subdiv=region or None, years=year)
    except (NotImplementedError, KeyError):
        return frozenset()
    return frozenset(found.keys())


def holiday_names(country: str, region: str, year: int, language: str = "") -> dict[dt.date, str]:
    """The public holidays of a country (and region) in a year, named in ``language`` when the
    library knows it."""
    try:
        found = holidays_lib.country_holidays(
            country, subdiv=region or None, years=year, language=language or None
        )
    except (NotImplementedError, KeyError):
        return {}
    return dict(found)


def is_holiday(location, day: dt.date) -> bool:
    if not location.holiday_country:
        return False
    return day in _holidays(location.holiday_country.upper(), location.holiday_region, day.year)


def default_capacity(agenda: Agenda) -> int:
    """The places of the agenda's active resources (what a range without its own gives)."""
    return sum(resource.places for resource in agenda.resources.all() if resource.active)


class Rules:
    """An agenda's rules, read once, answering for each day."""

    def __init__(self, agenda: Agenda, start: dt.date, end: dt.date):
        self.agenda = agenda
        self.zone = zoneinfo.ZoneInfo(agenda.time_zone)
        self.resources = [resource for resource in agenda.resources.all() if resource.active]
        self.absent = absences(agenda, start, end)
        self.closed = set(
            ClosingDay.objects.filter(agenda=agenda, date__range=(start, end)).values_list(
                "date", flat=True
            )
        )
        self.specific: dict[dt.date, list[TimeRange]] = {
            day.date: list(day.ranges.all())
            for day in SpecificDay.objects.filter(
                agenda=agenda, date__range=(start, end)
            ).prefetch_related("ranges__resources")
        }
        self.weeks = list(
            WeekRule.objects.filter(agenda=agenda, starts_on__lte=end)
            .exclude(ends_on__lt=start)
            .prefetch_related("ranges__resources")
            .order_by("-starts_on", "-pk")
        )

    def capacity_of(self, time_range: TimeRange, day: dt.date) -> int:
        """Its own places, else those of the active resources it names (or of all of them)
        that are not absent on ``day``."""
        if time_range.capacity is not None:
            return time_range.capacity
        away = self.absent.get(day, set())
        named = list(time_range.resources.all()) or self.resources
        return sum(r.places for r in named if r.active and r.pk not in away)

    def ranges(self, day: dt.date) -> list[TimeRange]:
        if day in self.closed:
            return []
        if self.agenda.close_on_holidays and is_holiday(self.agenda.location, day):
            return []
        if day in self.specific:
            return self.specific[day]
        for week in self.weeks:  # the latest rule that covers the day wins
            if week.starts_on <= day and (week.ends_on is None or day <= week.ends_on):
                return [r for r in week.ranges.all() if r.weekday == day.weekday()]
        return []

    def slots(self, day: dt.date) -> list[Wanted]:
        found = []
        for time_range in self.ranges(day):
            capacity = self.capacity_of(time_range, day)
            if capacity <= 0:
                continue
            length = dt.timedelta(minutes=time_range.slot_minutes)
            start = dt.datetime.combine(day, time_range.starts_at)
            end = dt.datetime.combine(day, time_range.ends_at)
            while start + length <= end:
                local = start.replace(tzinfo=self.zone)
                # a wall time the clocks skip (spring forward) has no slot
                if local.astimezone(dt.UTC).astimezone(self.zone).replace(tzinfo=None) == start:
                    found.append(
                        Wanted(
                            local.astimezone(dt.UTC),
                            (start + length).replace(tzinfo=self.zone).astimezone(dt.UTC),
                            day,
                            capacity,
                        )
                    )
                start += length
        return found


def absences(agenda: Agenda, start: dt.date, end: dt.date) -> dict[dt.date, set[int]]:
    """The ids of the agenda's resources absent on each day from ``start`` to ``end``."""
    away: dict[dt.date, set[int]] = {}
    for resource_id, first, last in Absence.objects.filter(
        resource__agenda=agenda, starts_on__lte=end, ends_on__gte=start
    ).values_list("resource_id", "starts_on", "ends_on"):
        day = max(first, start)
        while day <= min(last, end):
            away.setdefault(day, set()).add(resource_id)
            day += dt.timedelta(days=1)
    return away


def serving(agenda: Agenda, starts_at: dt.datetime) -> tuple[set[int] | None, set[int]]:
    """(the ids of the resources the rules name for the hours holding ``starts_at``, None when
    they name none: every active resource receives; the ids of those absent that day). Two
    queries when no range of the agenda names any resource."""
    local = starts_at.astimezone(zoneinfo.ZoneInfo(agenda.time_zone))
    day = local.date()
    if not TimeRange.resources.through.objects.filter(resource__agenda=agenda).exists():
        return None, absences(agenda, day, day).get(day, set())
    rules = Rules(agenda, day, day)
    away = rules.absent.get(day, set())
    for time_range in rules.ranges(day):
        if time_range.starts_at <= local.time() < time_range.ends_at:
            named = {resource.pk for resource in time_range.resources.all()}
            return named or None, away
    return None, away


def local_today(agenda: Agenda, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(agenda.time_zone)).date()


def window_end(agenda: Agenda, today: dt.date) -> dt.date:
    """The last day the agenda has slots for: its service's horizon (or release period), plus
    a margin for agents."""
    service = agenda.service
    days = service.horizon_days
    if service.release_weekday is not None and service.release_weeks:
        days = max(days, service.release_weeks * 7 + 7)
    return today + dt.timedelta(days=days + MARGIN_DAYS)


def plan(agenda: Agenda, start: dt.date, end: dt.date) -> Plan:
    """Compare the slots the rules want from ``start`` to ``end`` with the rows there are."""
    rules = Rules(agenda, start, end)
    wanted: dict[dt.datetime, Wanted] = {}
    day = start
    while day <= end:
        for slot in rules.slots(day):
            wanted.setdefault(slot.starts_at, slot)
        day += dt.timedelta(days=1)
    result = Plan()
    existing = {
        slot.starts_at: slot for slot in Slot.objects.filter(agenda=agenda, day__range=(start, end))
    }
    for starts_at, slot in existing.items():
        want = wanted.pop(starts_at, None)
        if want is None:
            (result.conflicts if slot.booked or slot.overbooked else result.delete).append(slot)
            continue
        capacity = max(want.capacity + slot.added, 0)
        if slot.ends_at != want.ends_at and (slot.booked or slot.overbooked):
            result.conflicts.append(slot)
        elif capacity < slot.booked:
            result.conflicts.append(slot)
        elif slot.ends_at != want.ends_at or slot.capacity != capacity:
            result.update.append((slot, Wanted(want.starts_at, want.ends_at, want.day, capacity)))
    result.create = sorted(wanted.values(), key=lambda w: w.starts_at)
    return result


def affected_appointments(slots: list[Slot]) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            bookings__slot__in=slots,
            status__in=(Appointment.Status.HELD, Appointment.Status.BOOKED),
        )
        .distinct()
        .order_by("starts_at")
    )


@transaction.atomic
def apply(agenda: Agenda, start: dt.date | None = None, end: dt.date | None = None) -> Plan:
    """Bring the agenda's slots from ``start`` (default: today) to ``end`` (default: its
    window) to what its rules say. `RuleConflict` (nothing changed) when appointments would be
    orphaned. Past days are never touched."""
    agenda = (
        Agenda.objects.select_for_update(of=("self",))
        .select_related("location", "service")
        .get(pk=agenda.pk)
    )
    today = local_today(agenda)
    start = max(start or today, today)
    end = end or window_end(agenda, today)
    if end < start:
        return Plan()
    result = plan(agenda, start, end)
    if result.conflicts:
        raise RuleConflict(affected_appointments(result.conflicts))
    if result.delete or result.update or result.create:
        shown.changed(agenda.pk)
    if result.delete:
        Slot.objects.filter(pk__in=[slot.pk for slot in result.delete]).delete()
    for slot, want in result.update:
        Slot.objects.filter(pk=slot.pk).update(ends_at=want.ends_at, capacity=want.capacity)
    Slot.objects.bulk_create(
        [
            Slot(
                agenda=agenda,
                starts_at=w.starts_at,
                ends_at=w.ends_at,
                day=w.day,
                capacity=w.capacity,
            )
            for w in result.create
        ],
        batch_size=1000,
    )
    return result


def extend_all(now: dt.datetime | None = None) -> int:
    """Make the slots of every enabled agenda up to its window (the daily job); returns the
    slots created. An agenda in conflict is left as it is (its agents see it in the back
    office)."""
    created = 0
    for agenda in Agenda.objects.filter(enabled=True, service__enabled=True):
        try:
            created += len(apply(agenda).create)
        except RuleConflict:
            continue
    return created
