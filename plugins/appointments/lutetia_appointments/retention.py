"""The citizens' details erased once their service's retention period is over (the job
`appointments.retention`): the appointment stays, without whom it was for, for statistics;
waiting-list entries that ended (booked, left, or past their last date) are deleted, and so are
the agents' notes on the calendar that ended as long ago (they may name a citizen)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lutetia import audit

from . import booking, notes
from .models import Appointment, Service, WaitingEntry

ERASED = (
    *booking.DETAILS,
    "owner",
    "secret_hash",
    "cancel_reason",
    "search_text",
    "anonymised_at",
)


def anonymise(appointment: Appointment, *, actor=None, reason: str = "") -> Appointment:
    """Erase who the appointment was for: name, contact, answers, the account link, the
    agent's free-text reason, and the secret of the e-mail's links (they open nothing any
    more). Its place, time, service, status and reference stay."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.anonymised_at is not None:
            return appointment
        booking.forget_details(appointment)
        appointment.secret_hash = appointment.cancel_reason = ""
        appointment.owner = None
        appointment.search_text = (appointment.reference or "").casefold()
        appointment.anonymised_at = timezone.now()
        appointment.save(update_fields=list(ERASED))
        audit.record(
            actor,
            "appointments.anonymised",
            appointment,
            origin="system" if actor is None else None,
            details={"reason": reason},
        )
    return appointment


def apply_retention(now: dt.datetime | None = None) -> int:
    """Anonymise the appointments that ended longer ago than their service keeps them (held
    ones aside: they are not over), each in its own transaction, and delete the waiting-list
    entries and the agenda notes that ended as long ago. Returns how many of them."""
    now = now or timezone.now()
    done = 0
    for service in Service.objects.exclude(retention_days=None):
        cutoff = now - dt.timedelta(days=service.retention_days)
        due = (
            Appointment.objects.filter(service=service, anonymised_at=None, ends_at__lt=cutoff)
            .exclude(status=Appointment.Status.HELD)
            .only("pk")
        )
        for appointment in due.iterator():
            anonymise(appointment, reason="retention")
            done += 1
        done += _purge_waiting(service, cutoff)
        done += _purge_notes(service, cutoff)
    return done


def _purge_waiting(service: Service, cutoff: dt.datetime) -> int:
    """Delete the service's waiting-list entries joined before ``cutoff`` that are over: the
    citizen booked or left, or their last wished date is before the cutoff too."""
    ended = Q(status__in=[WaitingEntry.Status.BOOKED, WaitingEntry.Status.LEFT]) | Q(
        status=WaitingEntry.Status.WAITING, latest__lt=cutoff.date()
    )
    with transaction.atomic():
        count, _by_model = WaitingEntry.objects.filter(
            ended, service=service, created_at__lt=cutoff
        ).delete()
        return _purged(service, "appointments.waiting_list_purged", count)


def _purge_notes(service: Service, cutoff: dt.datetime) -> int:
    """Delete the notes on the service's agendas whose last day is before ``cutoff``'s."""
    with transaction.atomic():
        count = notes.purge(service.agendas.values_list("pk", flat=True), cutoff.date())
        return _purged(service, "appointments.notes_purged", count)


def _purged(service: Service, action: str, count: int) -> int:
    """``count`` (what was deleted), logged when there was any."""
    if count:
        audit.record(
            None, action, service, origin="system", details={"reason": "retention", "count": count}
        )
    return count
