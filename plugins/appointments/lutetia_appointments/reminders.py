"""Reminders: each booked appointment is reminded once, ``reminder_hours`` before it starts."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from . import notices
from .models import Appointment, Service


def due(now: dt.datetime) -> list[Appointment]:
    """Booked appointments not reminded yet whose reminder time has come (and that have not
    started)."""
    longest = Service.objects.filter(reminder_hours__isnull=False).aggregate(
        longest=Max("reminder_hours")
    )["longest"]
    if longest is None:
        return []
    candidates = Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=longest),
        service__reminder_hours__isnull=False,
    ).select_related("service", "agenda__location", "site", "owner")
    return [
        a for a in candidates if a.starts_at - dt.timedelta(hours=a.service.reminder_hours) <= now
    ]


def send_due(now: dt.datetime | None = None) -> int:
    """Queue the reminders that are due; each appointment in its own transaction, marked so a
    second run (or a second worker) sends nothing twice."""
    now = now or timezone.now()
    sent = 0
    for appointment in due(now):
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                pk=appointment.pk, reminded_at__isnull=True, status=Appointment.Status.BOOKED
            ).update(reminded_at=now)
            if claimed:
                sent += notices.reminder(appointment)
    return sent
