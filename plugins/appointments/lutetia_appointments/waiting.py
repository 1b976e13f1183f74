"""The waiting list of a service: citizens who found no free slot are offered one that frees up.

When places come back (a cancellation, a move, an offer not taken), the first citizen waiting
whose dates, location and party size fit is offered the slot: the places are held for them
(a hold of ``offer_hours``) in the same transaction, so nobody else can take them meanwhile,
and they get an e-mail with a link to take it. When the offer runs out, the periodic job gives
the places back and offers them to the next citizen.
"""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lutetia import audit

from . import booking
from .models import Appointment, Service, Slot, WaitingEntry


def join(
    service: Service,
    *,
    email: str,
    user=None,
    location=None,
    people: int = 1,
    earliest: dt.date | None = None,
    latest: dt.date | None = None,
    language: str = "",
) -> WaitingEntry:
    """Put the citizen on the service's waiting list (once: joining again keeps their place)."""
    if not service.waiting_list:
        raise booking.Refused(_("This service has no waiting list."), code="no_waiting_list")
    if people < 1 or people > service.max_people:
        raise booking.Refused(
            _("An appointment is for 1 to %(max)s people.") % {"max": service.max_people},
            code="people",
        )
    if earliest and latest and latest < earliest:
        raise booking.Refused(_("The last date is before the first one."), code="dates")
    account = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        existing = WaitingEntry.objects.filter(
            service=service,
            email__iexact=email,
            status__in=(WaitingEntry.Status.WAITING, WaitingEntry.Status.OFFERED),
        ).first()
        if existing is not None:
            return existing
        entry = WaitingEntry.objects.create(
            site_id=service.site_id,
            service=service,
            location=location,
            owner=account,
            email=email,
            people=people,
            earliest=earliest,
            latest=latest,
            language=language,
        )
        audit.record(account, "appointments.waiting_joined", entry, origin="front")
    return entry


def position(entry: WaitingEntry) -> int:
    """1 for the first citizen waiting."""
    return (
        WaitingEntry.objects.filter(
            service_id=entry.service_id,
            status=WaitingEntry.Status.WAITING,
            created_at__lt=entry.created_at,
        ).count()
        + 1
    )


def _fits(entry: WaitingEntry, slot: Slot) -> bool:
    if entry.location_id and entry.location_id != slot.agenda.location_id:
        return False
    day = slot.starts_at.astimezone(zoneinfo.ZoneInfo(slot.agenda.time_zone)).date()
    if entry.earliest and day < entry.earliest:
        return False
    if entry.latest and day > entry.latest:
        return False
    return slot.free >= entry.people


def offer_freed(service: Service, slot_ids, *, now: dt.datetime | None = None) -> int:
    """Offer the freed slots to the citizens waiting, first come first served, in the caller's
    transaction; returns the offers made."""
    if not service.waiting_list or not slot_ids:
        return 0
    now = now or timezone.now()
    made = 0
    slots = list(
        Slot.objects.filter(pk__in=slot_ids, starts_at__gt=now, is_open=True)
        .select_related("agenda", "agenda__location")
        .order_by("starts_at")
    )
    for slot in slots:
        slot.refresh_from_db(fields=["booked", "capacity"])
        for entry in (
            WaitingEntry.objects.select_for_update(skip_locked=True)
            .filter(service=service, status=WaitingEntry.Status.WAITING)
            .order_by("created_at", "pk")
        ):
            if not _fits(entry, slot):
                continue
            if _offer(entry, slot, now):
                made += 1
                slot.refresh_from_db(fields=["booked", "capacity"])
            if slot.free <= 0:
                break
    return made


def _offer(entry: WaitingEntry, slot: Slot, now: dt.datetime) -> bool:
    citizen = booking.Citizen(entry.owner, entry.email)
    try:
        with transaction.atomic():
            booking.check_limits(entry.service, citizen, slot.starts_at, slot.ends_at, now)
            appointment = Appointment.objects.create(
                site_id=entry.site_id,
                service=entry.service,
                agenda=slot.agenda,
                status=Appointment.Status.HELD,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                people=entry.people,
                owner=entry.owner,
                email=entry.email,
                language=entry.language,
                hold_expires_at=now + dt.timedelta(hours=entry.service.offer_hours),
                workgroup_id=entry.service.workgroup_id,
            )
            booking._take(appointment, [slot], entry.people, beyond=False)
            secret = secrets.token_urlsafe(24)
            entry.status = WaitingEntry.Status.OFFERED
            entry.offer = appointment
            entry.secret_hash = booking.hash_secret(secret)
            entry.save(update_fields=["status", "offer", "secret_hash"])
            from . import notices

            notices.offered(entry, appointment, secret)
    except booking.Refused:
        return False
    return True


def offer_for(secret: str) -> WaitingEntry | None:
    if not secret:
        return None
    return (
        WaitingEntry.objects.select_related("offer", "service", "offer__agenda__location")
        .filter(secret_hash=booking.hash_secret(secret))
        .first()
    )


def accept(entry: WaitingEntry, details: booking.Details, *, user=None, now=None):
    """The waiting citizen takes the slot offered: it is booked (their limits checked again)."""
    now = now or timezone.now()
    if entry.status != WaitingEntry.Status.OFFERED or entry.offer is None:
        raise booking.Refused(_("This offer is no longer valid."), code="offer_gone")
    with transaction.atomic():
        appointment, secret = booking.confirm(entry.offer, details, user=user, now=now)
        WaitingEntry.objects.filter(pk=entry.pk).update(
            status=WaitingEntry.Status.BOOKED, secret_hash=""
        )
    return appointment, secret


def leave(entry: WaitingEntry) -> None:
    """The citizen leaves the list (an offer they hold goes to the next one)."""
    with transaction.atomic():
        entry = WaitingEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status == WaitingEntry.Status.OFFERED and entry.offer_id:
            offered = Appointment.objects.select_for_update().get(pk=entry.offer_id)
            if offered.status == Appointment.Status.HELD:
                freed = booking._give_back(offered)
                offered.status = Appointment.Status.EXPIRED
                offered.save(update_fields=["status"])
                entry.status = WaitingEntry.Status.LEFT
                entry.save(update_fields=["status"])
                offer_freed(entry.service, freed)
                return
        entry.status = WaitingEntry.Status.LEFT
        entry.secret_hash = ""
        entry.save(update_fields=["status", "secret_hash"])


def expire_offers(now: dt.datetime | None = None) -> int:
    """Offers not taken in time: the citizen leaves the list, the slot goes to the next one."""
    now = now or timezone.now()
    done = 0
    for entry in WaitingEntry.objects.filter(
        status=WaitingEntry.Status.OFFERED, offer__hold_expires_at__lte=now
    ).select_related("service"):
        with transaction.atomic():
            offered = (
                Appointment.objects.select_for_update(skip_locked=True)
                .filter(pk=entry.offer_id, status=Appointment.Status.HELD)
                .first()
            )
            freed = []
            if offered is not None:
                freed = booking._give_back(offered)
                offered.status = Appointment.Status.EXPIRED
                offered.save(update_fields=["status"])
            WaitingEntry.objects.filter(pk=entry.pk).update(
                status=WaitingEntry.Status.LEFT, secret_hash=""
            )
            offer_freed(entry.service, freed, now=now)
            done += 1
    return done
