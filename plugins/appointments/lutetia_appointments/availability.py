"""What is free: the slots a citizen may choose, the next free one, free places per day.

Read-only; the numbers may change the moment after (booking re-checks them in the database).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from . import booking
from .models import Agenda, Service, Slot

#: Days shown at once in the citizen's calendar.
DAYS_PER_PAGE = 7


@dataclass(frozen=True)
class Day:
    date: dt.date
    slots: list[Slot]


def has_room(people: int = 1) -> Q:
    """Open slots with ``people`` free places; written so the partial index ``appt_slot_free``
    (open, ``booked < capacity``) serves it."""
    room = Q(is_open=True, booked__lt=F("capacity"))
    if people > 1:
        room &= Q(booked__lte=F("capacity") - people)
    return room


def bookable_slots(service: Service, now: dt.datetime | None = None, people: int = 1):
    """The open slots with ``people`` free places that citizens may book now, of every enabled
    agenda of the service."""
    now = now or timezone.now()
    earliest, latest = booking.bookable_window(service, now)
    return Slot.objects.filter(
        has_room(people),
        agenda__service=service,
        agenda__enabled=True,
        starts_at__gte=earliest,
        starts_at__lt=latest,
    )


def next_free(agenda: Agenda, now: dt.datetime | None = None, people: int = 1) -> Slot | None:
    return (
        bookable_slots(agenda.service, now, people)
        .filter(agenda=agenda)
        .order_by("starts_at")
        .first()
    )


def next_free_by_agenda(
    agenda_ids, now: dt.datetime | None = None, people: int = 1
) -> dict[int, dt.datetime | None]:
    """The start of the next slot citizens may book in each agenda (None when there is none):
    one query per service, an index probe per agenda (``appt_slot_free``)."""
    now = now or timezone.now()
    found: dict[int, dt.datetime | None] = {}
    agendas = Agenda.objects.filter(pk__in=agenda_ids).select_related("service")
    by_service: dict[int, list[int]] = {}
    services = {}
    for agenda in agendas:
        by_service.setdefault(agenda.service_id, []).append(agenda.pk)
        services[agenda.service_id] = agenda.service
    for service_id, ids in by_service.items():
        query = next_free_query(services[service_id], ids, now, people)
        for pk, starts_at in query.values_list("pk", "next_free"):
            found[pk] = starts_at
    return found


def next_free_query(service, agenda_ids, now: dt.datetime, people: int = 1):
    """The agendas (of one service) annotated with ``next_free``, their next bookable slot."""
    if not isinstance(service, Service):
        service = Service.objects.get(pk=service)
    earliest, latest = booking.bookable_window(service, now)
    first = (
        Slot.objects.filter(
            has_room(people),
            agenda=OuterRef("pk"),
            starts_at__gte=earliest,
            starts_at__lt=latest,
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return Agenda.objects.filter(pk__in=agenda_ids, service=service, enabled=True).annotate(
        next_free=Subquery(first)
    )


def calendar(
    agenda: Agenda,
    start: dt.date,
    *,
    days: int = DAYS_PER_PAGE,
    now: dt.datetime | None = None,
    people: int = 1,
) -> list[Day]:
    """The agenda's days from ``start`` that have slots, each with its slots (free or not: a
    taken slot is shown as such), only those citizens may book now."""
    now = now or timezone.now()
    earliest, latest = booking.bookable_window(agenda.service, now)
    slots = (
        Slot.objects.filter(
            agenda=agenda,
            is_open=True,
            day__gte=start,
            day__lt=start + dt.timedelta(days=days),
            starts_at__gte=earliest,
            starts_at__lt=latest,
        )
        .only("pk", "agenda_id", "starts_at", "ends_at", "day", "capacity", "booked")
        .order_by("starts_at")
    )
    found: dict[dt.date, list[Slot]] = {}
    for slot in slots:
        slot.available = slot.capacity - slot.booked >= people
        found.setdefault(slot.day, []).append(slot)
    return [Day(day, day_slots) for day, day_slots in sorted(found.items())]


def bookable_days(service: Service, now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """The first and last local day citizens may book (the site's zone)."""
    now = now or timezone.now()
    earliest, latest = booking.bookable_window(service, now)
    return timezone.localdate(earliest), timezone.localdate(latest - dt.timedelta(seconds=1))


def free_places_by_day(agenda_ids, start: dt.date, end: dt.date) -> dict[int, dict[dt.date, int]]:
    """Free places per agenda and local day, from ``start`` to ``end`` included: one grouped
    query over the slots (the summary a multi-agenda view shows)."""
    rows = (
        Slot.objects.filter(
            agenda_id__in=agenda_ids,
            day__range=(start, end),
            is_open=True,
            booked__lt=F("capacity"),
        )
        .values("agenda_id", "day")
        .annotate(free=Sum(F("capacity") - F("booked")))
        .order_by()
    )
    result: dict[int, dict[dt.date, int]] = {}
    for row in rows:
        result.setdefault(row["agenda_id"], {})[row["day"]] = row["free"]
    return result


def fill_by_day(agenda_ids, start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], dict]:
    """Capacity, places taken and beyond capacity per agenda and day (agents' calendars)."""
    rows = (
        Slot.objects.filter(agenda_id__in=agenda_ids, day__range=(start, end))
        .values("agenda_id", "day")
        .annotate(
            capacity=Sum("capacity", filter=Q(is_open=True)),
            booked=Sum("booked"),
            overbooked=Sum("overbooked"),
        )
        .order_by()
    )
    return {
        (row["agenda_id"], row["day"]): {
            "capacity": row["capacity"] or 0,
            "booked": row["booked"] or 0,
            "overbooked": row["overbooked"] or 0,
        }
        for row in rows
    }


def local(slot_or_time, agenda: Agenda) -> dt.datetime:
    value = slot_or_time.starts_at if hasattr(slot_or_time, "starts_at") else slot_or_time
    return value.astimezone(zoneinfo.ZoneInfo(agenda.time_zone))
