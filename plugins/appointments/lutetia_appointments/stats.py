"""Agents' statistics over a period of days, per agenda (and their total):

- fill rate: places taken in the open slots / their capacity;
- no-show rate: no-shows / (arrivals + no-shows) among the period's booked appointments;
- average lead time: from booking to the appointment's start;
- appointments per day, cancellations.

A few grouped queries; nothing is loaded row by row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Agenda, Appointment, Slot


@dataclass
class Figures:
    """One agenda's figures (or the total's, ``agenda`` None)."""

    agenda: Agenda | None = None
    capacity: int = 0
    taken: int = 0
    beyond: int = 0
    booked: int = 0
    cancelled: int = 0
    arrived: int = 0
    no_show: int = 0
    lead_seconds: float = 0.0
    lead_count: int = 0
    per_day: dict = field(default_factory=dict)

    @property
    def fill_rate(self) -> float | None:
        """Percentage of the open places taken (None without an open place)."""
        return round(100 * self.taken / self.capacity, 1) if self.capacity else None

    @property
    def no_show_rate(self) -> float | None:
        seen = self.arrived + self.no_show
        return round(100 * self.no_show / seen, 1) if seen else None

    @property
    def lead_time(self) -> dt.timedelta | None:
        if not self.lead_count:
            return None
        return dt.timedelta(seconds=round(self.lead_seconds / self.lead_count))

    @property
    def lead_days(self) -> float | None:
        lead = self.lead_time
        return round(lead.total_seconds() / 86400, 1) if lead is not None else None

    def add(self, other: Figures) -> None:
        for name in ("capacity", "taken", "beyond", "booked", "cancelled", "arrived", "no_show"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.lead_seconds += other.lead_seconds
        self.lead_count += other.lead_count
        for day, count in other.per_day.items():
            self.per_day[day] = self.per_day.get(day, 0) + count


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time(0), tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=zone),
    )


def figures(agendas, start: dt.date, end: dt.date) -> tuple[list[Figures], Figures]:
    """Each agenda's figures from ``start`` to ``end`` (included), and their total. Slots count
    by their local day; appointments by their start, in the site's time zone."""
    agendas = list(agendas)
    found = {agenda.pk: Figures(agenda=agenda) for agenda in agendas}
    slots = (
        Slot.objects.filter(agenda_id__in=found, day__range=(start, end))
        .values("agenda_id")
        .annotate(
            capacity=Sum("capacity", filter=Q(is_open=True)),
            taken=Sum("booked", filter=Q(is_open=True)),
            beyond=Sum("overbooked"),
        )
        .order_by()
    )
    for row in slots:
        figures_ = found[row["agenda_id"]]
        figures_.capacity = row["capacity"] or 0
        figures_.taken = row["taken"] or 0
        figures_.beyond = row["beyond"] or 0
    since, until = _bounds(start, end)
    appointments = Appointment.objects.filter(
        agenda_id__in=found, starts_at__gte=since, starts_at__lt=until
    )
    booked = Q(status=Appointment.Status.BOOKED)
    counts = (
        appointments.values("agenda_id")
        .annotate(
            booked=Count("pk", filter=booked),
            cancelled=Count("pk", filter=Q(status=Appointment.Status.CANCELLED)),
            arrived=Count("pk", filter=booked & Q(presence=Appointment.Presence.ARRIVED)),
            no_show=Count("pk", filter=booked & Q(presence=Appointment.Presence.NO_SHOW)),
        )
        .order_by()
    )
    for row in counts:
        figures_ = found[row["agenda_id"]]
        for name in ("booked", "cancelled", "arrived", "no_show"):
            setattr(figures_, name, row[name])
    # Lead times: summed per agenda from the two instants (portable across databases).
    leads = (
        appointments.filter(booked, booked_at__isnull=False)
        .values_list("agenda_id", "starts_at", "booked_at")
        .iterator(chunk_size=2000)
    )
    for agenda_id, starts_at, booked_at in leads:
        figures_ = found[agenda_id]
        figures_.lead_seconds += max((starts_at - booked_at).total_seconds(), 0)
        figures_.lead_count += 1
    per_day = (
        appointments.filter(booked)
        .annotate(local_day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("agenda_id", "local_day")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in per_day:
        found[row["agenda_id"]].per_day[row["local_day"]] = row["count"]
    total = Figures()
    for figures_ in found.values():
        total.add(figures_)
    return list(found.values()), total


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
