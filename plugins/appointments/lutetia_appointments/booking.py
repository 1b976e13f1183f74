"""Booking: holding a slot, confirming, cancelling, rescheduling — each one transaction.

Nothing here reads a request. Every refusal is a `Refused` with a translated message and a
code; nothing is written when one is raised (expired holds, released on the way, excepted).

How capacity holds (docs/appointments.md has the long version):

- places are taken by `_take`: one conditional UPDATE per slot,
  ``booked = booked + n WHERE booked + n <= capacity AND is_open``, in the order of the slots'
  ids; the database serialises concurrent takers of a row and re-evaluates the condition after
  each commit, so the last place goes to one of them only. A CHECK constraint refuses
  ``booked > capacity`` besides;
- a citizen's limits (future appointments, days between two, overlaps) are checked with the
  citizen's `Booker` row locked (``SELECT ... FOR UPDATE``), so two bookings of one citizen
  are checked one after the other;
- the same request twice (a double click, a retried POST) books once: the page's client
  token is unique per service;
- a held slot that was not confirmed in time goes back to the pool: reclaimed by the next
  booking that needs its place, or by the periodic job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import secrets
import zoneinfo
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia import audit, resources
from lutetia.accounts.services import account_of_verified_email

from . import opening, shown, signals
from .models import Agenda, Appointment, Booker, Service, Slot, SlotBooking

#: References read PREFIX-XXXXXXXX: random, so they cannot be guessed, from letters and digits
#: that cannot be misread (no 0/O, 1/I/L).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


class Refused(Exception):
    """A booking step refused, with the message to show and a code for the caller."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Citizen:
    """Who books: their account, or the e-mail address an anonymous citizen gives."""

    user: object | None = None
    email: str = ""

    @property
    def key(self) -> str:
        if self.user is not None and getattr(self.user, "is_authenticated", False):
            return f"user:{self.user.pk}"
        return f"email:{self.email.strip().casefold()}" if self.email.strip() else ""

    @property
    def account(self):
        if self.user is not None and getattr(self.user, "is_authenticated", False):
            return self.user
        return None

    def appointments(self):
        """This citizen's appointments (by account, and by the account's or given address)."""
        query = Q()
        if self.account is not None:
            query |= Q(owner=self.account)
            if self.account.email:
                query |= Q(email__iexact=self.account.email)
        if self.email.strip():
            query |= Q(email__iexact=self.email.strip())
        if not query:
            return Appointment.objects.none()
        return Appointment.objects.filter(query)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_reference(prefix: str) -> str:
    return f"{prefix}-" + "".join(
        secrets.choice(REFERENCE_ALPHABET) for _i in range(REFERENCE_LENGTH)
    )


# --- what may be booked ------------------------------------------------------------------------


def unavailable(service: Service, now: dt.datetime | None = None) -> str:
    """Why the service cannot be booked now, or ""."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not service.enabled:
        return _("This service is not open to bookings.")
    if service.valid_from and today < service.valid_from:
        return _("Bookings for this service open on %(date)s.") % {
            "date": service.valid_from.strftime("%d/%m/%Y")
        }
    if service.valid_until and today > service.valid_until:
        return _("Bookings for this service are closed.")
    return ""


def last_release(service: Service, now: dt.datetime) -> dt.datetime | None:
    """The latest release of new slots at or before ``now`` (site time), or None without
    releases."""
    if service.release_weekday is None or not service.release_weeks:
        return None
    local = timezone.localtime(now)
    at = service.release_time or dt.time(0, 0)
    days_back = (local.weekday() - service.release_weekday) % 7
    release = timezone.make_aware(
        dt.datetime.combine(local.date() - dt.timedelta(days=days_back), at),
        timezone.get_current_timezone(),
    )
    if release > now:
        release -= dt.timedelta(days=7)
    return release


def next_release(service: Service, now: dt.datetime) -> dt.datetime | None:
    release = last_release(service, now)
    return release + dt.timedelta(days=7) if release else None


def bookable_window(service: Service, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Slots starting from the first instant to before the second may be booked by citizens:
    after the minimum notice, within the horizon and what was released, within the service's
    validity."""
    earliest = now + dt.timedelta(minutes=service.min_notice_minutes)
    latest = now + dt.timedelta(days=service.horizon_days)
    release = last_release(service, now)
    if release is not None:
        released_until = timezone.make_aware(
            dt.datetime.combine(
                timezone.localtime(release).date() + dt.timedelta(weeks=service.release_weeks),
                dt.time(0, 0),
            ),
            timezone.get_current_timezone(),
        )
        latest = min(latest, released_until)
    if service.valid_until:
        latest = min(
            latest,
            timezone.make_aware(
                dt.datetime.combine(service.valid_until + dt.timedelta(days=1), dt.time(0, 0)),
                timezone.get_current_timezone(),
            ),
        )
    if service.valid_from:
        earliest = max(
            earliest,
            timezone.make_aware(
                dt.datetime.combine(service.valid_from, dt.time(0, 0)),
                timezone.get_current_timezone(),
            ),
        )
    return earliest, latest


def slots_to_take(service: Service, agenda: Agenda, first: Slot, count: int) -> list[Slot]:
    """The ``count`` consecutive slots of the agenda from ``first`` (each starting when the one
    before ends); `Refused` when they are not there."""
    if count < 1 or count > service.max_slots:
        raise Refused(
            _("An appointment takes from 1 to %(max)s consecutive slots.")
            % {"max": service.max_slots},
            code="slots",
        )
    if count == 1:
        return [first]
    following = list(
        Slot.objects.filter(agenda=agenda, starts_at__gte=first.starts_at).order_by("starts_at")[
            :count
        ]
    )
    for before, after in itertools.pairwise(following):
        if after.starts_at != before.ends_at:
            following = []
            break
    if len(following) != count:
        raise Refused(
            _("There are not %(count)s consecutive slots from this time.") % {"count": count},
            code="slots",
        )
    return following


def check_slots(
    service: Service, slots: list[Slot], people: int, now: dt.datetime, *, agent: bool = False
) -> None:
    """The slots may be booked for ``people`` by a citizen (or an agent: no notice, horizon or
    validity for them, only not in the past)."""
    if people < 1 or people > service.max_people:
        raise Refused(
            _("An appointment is for 1 to %(max)s people.") % {"max": service.max_people},
            code="people",
        )
    first = slots[0]
    if first.agenda.service_id != service.pk:
        raise Refused(_("This slot does not belong to this service."), code="slot")
    if not first.agenda.enabled:
        raise Refused(_("This agenda is closed to bookings."), code="closed")
    if first.starts_at <= now:
        raise Refused(_("This slot is in the past: choose another one."), code="past")
    if agent:
        return
    earliest, latest = bookable_window(service, now)
    if first.starts_at < earliest:
        raise Refused(
            _("This slot starts too soon to be booked online: choose a later one."), code="notice"
        )
    if first.starts_at >= latest:
        raise Refused(_("This slot cannot be booked yet: choose an earlier one."), code="horizon")
    if any(not slot.is_open for slot in slots):
        raise Refused(_("This slot is closed: choose another one."), code="closed")


def check_limits(
    service: Service,
    citizen: Citizen,
    starts_at,
    ends_at,
    now,
    exclude: int | None = None,
    *,
    holds: bool = False,
) -> None:
    """The citizen's limits, for an appointment from ``starts_at`` to ``ends_at``, counting
    their booked appointments (and, with ``holds``, the slots they hold: one citizen does not
    hold many slots at once). Final when called with the citizen's lock held (`_lock_citizen`):
    then only bookings count, so that of several holds confirmed at once one wins."""
    kept = Q(status=Appointment.Status.BOOKED)
    if holds:
        kept |= Q(status=Appointment.Status.HELD, hold_expires_at__gt=now)
    theirs = citizen.appointments().filter(kept)
    if exclude is not None:
        theirs = theirs.exclude(pk=exclude)
    future = theirs.filter(ends_at__gt=now)
    if service.max_future and future.filter(service=service).count() >= service.max_future:
        raise Refused(
            ngettext(
                "You already have %(count)s upcoming appointment for this service, the most "
                "allowed.",
                "You already have %(count)s upcoming appointments for this service, the most "
                "allowed.",
                service.max_future,
            )
            % {"count": service.max_future},
            code="max_future",
        )
    category = service.category
    if (
        category is not None
        and category.max_future
        and future.filter(service__category=category).count() >= category.max_future
    ):
        raise Refused(
            ngettext(
                "You already have %(count)s upcoming appointment in “%(category)s”, the most "
                "allowed.",
                "You already have %(count)s upcoming appointments in “%(category)s”, the most "
                "allowed.",
                category.max_future,
            )
            % {"count": category.max_future, "category": category.name},
            code="max_future_category",
        )
    if service.min_days_between:
        gap = dt.timedelta(days=service.min_days_between)
        if theirs.filter(
            service=service, starts_at__gt=starts_at - gap, starts_at__lt=starts_at + gap
        ).exists():
            raise Refused(
                _("Two appointments for this service must be at least %(days)s days apart.")
                % {"days": service.min_days_between},
                code="min_days_between",
            )
    if (
        service.overlap_forbidden
        and theirs.filter(
            site_id=service.site_id, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).exists()
    ):
        raise Refused(_("You already have an appointment at this time."), code="overlap")


def _lock_citizen(site, citizen: Citizen) -> None:
    key = citizen.key
    if not key:
        return
    # One statement, no savepoint: INSERT ... ON CONFLICT DO UPDATE locks the row it inserts
    # or finds, until the transaction ends (a second booking of the citizen waits there).
    Booker.objects.bulk_create(
        [Booker(site=site, key=key[:200])],
        update_conflicts=True,
        unique_fields=["site", "key"],
        update_fields=["key"],
    )


# --- places ------------------------------------------------------------------------------------


def _take_place(slot: Slot, places: int) -> bool:
    """Take ``places`` in the slot if it has them: the guarantee. One conditional UPDATE;
    PostgreSQL re-checks its condition on the row's latest version after waiting for a
    concurrent writer, and the CHECK constraint stands behind it."""
    taken = Slot.objects.filter(
        pk=slot.pk, is_open=True, booked__lte=F("capacity") - places
    ).update(booked=F("booked") + places)
    if taken:
        shown.changed(slot.agenda_id)
    return bool(taken)


def _full() -> Refused:
    return Refused(_("This slot was just taken: choose another one."), code="full")


def _take_places(slots: list[Slot], places: int) -> None:
    """Take ``places`` in each slot, in id order; `Refused` (the transaction rolls back) when
    one has not enough."""
    for slot in sorted(slots, key=lambda s: s.pk):
        if not _take_place(slot, places):
            raise _full()


def _take(appointment: Appointment, slots: list[Slot], places: int, *, beyond: bool) -> bool:
    """Take ``places`` in each slot for the appointment; `Refused` (the transaction rolls back)
    when one has not enough, unless ``beyond``: then the places are counted beyond capacity.
    True when some were."""
    overbooked = False
    for slot in sorted(slots, key=lambda s: s.pk):
        taken = _take_place(slot, places)
        if not taken:
            if not beyond:
                raise _full()
            Slot.objects.filter(pk=slot.pk).update(overbooked=F("overbooked") + places)
            overbooked = True
        SlotBooking.objects.create(
            appointment=appointment, slot=slot, places=places, beyond_capacity=not taken
        )
    return overbooked


def _give_back(appointment: Appointment) -> list[int]:
    """Give the appointment's places back to their slots; returns the slots' ids."""
    bookings = list(SlotBooking.objects.filter(appointment=appointment).order_by("slot_id"))
    for booking in bookings:
        if booking.beyond_capacity:
            Slot.objects.filter(pk=booking.slot_id).update(
                overbooked=F("overbooked") - booking.places
            )
        else:
            Slot.objects.filter(pk=booking.slot_id).update(booked=F("booked") - booking.places)
    SlotBooking.objects.filter(appointment=appointment).delete()
    if bookings:
        shown.changed(appointment.agenda_id)
    return [booking.slot_id for booking in bookings]


def release_expired(now: dt.datetime | None = None, slot_ids=None) -> list[Appointment]:
    """End the holds past their time (of the given slots, or all); their places go back.
    Holds another transaction is handling are skipped."""
    now = now or timezone.now()
    expired = Appointment.objects.filter(status=Appointment.Status.HELD, hold_expires_at__lte=now)
    if slot_ids is not None:
        expired = expired.filter(
            pk__in=SlotBooking.objects.filter(slot_id__in=slot_ids).values("appointment_id")
        )
        # A plain read first: most full slots have no lapsed hold, and then no transaction.
        if not expired.exists():
            return []
    released = []
    with transaction.atomic():
        freed: dict[int, list[int]] = {}
        for appointment in expired.select_for_update(skip_locked=True).order_by("pk"):
            freed.setdefault(appointment.service_id, []).extend(_end_hold(appointment))
            released.append(appointment)
        _offer_to_waiting(freed, now)
    return released


def _offer_to_waiting(freed: dict[int, list[int]], now: dt.datetime) -> None:
    """Places given back go to the citizens waiting for them first."""
    from . import waiting

    for service in Service.objects.filter(pk__in=list(freed), waiting_list=True):
        waiting.offer_freed(service, freed[service.pk], now=now)


# --- holding, confirming -----------------------------------------------------------------------


def hold(
    service: Service,
    first: Slot,
    *,
    citizen: Citizen,
    token: str,
    count: int = 1,
    people: int = 1,
    language: str = "",
    now: dt.datetime | None = None,
    hold_for: dt.timedelta | None = None,
) -> Appointment:
    """Hold ``count`` consecutive slots from ``first`` for ``people`` while the citizen fills
    the questions. The same ``token`` again returns the same hold (or booking)."""
    now = now or timezone.now()
    reason = unavailable(service, now)
    if reason:
        raise Refused(reason, code="unavailable")
    if not token or len(token) > 64:
        raise Refused(_("This page expired: choose the slot again."), code="token")
    agenda = first.agenda

    def take(slots: list[Slot]) -> Appointment:
        with transaction.atomic():
            # The places first: a full slot costs no row written and rolled back.
            _take_places(slots, people)
            appointment = Appointment.objects.create(
                site_id=service.site_id,
                service=service,
                agenda=agenda,
                status=Appointment.Status.HELD,
                starts_at=slots[0].starts_at,
                ends_at=slots[-1].ends_at,
                people=people,
                owner=citizen.account,
                email=citizen.email if citizen.account is None else (citizen.account.email or ""),
                language=language,
                client_token=token,
                hold_expires_at=now + (hold_for or dt.timedelta(minutes=service.hold_minutes)),
                workgroup_id=service.workgroup_id,
            )
            SlotBooking.objects.bulk_create(
                SlotBooking(appointment=appointment, slot=slot, places=people) for slot in slots
            )
        return appointment

    try:
        slots = slots_to_take(service, agenda, first, count)
        check_slots(service, slots, people, now)
        if citizen.key:
            check_limits(service, citizen, slots[0].starts_at, slots[-1].ends_at, now, holds=True)
        # Slots read full are not tried (the conditional UPDATE is the guard; this read only
        # spares a rush's refusals the round trips of trying).
        if all(slot.capacity - slot.booked >= people for slot in slots):
            try:
                return take(slots)
            except Refused as refused:
                if refused.code != "full":
                    raise
        # Full: holds of these slots that ran out give their places back (to the waiting list
        # first), then one more try. Looked for only then: bookings that find room never pay.
        if not release_expired(now, [slot.pk for slot in slots]):
            raise _full()
        return take(slots)
    except (IntegrityError, Refused):
        # The same request sent again (the token is unique per service), or twice at once and
        # this one lost the place to its twin: the hold made is the answer to both.
        existing = _by_token(service, token)
        if existing is None:
            raise
        return _same_citizen(existing, citizen)


def release_hold(appointment: Appointment) -> list[int]:
    """The citizen gives a held slot back (to choose another): its places return at once.
    Returns the slots' ids (none when the hold was already over or booked)."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status != Appointment.Status.HELD:
            return []
        freed = _end_hold(appointment)
        _offer_to_waiting({appointment.service_id: freed}, timezone.now())
    return freed


def _by_token(service: Service, token: str) -> Appointment | None:
    return Appointment.objects.filter(service=service, client_token=token).first()


def _same_citizen(appointment: Appointment, citizen: Citizen) -> Appointment:
    account = citizen.account
    if appointment.owner_id is not None and (account is None or account.pk != appointment.owner_id):
        raise Refused(_("This page expired: choose the slot again."), code="token")
    return appointment


def hold_remaining(appointment: Appointment, now: dt.datetime | None = None) -> int:
    """Seconds left on a hold (0 when over)."""
    if appointment.status != Appointment.Status.HELD or appointment.hold_expires_at is None:
        return 0
    return max(int((appointment.hold_expires_at - (now or timezone.now())).total_seconds()), 0)


@dataclass
class Details:
    """What the citizen gives after choosing the slot."""

    first_name: str
    last_name: str
    email: str
    phone: str = ""
    answers: dict | None = None


def keep_details(appointment: Appointment, details: Details) -> bool:
    """Keep what the citizen gave on their held appointment until they confirm (one UPDATE,
    no session write); False when the hold is over. A hold that runs out forgets them."""
    kept = Appointment.objects.filter(pk=appointment.pk, status=Appointment.Status.HELD).update(
        first_name=details.first_name.strip(),
        last_name=details.last_name.strip(),
        email=details.email.strip(),
        phone=details.phone.strip(),
        answers=details.answers or {},
    )
    return bool(kept)


def details_of(appointment: Appointment) -> Details | None:
    """What the citizen gave for a held appointment, None before they gave it."""
    if not appointment.first_name:
        return None
    return Details(
        first_name=appointment.first_name,
        last_name=appointment.last_name,
        email=appointment.email,
        phone=appointment.phone,
        answers=appointment.answers or {},
    )


#: what a citizen gives of themselves on an appointment
DETAILS = ("first_name", "last_name", "email", "phone", "answers")


def forget_details(appointment: Appointment) -> None:
    """Blank what the citizen gave (`DETAILS`; the caller saves)."""
    appointment.first_name = appointment.last_name = appointment.phone = ""
    appointment.email = ""
    appointment.answers = {}


def _end_hold(appointment: Appointment) -> list[int]:
    """A hold over without a booking (locked by the caller): its places given back, its
    personal data forgotten. Returns the freed slots' ids (for the waiting list)."""
    freed = _give_back(appointment)
    appointment.status = Appointment.Status.EXPIRED
    forget_details(appointment)
    appointment.save(update_fields=["status", *DETAILS])
    return freed


#: what confirming reads besides the appointment's row: joined to the locked row, unless the
#: caller's copy holds it already (a page read it a moment before)
_CONFIRM_RELATED = {
    "service": ("service", "service__category"),
    "agenda": ("agenda", "agenda__location"),
    "site": ("site",),
}


def _locked(appointment: Appointment) -> Appointment:
    """The appointment's row, locked (SELECT ... FOR UPDATE), with its service, agenda and
    site: taken from ``appointment`` when it holds them for the same ids (configuration, not
    what the lock protects), joined otherwise."""
    cached = {
        name: field
        for name in _CONFIRM_RELATED
        if (field := Appointment._meta.get_field(name)).is_cached(appointment)
    }
    joins = [
        join for name, names in _CONFIRM_RELATED.items() if name not in cached for join in names
    ]
    query = Appointment.objects.select_for_update(of=("self",))
    fresh = (query.select_related(*joins) if joins else query).get(pk=appointment.pk)
    for field in cached.values():
        if getattr(fresh, field.attname) == getattr(appointment, field.attname):
            field.set_cached_value(fresh, field.get_cached_value(appointment))
    return fresh


def confirm(
    appointment: Appointment,
    details: Details,
    *,
    user=None,
    now: dt.datetime | None = None,
    origin: str = "front",
) -> tuple[Appointment, str]:
    """Book a held appointment: the citizen's limits checked under their lock, a reference,
    the secret of their cancel/reschedule links (returned, never stored), the workflow
    started, the confirmation queued. Confirming twice returns the booking (and no secret)."""
    now = now or timezone.now()
    expired = False
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.status == Appointment.Status.BOOKED:
            return appointment, ""
        if appointment.status != Appointment.Status.HELD:
            raise Refused(
                _("Your slot was not kept: the time to confirm it ran out. Choose a slot again."),
                code="expired",
            )
        if hold_remaining(appointment, now) <= 0:
            freed = _end_hold(appointment)
            _offer_to_waiting({appointment.service_id: freed}, now)
            expired = True
        else:
            secret = _book(appointment, details, user=user, now=now, origin=origin)
    if expired:
        raise Refused(
            _("Your slot was not kept: the time to confirm it ran out. Choose a slot again."),
            code="expired",
        )
    return appointment, secret


def _book(appointment: Appointment, details: Details, *, user, now, origin: str) -> str:
    service = appointment.service
    account = appointment.owner
    citizen = Citizen(account, details.email)
    _lock_citizen(appointment.site, citizen)
    check_limits(service, citizen, appointment.starts_at, appointment.ends_at, now, appointment.pk)
    secret = secrets.token_urlsafe(24)
    appointment.first_name = details.first_name.strip()
    appointment.last_name = details.last_name.strip()
    appointment.email = details.email.strip()
    appointment.phone = details.phone.strip()
    appointment.answers = details.answers or {}
    appointment.status = Appointment.Status.BOOKED
    appointment.hold_expires_at = None
    appointment.booked_at = now
    appointment.secret_hash = hash_secret(secret)
    appointment.resource_id = _free_resource(appointment)
    appointment.search_text = search_text_of(appointment)
    _number(appointment)
    audit.record(
        user if getattr(user, "is_authenticated", False) else None,
        "appointments.booked",
        appointment,
        origin=origin,
        details={"service": service.pk, "agenda": appointment.agenda_id},
    )
    actor = user if getattr(user, "is_authenticated", False) else None
    resources.created(appointment, actor=actor)
    signals.appointment_booked.send(
        sender=Appointment, site=appointment.site, appointment=appointment, actor=actor
    )
    from . import notices

    notices.booked(appointment, secret)
    return secret


def _number(appointment: Appointment) -> None:
    """Give the appointment its reference and save it (a new draw on the rare collision)."""
    for _attempt in range(5):
        appointment.reference = new_reference(appointment.service.reference_prefix)
        appointment.search_text = search_text_of(appointment)  # the reference is searched too
        try:
            with transaction.atomic():
                appointment.save()
            return
        except IntegrityError:
            if not Appointment.objects.filter(
                site_id=appointment.site_id, reference=appointment.reference
            ).exists():
                raise
    raise RuntimeError("no free appointment reference after 5 draws")


def _free_resource(appointment: Appointment) -> int | None:
    """The agenda's active resource, present that day, with the fewest appointments at that
    time."""
    candidates = [r for r in appointment.agenda.resources.all() if r.active]
    if len(candidates) > 1:
        receiving, away = opening.serving(appointment.agenda, appointment.starts_at)
        candidates = [r for r in candidates if r.pk not in away] or candidates
        if receiving is not None:  # the rules name who receives at that time
            candidates = [r for r in candidates if r.pk in receiving] or candidates
    if len(candidates) < 2:
        return candidates[0].pk if candidates else None
    busy: dict[int, int] = {}
    for resource_id in Appointment.objects.filter(
        agenda_id=appointment.agenda_id,
        status=Appointment.Status.BOOKED,
        starts_at__lt=appointment.ends_at,
        ends_at__gt=appointment.starts_at,
        resource__isnull=False,
    ).values_list("resource_id", flat=True):
        busy[resource_id] = busy.get(resource_id, 0) + 1
    return min(candidates, key=lambda r: (busy.get(r.pk, 0) / r.places, r.pk)).pk


def give_to_present(absence, *, actor) -> tuple[list[Appointment], list[Appointment]]:
    """The booked appointments given to an absent resource on its days go to a present one
    (the least busy receiving at that time), each logged. Returns (moved, left): left are
    those no present resource receives (the agent moves or cancels them). In the caller's
    transaction, after the absence is saved."""
    resource = absence.resource
    zone = zoneinfo.ZoneInfo(resource.agenda.time_zone)
    since = dt.datetime.combine(absence.starts_on, dt.time(0), tzinfo=zone)
    until = dt.datetime.combine(absence.ends_on + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    moved, left = [], []
    for appointment in (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("agenda")
        .filter(
            resource=resource,
            status=Appointment.Status.BOOKED,
            starts_at__gte=since,
            starts_at__lt=until,
        )
        .order_by("starts_at", "pk")
    ):
        present = _free_resource(appointment)
        if present is None or present == resource.pk:
            left.append(appointment)
            continue
        appointment.resource_id = present
        appointment.save(update_fields=["resource"])
        audit.record(
            actor,
            "appointments.resource_changed",
            appointment,
            details={"from": resource.pk, "to": present, "why": "absence"},
        )
        moved.append(appointment)
    return moved, left


def search_text_of(appointment: Appointment) -> str:
    parts = [
        appointment.reference or "",
        appointment.first_name,
        appointment.last_name,
        appointment.email,
        appointment.phone,
    ]
    return " ".join(p for p in parts if p).casefold()


# --- cancelling, rescheduling ------------------------------------------------------------------


def may_change(appointment: Appointment, now: dt.datetime | None = None) -> str:
    """Why the citizen can no longer cancel or move the appointment themselves, or ""."""
    now = now or timezone.now()
    if appointment.status == Appointment.Status.CANCELLED:
        return _("This appointment was cancelled.")
    if appointment.status != Appointment.Status.BOOKED:
        return _("This appointment is not booked.")
    if appointment.starts_at <= now:
        return _("This appointment is over.")
    notice = dt.timedelta(hours=appointment.service.cancel_notice_hours)
    if appointment.starts_at - notice <= now:
        return _("This appointment can no longer be changed online: contact the service.")
    return ""


def cancel(
    appointment: Appointment,
    *,
    actor=None,
    reason: str = "",
    by_citizen: bool = True,
    now: dt.datetime | None = None,
) -> Appointment:
    """Cancel a booked appointment: its places go back (to the waiting list first)."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("service", "agenda", "site")
            .get(pk=appointment.pk)
        )
        if by_citizen:
            why = may_change(appointment, now)
            if why:
                raise Refused(why, code="unchangeable")
        elif appointment.status != Appointment.Status.BOOKED:
            raise Refused(_("This appointment is not booked."), code="not_booked")
        freed = _give_back(appointment)
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancelled_at = now
        appointment.cancel_reason = reason[:300]
        appointment.revision += 1
        appointment.save(update_fields=["status", "cancelled_at", "cancel_reason", "revision"])
        audit.record(
            actor,
            "appointments.cancelled",
            appointment,
            origin="front" if by_citizen else "back",
            details={"by": "citizen" if by_citizen else "agent"},
        )
        resources.changed(appointment, fields=("status",), actor=actor)
        signals.appointment_cancelled.send(
            sender=Appointment,
            site=appointment.site,
            appointment=appointment,
            actor=actor,
            by_citizen=by_citizen,
        )
        from . import notices, waiting

        notices.cancelled(appointment, by_citizen=by_citizen)
        waiting.offer_freed(appointment.service, freed, now=now)
    return appointment


def reschedule(
    appointment: Appointment,
    first: Slot,
    *,
    count: int | None = None,
    actor=None,
    by_citizen: bool = True,
    overbook: bool = False,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move a booked appointment to other slots of its service, atomically: the new places are
    taken before the old ones are given back; if the new slot is full, nothing changes."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("service", "service__category", "agenda", "site")
            .get(pk=appointment.pk)
        )
        service = appointment.service
        if by_citizen:
            why = may_change(appointment, now)
            if why:
                raise Refused(why, code="unchangeable")
        elif appointment.status != Appointment.Status.BOOKED:
            raise Refused(_("This appointment is not booked."), code="not_booked")
        count = count or appointment.bookings.count() or 1
        slots = slots_to_take(service, first.agenda, first, count)
        if {s.pk for s in slots} == set(appointment.bookings.values_list("slot_id", flat=True)):
            return appointment
        check_slots(service, slots, appointment.people, now, agent=not by_citizen)
        citizen = Citizen(appointment.owner, appointment.email)
        _lock_citizen(appointment.site, citizen)
        check_limits(service, citizen, slots[0].starts_at, slots[-1].ends_at, now, appointment.pk)
        old = list(appointment.bookings.values_list("slot_id", flat=True))
        # one order for every lock: the slots, old and new, by id
        list(
            Slot.objects.select_for_update()
            .filter(pk__in=[*old, *[s.pk for s in slots]])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        previous = {"starts_at": appointment.starts_at.isoformat(), "agenda": appointment.agenda_id}
        kept = list(SlotBooking.objects.filter(appointment=appointment))
        SlotBooking.objects.filter(appointment=appointment).delete()
        overbooked = _take(
            appointment,
            slots,
            appointment.people,
            beyond=overbook and service.bo_overbooking and not by_citizen,
        )
        for booking in kept:
            field = "overbooked" if booking.beyond_capacity else "booked"
            Slot.objects.filter(pk=booking.slot_id).update(**{field: F(field) - booking.places})
        shown.changed(previous["agenda"])
        appointment.agenda = first.agenda
        appointment.starts_at = slots[0].starts_at
        appointment.ends_at = slots[-1].ends_at
        appointment.overbooked = overbooked
        appointment.reminded_at = None
        appointment.revision += 1
        appointment.resource_id = _free_resource(appointment)
        appointment.save(
            update_fields=[
                "agenda",
                "starts_at",
                "ends_at",
                "overbooked",
                "reminded_at",
                "revision",
                "resource",
            ]
        )
        audit.record(
            actor,
            "appointments.rescheduled",
            appointment,
            origin="front" if by_citizen else "back",
            details={"from": previous, "by": "citizen" if by_citizen else "agent"},
        )
        resources.changed(appointment, fields=("starts_at",), actor=actor)
        signals.appointment_moved.send(
            sender=Appointment,
            site=appointment.site,
            appointment=appointment,
            actor=actor,
            previous=previous,
        )
        from . import notices, waiting

        notices.rescheduled(appointment)
        waiting.offer_freed(service, [b.slot_id for b in kept], now=now)
    return appointment


def book_for_citizen(
    service: Service,
    first: Slot,
    details: Details,
    *,
    agent,
    count: int = 1,
    people: int = 1,
    overbook: bool = False,
    citizen_account=None,
    now: dt.datetime | None = None,
) -> Appointment:
    """An agent books on behalf of a citizen (at the desk, on the phone): no notice or horizon,
    the citizen's limits still hold; beyond capacity only when asked and the service allows it
    (the appointment is flagged). It belongs to ``citizen_account``, else to the account that
    verified the e-mail address given, if there is one: it is in their "My appointments"."""
    now = now or timezone.now()
    if citizen_account is None:
        citizen_account = account_of_verified_email(details.email)
    if overbook and not service.bo_overbooking:
        raise Refused(_("This service does not allow booking beyond capacity."), code="overbooking")
    slots = slots_to_take(service, first.agenda, first, count)
    check_slots(service, slots, people, now, agent=True)
    release_expired(now, [slot.pk for slot in slots])
    with transaction.atomic():
        appointment = Appointment.objects.create(
            site_id=service.site_id,
            service=service,
            agenda=first.agenda,
            status=Appointment.Status.HELD,
            starts_at=slots[0].starts_at,
            ends_at=slots[-1].ends_at,
            people=people,
            owner=citizen_account,
            email=details.email,
            booked_by=agent,
            hold_expires_at=now + dt.timedelta(minutes=1),
            workgroup_id=service.workgroup_id,
        )
        appointment.overbooked = _take(appointment, slots, people, beyond=overbook)
        if appointment.overbooked:
            appointment.save(update_fields=["overbooked"])
        _book(appointment, details, user=agent, now=now, origin="back")
    return appointment


def set_presence(appointment: Appointment, presence: str, *, actor) -> Appointment:
    if presence not in Appointment.Presence.values:
        raise Refused(_("Unknown presence."), code="presence")
    if appointment.status != Appointment.Status.BOOKED:
        raise Refused(_("This appointment is not booked."), code="not_booked")
    with transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(presence=presence)
        appointment.presence = presence
        audit.record(
            actor,
            "appointments.presence",
            appointment,
            origin="back",
            details={"presence": presence},
        )
    return appointment
