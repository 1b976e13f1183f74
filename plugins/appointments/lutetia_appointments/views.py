"""Appointments' front office, under /services/appointments/: thin views over booking.py,
availability.py and waiting.py.

The path: the services by category → a service (its locations, the next free slot of each) →
a location's calendar (a week of slots, radio buttons) → the slot held → the citizen's details
→ the summary → booked, with the confirmation. Each step works without JavaScript.

A held or booked appointment is reached by its owner (signed in) or by the browser that held it
(its uid is kept in the session); every other visitor gets a 404 and an audit entry. The e-mail's
link (``m/<secret>/``) opens the appointment to whoever has it: to see, cancel or move it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.models import Site

from lutetia import audit
from lutetia.ops.clients import client_ip
from lutetia.site.current import kept
from lutetia.ui.templatetags.ui import render_component
from lutetia.ui.themes import current_theme

from . import availability, booking, notices, questions, shown, waiting
from .forms import DetailsForm, LengthForm, PeopleForm, WaitingForm
from .models import Agenda, Appointment, Category, Service, Slot, WaitingEntry

#: uids of the appointments this browser held (and booked), in a signed cookie: they open to
#: it. A cookie, not the session: a rush of anonymous citizens writes no session row.
HELD_COOKIE = "lutetia_held"
HELD_SALT = "lutetia_appointments.held"
HELD_KEPT = 20
#: slots one address may hold or confirm per hour (a robot emptying agendas, not a citizen)
BOOKINGS_PER_HOUR = 30


# --- helpers ---------------------------------------------------------------------------------


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


def _local(value: dt.datetime, agenda: Agenda) -> dt.datetime:
    return value.astimezone(zoneinfo.ZoneInfo(agenda.time_zone))


def _day_label(day: dt.date) -> str:
    return formats.date_format(day, "l j F Y")


def _time_label(value: dt.datetime, agenda: Agenda) -> str:
    return formats.time_format(_local(value, agenda), "TIME_FORMAT")


def _when(value: dt.datetime, agenda: Agenda) -> str:
    """ "Monday 30 November 2026, 09:30" in the agenda's zone and the page's language."""
    local = _local(value, agenda)
    return _("%(day)s at %(time)s") % {
        "day": _day_label(local.date()),
        "time": formats.time_format(local, "TIME_FORMAT"),
    }


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _int(value, default=None):
    """An int from a posted value; ValueError when it is not one (or too large for the
    database)."""
    if value in (None, ""):
        if default is None:
            raise ValueError(value)
        return default
    number = int(str(value).strip())
    if abs(number) >= 2**63:
        raise ValueError(value)
    return number


def _allowed(request) -> bool:
    """Counts one booking step (a hold, a confirmation) of the client's address: False past
    the hourly limit. ``incr`` is atomic in the cache."""
    key = f"appointments:booking:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) <= BOOKINGS_PER_HOUR
    except ValueError:
        cache.add(key, 1, 3600)
        return True


def _throttled_message() -> str:
    return _(
        "Too many bookings were attempted from your connection in the last hour. "
        "Please try again later, or contact the service."
    )


def _held(request) -> list[str]:
    if not hasattr(request, "lutetia_held"):
        value = request.get_signed_cookie(
            HELD_COOKIE, default="", salt=HELD_SALT, max_age=settings.SESSION_COOKIE_AGE
        )
        request.lutetia_held = [uid for uid in value.split(",") if uid]
    return request.lutetia_held


def _remember(request, appointment: Appointment) -> None:
    """This browser may open the appointment (the cookie is written by `remembers_holds`)."""
    held = _held(request)
    uid = str(appointment.uid)
    if uid not in held:
        request.lutetia_held = [*held[-(HELD_KEPT - 1) :], uid]
        request.lutetia_held_changed = True


def remembers_holds(view):
    """Views that call `_remember` answer with the browser's new list of appointments."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if getattr(request, "lutetia_held_changed", False):
            response.set_signed_cookie(
                HELD_COOKIE,
                ",".join(request.lutetia_held),
                salt=HELD_SALT,
                max_age=settings.SESSION_COOKIE_AGE,
                path=reverse("appointments:index"),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return wrapped


def _may_open(request, appointment: Appointment) -> bool:
    if appointment.owner_id is not None:
        return request.user.is_authenticated and request.user.pk == appointment.owner_id
    return str(appointment.uid) in _held(request)


def _appointment_or_404(request, uid) -> Appointment:
    """The appointment (its row alone) with its agenda, location and service as kept (see
    `_calendar_agenda`) and the request's site."""
    site = _site(request)
    appointment = Appointment.objects.filter(site=site, uid=uid).first()
    if appointment is not None:
        appointment.site = site
        agenda = kept(
            f"appointments:agenda:{appointment.agenda_id}",
            lambda: _configured_agendas().filter(pk=appointment.agenda_id).first(),
        )
        if agenda is not None and agenda.service_id == appointment.service_id:
            appointment.agenda, appointment.service = agenda, agenda.service
    if appointment is None or not _may_open(request, appointment):
        if appointment is not None:
            audit.record(
                None, "appointments.access_denied", appointment, outcome="denied", request=request
            )
        raise Http404
    return appointment


def _by_secret(request, secret: str) -> Appointment:
    appointment = (
        Appointment.objects.select_related("service", "agenda", "agenda__location", "site")
        .filter(site=_site(request), secret_hash=booking.hash_secret(secret or ""))
        .exclude(secret_hash="")
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


def _managed(request, secret=None, uid=None) -> tuple[Appointment, dict]:
    """The appointment a manage page is about (by the e-mail's secret, or by uid for its owner
    or browser) and the addresses of its actions."""
    if secret is not None:
        appointment = _by_secret(request, secret)
        urls = {
            "page": reverse("appointments:manage", args=[secret]),
            "cancel": reverse("appointments:cancel", args=[secret]),
            "move": reverse("appointments:move", args=[secret]),
        }
    else:
        appointment = _appointment_or_404(request, uid)
        urls = {
            "page": reverse("appointments:appointment", args=[appointment.uid]),
            "cancel": reverse("appointments:own_cancel", args=[appointment.uid]),
            "move": reverse("appointments:own_move", args=[appointment.uid]),
        }
    return appointment, urls


def _service_or_404(request, slug, *, closed_ok: bool = False) -> Service:
    service = (
        Service.objects.select_related("category").filter(site=_site(request), slug=slug).first()
    )
    if service is None or (not service.enabled and not closed_ok):
        raise Http404
    return service


def _agendas(service: Service) -> list[Agenda]:
    return list(
        service.agendas.filter(enabled=True).select_related("location").order_by("location__name")
    )


def _describe(appointment: Appointment) -> dict:
    """What the pages say of an appointment: when, where, for how many."""
    agenda = appointment.agenda
    location = agenda.location
    return {
        "when": _when(appointment.starts_at, agenda),
        "ends": _time_label(appointment.ends_at, agenda),
        "place": location.name,
        "address": location.full_address,
        "directions": location.directions,
        "people": appointment.people,
    }


def _hold_context(appointment: Appointment) -> dict:
    return {
        "hold_until": _time_label(appointment.hold_expires_at, appointment.agenda)
        if appointment.hold_expires_at
        else "",
        "hold_remaining": booking.hold_remaining(appointment),
    }


def _gone(request, appointment: Appointment | None, message: str, *, status: int = 410):
    """The page of a slot not kept, an appointment cancelled, an offer gone."""
    service = appointment.service if appointment is not None else None
    return render(
        request,
        "lutetia_appointments/gone.html",
        {"message": message, "service": service},
        status=status,
    )


def _steps() -> list[str]:
    return [_("Choose a slot"), _("Your details"), _("Check and confirm")]


def _expired_message() -> str:
    return _("Your slot was not kept: the time to confirm it ran out. Choose a slot again.")


def _hold_or_gone(request, uid):
    """(appointment, None) while the hold lasts; (appointment, response) otherwise: the booking
    page, or the page saying the slot was not kept."""
    appointment = _appointment_or_404(request, uid)
    if appointment.status == Appointment.Status.BOOKED:
        return appointment, redirect("appointments:appointment", appointment.uid)
    if appointment.status != Appointment.Status.HELD or booking.hold_remaining(appointment) <= 0:
        return appointment, _gone(request, appointment, _expired_message())
    return appointment, None


# --- the services ------------------------------------------------------------------------------


@never_cache
def index(request):
    """The services citizens may book online, by category."""
    site = _site(request)
    services = list(Service.objects.filter(site=site, enabled=True).select_related("category"))
    categories = []
    for category in Category.objects.filter(site=site):
        listed = [s for s in services if s.category_id == category.pk]
        if listed:
            categories.append({"name": category.name, "services": listed})
    other = [s for s in services if s.category_id is None]
    if other:
        categories.append({"name": _("Other services") if categories else "", "services": other})
    return render(request, "lutetia_appointments/index.html", {"categories": categories})


@never_cache
def service(request, slug):
    """A service: what it is for, where, the next free slot at each place."""
    service = _service_or_404(request, slug)
    agendas = _agendas(service)
    reason = booking.unavailable(service)
    if len(agendas) == 1 and not reason:
        return redirect("appointments:calendar", service.slug, agendas[0].uid)
    places = []
    for agenda in agendas:
        first = _next_free(agenda, 1) if not reason else None
        places.append(
            {
                "agenda": agenda,
                "location": agenda.location,
                "next": _when(first[1], agenda) if first else "",
                "url": reverse("appointments:calendar", args=[service.slug, agenda.uid]),
            }
        )
    context = {
        "service": service,
        "reason": reason,
        "places": places,
        "nothing_free": not reason and not any(place["next"] for place in places),
        "sign_in": service.login_required and not request.user.is_authenticated,
    }
    return render(request, "lutetia_appointments/service.html", context)


# --- the calendar ------------------------------------------------------------------------------


def _next_free(agenda: Agenda, people: int) -> tuple[int, dt.datetime] | None:
    """The next free slot's (id, start), as citizens are shown it (kept: `shown`)."""

    def compute():
        slot = availability.next_free(agenda, people=people)
        return (slot.pk, slot.starts_at) if slot else None

    return shown.kept(agenda.pk, f"next:{people}", compute)


def _week_start(request, agenda: Agenda, people: int) -> tuple[dt.date, tuple | None]:
    """The Monday of the week shown (``?from=``, else the next free slot's week) and the next
    free slot (id, start)."""
    first = _next_free(agenda, people)
    asked = request.GET.get("from") or request.POST.get("from") or ""
    try:
        start = dt.date.fromisoformat(asked) if asked else None
    except ValueError:
        start = None
    if start is None:
        start = _local(first[1], agenda).date() if first else timezone.localdate()
    return _monday(start), first


def _people(request, service: Service) -> int:
    try:
        people = _int(request.POST.get("people") or request.GET.get("people"), 1)
    except ValueError:
        return 1
    return min(max(people, 1), service.max_people)


def _week(agenda: Agenda, start: dt.date, people: int) -> list[dict]:
    """The week's days and slots as the citizen's calendar shows them, in the language of the
    page (kept: `shown`)."""

    def compute():
        labels: dict[dt.time, str] = {}  # the same hours come back every day of the week

        def label(value: dt.datetime) -> str:
            key = _local(value, agenda).time()
            if key not in labels:
                labels[key] = _time_label(value, agenda)
            return labels[key]

        return [
            {
                "label": formats.date_format(day.date, "l j F"),
                "slots": [
                    {
                        "value": str(slot.pk),
                        "label": label(slot.starts_at),
                        "available": slot.available,
                        "selected": False,
                    }
                    for slot in day.slots
                ],
            }
            for day in availability.calendar(agenda, start, people=people)
        ]

    return shown.kept(agenda.pk, f"week:{start}:{people}:{get_language()}", compute)


def _shown_free(days: list[dict], first, slot: str) -> bool:
    """Whether what is shown offers ``slot`` (the week's grid or the next free slot)."""
    if first and str(first[0]) == slot:
        return True
    return any(s["value"] == slot and s["available"] for day in days for s in day["slots"])


def _slots_html(agenda: Agenda, grid: dict) -> str:
    """The week's grid of slots in the site's theme, kept with what it shows (`shown`): a
    booking rush shows the same grid to every citizen a hold refuses. Kept under the digest of
    its parameters, it is always the grid of these days, never one a second older."""
    theme = current_theme()
    digest = hashlib.blake2b(repr((theme.id, sorted(grid.items()))).encode(), digest_size=16)
    html = shown.kept(
        agenda.pk,
        f"grid:{digest.hexdigest()}",
        lambda: str(render_component("slot_calendar", grid)),
    )
    return mark_safe(html)  # noqa: S308 - the theme's rendered template


def _calendar_context(
    request,
    service: Service,
    agenda: Agenda,
    *,
    base_url: str,
    extra_query: dict | None = None,
    selected: str = "",
    taken: str = "",
    people: int | None = None,
) -> dict:
    """The calendar page's context; ``taken``: a slot a hold just found full (if what is
    shown still offers it, it was kept too long: dropped and read again)."""
    people = people or _people(request, service)
    start, first = _week_start(request, agenda, people)
    days = _week(agenda, start, people)
    if taken and _shown_free(days, first, taken):
        shown.changed(agenda.pk)
        start, first = _week_start(request, agenda, people)
        days = _week(agenda, start, people)
    for day in days:
        for slot in day["slots"]:
            slot["selected"] = slot["value"] == selected and slot["available"]
    first_day, last_day = availability.bookable_days(service)
    query = {**(extra_query or {})}
    if people > 1:
        query["people"] = people

    def week_url(day):
        return base_url + "?" + urlencode({**query, "from": day.isoformat()})

    first_week = _monday(_local(first[1], agenda).date()) if first else None
    previous_url = week_url(start - dt.timedelta(days=7)) if start > _monday(first_day) else ""
    next_url = week_url(start + dt.timedelta(days=7)) if start + dt.timedelta(7) <= last_day else ""
    week = _("Week of %(day)s") % {"day": _day_label(start)}
    grid = {
        "name": "slot",
        "legend": _("Available slots – %(week)s") % {"week": week},
        "days": days,
        "previous_url": previous_url,
        "next_url": next_url,
    }
    length_form = None
    if service.max_slots > 1:
        minutes = None
        sample = Slot.objects.filter(agenda=agenda).order_by("-starts_at").first()
        if sample is not None:
            minutes = int((sample.ends_at - sample.starts_at).total_seconds() // 60)
        length_form = LengthForm(
            service,
            minutes,
            request.POST if request.method == "POST" else None,
            initial={"count": 1},
        )
    return {
        "steps": _steps(),
        "service": service,
        "agenda": agenda,
        "location": agenda.location,
        "people": people,
        "people_form": PeopleForm(service, initial={"people": people})
        if service.max_people > 1
        else None,
        "length_form": length_form,
        "from": start.isoformat(),
        "days": days,
        "slots": _slots_html(agenda, grid),
        "next_free": first,
        "next_free_label": _when(first[1], agenda) if first else "",
        "next_free_url": week_url(first_week) if first else "",
        "next_free_shown": first_week == start,
        "previous_url": previous_url,
        "next_url": next_url,
        "token": secrets.token_urlsafe(24),
        "waiting_url": reverse("appointments:waiting", args=[service.slug])
        if service.waiting_list
        else "",
    }


def _configured_agendas():
    return Agenda.objects.select_related("location", "service", "service__category")


def _calendar_agenda(request, slug, agenda_uid, *, closed_ok=False) -> Agenda:
    """The agenda with its location and service: configuration, read on every step of a
    booking, so kept under the site's generation (every change of a service, an agenda, a
    location or a category moves it: receivers.py; every process reads it with the request)."""
    site = _site(request)
    agenda = kept(
        f"appointments:agenda:{site.pk}:{slug}:{agenda_uid}",
        lambda: (
            _configured_agendas()
            .filter(service__site=site, service__slug=slug, uid=agenda_uid)
            .first()
        ),
        keep_none=False,
    )
    if agenda is None:
        raise Http404
    if not closed_ok and not (agenda.service.enabled and agenda.enabled):
        raise Http404
    return agenda


@never_cache
@remembers_holds
def calendar(request, slug, agenda):
    """A location's slots, a week at a time; the slot chosen is held (POST)."""
    posting = request.method == "POST"
    agenda = _calendar_agenda(request, slug, agenda, closed_ok=posting)
    service = agenda.service
    if service.login_required and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    base_url = reverse("appointments:calendar", args=[service.slug, agenda.uid])
    if not posting:
        context = _calendar_context(request, service, agenda, base_url=base_url)
        context["reason"] = booking.unavailable(service)
        return render(request, "lutetia_appointments/calendar.html", context)

    problem, status, taken = "", 409, ""
    selected = request.POST.get("slot", "")
    if not _allowed(request):
        problem, status = _throttled_message(), 429
    else:
        try:
            held = _hold(request, service, agenda)
        except booking.Refused as refused:
            problem = refused.message
            status = 400 if refused.code == "malformed" else 409
            taken = selected if refused.code == "full" else ""
        else:
            _remember(request, held)
            return redirect("appointments:details", held.uid)
    context = _calendar_context(
        request, service, agenda, base_url=base_url, selected=selected, taken=taken
    )
    context["problem"] = problem
    context["reason"] = booking.unavailable(service)
    return render(request, "lutetia_appointments/calendar.html", context, status=status)


def _hold(request, service: Service, agenda: Agenda) -> Appointment:
    """The posted slot held; `Refused` with the reason (code "malformed" for values that are
    no number)."""
    try:
        slot_id = _int(request.POST.get("slot"))
        people = _int(request.POST.get("people"), 1)
        count = _int(request.POST.get("count"), 1)
    except ValueError:
        if not request.POST.get("slot"):
            raise booking.Refused(_("Choose a slot."), code="malformed") from None
        raise booking.Refused(_("This choice is not valid."), code="malformed") from None
    slot = Slot.objects.filter(pk=slot_id).first()
    if slot is None:
        raise booking.Refused(_("This slot does not exist: choose another one."), code="slot")
    if slot.agenda_id != agenda.pk:
        raise booking.Refused(
            _("This slot does not belong to this calendar: choose another one."), code="slot"
        )
    slot.agenda = agenda
    user = request.user if request.user.is_authenticated else None
    citizen = booking.Citizen(user, user.email if user else "")
    return booking.hold(
        service,
        slot,
        citizen=citizen,
        token=request.POST.get("token", ""),
        count=count,
        people=people,
        language=get_language() or "",
    )


# --- the held slot: details, summary, confirmation ---------------------------------------------


@never_cache
def details(request, uid):
    """Who comes and the service's questions, while the slot is kept."""
    appointment, gone = _hold_or_gone(request, uid)
    if gone is not None:
        return gone
    service = appointment.service
    given = booking.details_of(appointment)
    if given is not None:
        initial = DetailsForm.initial_of(given)
    elif request.user.is_authenticated:
        user = request.user
        initial = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    else:
        initial = {}
    needs_captcha = service.captcha and not request.user.is_authenticated
    form = DetailsForm(
        service,
        request.POST if request.method == "POST" else None,
        initial=initial,
        captcha=needs_captcha,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if not booking.keep_details(appointment, form.details()):
                return _gone(request, appointment, _expired_message())
            return redirect("appointments:summary", appointment.uid)
        status = 400
    context = {
        "steps": _steps(),
        "appointment": appointment,
        "service": service,
        "about": _describe(appointment),
        "form": form,
        **_hold_context(appointment),
    }
    return render(request, "lutetia_appointments/details.html", context, status=status)


@never_cache
def summary(request, uid):
    """Everything, with "change" links, and the button that books (POST)."""
    appointment, gone = _hold_or_gone(request, uid)
    if gone is not None:
        return gone
    given = booking.details_of(appointment)
    if given is None:
        return redirect("appointments:details", appointment.uid)
    problem, status = "", 200
    if request.method == "POST":
        if not _allowed(request):
            problem, status = _throttled_message(), 429
        else:
            user = request.user if request.user.is_authenticated else None
            try:
                appointment, _secret = booking.confirm(appointment, given, user=user)
            except booking.Refused as refused:
                if refused.code == "expired":
                    return _gone(request, appointment, refused.message)
                problem, status = refused.message, 409
            else:
                return redirect("appointments:appointment", appointment.uid)
    service = appointment.service
    context = {
        "steps": _steps(),
        "appointment": appointment,
        "service": service,
        "about": _describe(appointment),
        "stored": given,
        "answers": questions.readable(service.questions or [], given.answers or {}),
        "problem": problem,
        **_hold_context(appointment),
    }
    return render(request, "lutetia_appointments/summary.html", context, status=status)


@never_cache
@require_POST
def release(request, uid):
    """The citizen gives the slot back to choose another."""
    appointment = _appointment_or_404(request, uid)
    if appointment.status == Appointment.Status.HELD:
        booking.release_hold(appointment)
        messages.info(request, _("The slot was given back: choose another one."))
    return redirect("appointments:calendar", appointment.service.slug, appointment.agenda.uid)


@never_cache
def appointment(request, uid):
    """The booking's confirmation, and its page for its owner: cancel or move it."""
    appointment, urls = _managed(request, uid=uid)
    if appointment.status in (Appointment.Status.HELD, Appointment.Status.EXPIRED):
        return redirect("appointments:details", appointment.uid)
    return _manage_page(request, appointment, urls)


def _manage_page(request, appointment: Appointment, urls: dict, *, status=None):
    cancelled = appointment.status == Appointment.Status.CANCELLED
    why = booking.may_change(appointment)
    service = appointment.service
    context = {
        "appointment": appointment,
        "service": service,
        "about": _describe(appointment),
        "cancelled": cancelled,
        "why": why,
        "urls": urls,
        "answers": questions.readable(service.questions or [], appointment.answers or {}),
        "ics_url": reverse("appointments:ics", args=[appointment.uid])
        if _may_open(request, appointment)
        else "",
    }
    return render(
        request,
        "lutetia_appointments/appointment.html",
        context,
        status=status or (410 if cancelled else 200),
    )


@never_cache
def calendar_file(request, uid):
    """The appointment as an .ics file, for the citizen's calendar."""
    appointment = _appointment_or_404(request, uid)
    if appointment.status not in (Appointment.Status.BOOKED, Appointment.Status.CANCELLED):
        raise Http404
    method = "CANCEL" if appointment.status == Appointment.Status.CANCELLED else "PUBLISH"
    out = HttpResponse(notices.ics(appointment, method=method), content_type="text/calendar")
    out["Content-Disposition"] = f'attachment; filename="{appointment.reference}.ics"'
    out["Cache-Control"] = "private, no-store"
    return out


# --- managing a booking: by the e-mail's link, or by its owner ---------------------------------


@never_cache
def manage(request, secret):
    appointment, urls = _managed(request, secret=secret)
    return _manage_page(request, appointment, urls)


def _actor(request):
    return request.user if request.user.is_authenticated else None


@never_cache
def cancel(request, secret=None, uid=None):
    """Cancelling: a confirmation page (GET), then the cancellation (POST)."""
    appointment, urls = _managed(request, secret=secret, uid=uid)
    if appointment.status == Appointment.Status.CANCELLED:
        return _manage_page(request, appointment, urls)
    why = booking.may_change(appointment)
    problem, status = "", 200
    if request.method == "POST" and not why:
        try:
            appointment = booking.cancel(appointment, actor=_actor(request))
        except booking.Refused as refused:
            problem, status = refused.message, 409
        else:
            return render(
                request,
                "lutetia_appointments/cancelled.html",
                {
                    "appointment": appointment,
                    "service": appointment.service,
                    "about": _describe(appointment),
                },
            )
    elif request.method == "POST":
        status = 409
    context = {
        "appointment": appointment,
        "service": appointment.service,
        "about": _describe(appointment),
        "why": why,
        "problem": problem,
        "urls": urls,
    }
    return render(request, "lutetia_appointments/cancel.html", context, status=status)


@never_cache
def move(request, secret=None, uid=None):
    """Moving: the calendar of the service's places (GET), the new slot taken (POST)."""
    appointment, urls = _managed(request, secret=secret, uid=uid)
    if appointment.status == Appointment.Status.CANCELLED:
        return _manage_page(request, appointment, urls)
    service = appointment.service
    agendas = _agendas(service)
    chosen = request.POST.get("agenda") or request.GET.get("agenda") or str(appointment.agenda.uid)
    agenda = next((a for a in agendas if str(a.uid) == chosen), None) or appointment.agenda
    agenda.service = service
    why = booking.may_change(appointment)
    problem, status, taken = "", 200, ""
    if request.method == "POST":
        try:
            if why:
                raise booking.Refused(why, code="unchangeable")
            try:
                slot_id = _int(request.POST.get("slot"))
            except ValueError:
                status = 400
                raise booking.Refused(_("Choose a slot."), code="malformed") from None
            slot = Slot.objects.select_related("agenda").filter(pk=slot_id).first()
            if slot is None or slot.agenda_id != agenda.pk:
                raise booking.Refused(
                    _("This slot does not belong to this calendar: choose another one."),
                    code="slot",
                )
            booking.reschedule(appointment, slot, actor=_actor(request))
        except booking.Refused as refused:
            problem = refused.message
            status = status if status != 200 else 409
            taken = request.POST.get("slot", "") if refused.code == "full" else ""
        else:
            messages.success(request, _("Your appointment was moved."))
            return redirect(urls["page"])
    context = _calendar_context(
        request,
        service,
        agenda,
        base_url=urls["move"],
        extra_query={"agenda": str(agenda.uid)},
        selected=request.POST.get("slot", ""),
        taken=taken,
        people=appointment.people,
    )
    context.update(
        {
            "appointment": appointment,
            "about": _describe(appointment),
            "why": why,
            "problem": problem,
            "urls": urls,
            "places": [
                {"name": a.location.name, "uid": str(a.uid), "current": a.pk == agenda.pk}
                for a in agendas
            ],
            "length_form": None,
            "people_form": None,
        }
    )
    return render(request, "lutetia_appointments/move.html", context, status=status)


# --- the citizen's appointments --------------------------------------------------------------


@never_cache
def mine(request):
    """My appointments: those to come (with their actions) and past or cancelled ones."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    now = timezone.now()
    theirs = (
        Appointment.objects.filter(site=_site(request), owner=request.user)
        .exclude(status__in=(Appointment.Status.HELD, Appointment.Status.EXPIRED))
        .select_related("service", "agenda", "agenda__location")
    )
    coming = [
        {"appointment": a, "about": _describe(a), "why": booking.may_change(a, now)}
        for a in theirs.filter(status=Appointment.Status.BOOKED, ends_at__gt=now).order_by(
            "starts_at"
        )
    ]
    past = [
        {"appointment": a, "about": _describe(a)}
        for a in theirs.exclude(status=Appointment.Status.BOOKED, ends_at__gt=now).order_by(
            "-starts_at"
        )[:50]
    ]
    return render(request, "lutetia_appointments/mine.html", {"coming": coming, "past": past})


# --- the waiting list ------------------------------------------------------------------------


@never_cache
def waiting_list(request, slug):
    """Joining the waiting list: a slot that frees up is offered by e-mail."""
    service = _service_or_404(request, slug)
    if not service.waiting_list:
        raise Http404
    if service.login_required and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = WaitingForm(service, request.POST if request.method == "POST" else None, initial=initial)
    status, problem = 200, ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = waiting.join(
                    service,
                    email=data["email"],
                    user=request.user,
                    location=data.get("location"),
                    people=data.get("people") or 1,
                    earliest=data.get("earliest"),
                    latest=data.get("latest"),
                    language=get_language() or "",
                )
            except booking.Refused as refused:
                problem, status = refused.message, 409
            else:
                return render(
                    request,
                    "lutetia_appointments/waiting_joined.html",
                    {"service": service, "entry": entry, "position": waiting.position(entry)},
                )
        else:
            status = 400
    return render(
        request,
        "lutetia_appointments/waiting.html",
        {"service": service, "form": form, "problem": problem},
        status=status,
    )


@never_cache
@remembers_holds
def offer(request, secret):
    """A slot offered from the waiting list: take it (details, then booked) or let it go."""
    entry = waiting.offer_for(secret)
    if entry is None or entry.site_id != _site(request).pk:
        raise Http404
    offered = entry.offer
    if (
        entry.status != WaitingEntry.Status.OFFERED
        or offered is None
        or offered.status != Appointment.Status.HELD
        or booking.hold_remaining(offered) <= 0
    ):
        return _gone(request, None, _("This offer is no longer valid."))
    service = entry.service
    initial = {"email": entry.email}
    if request.user.is_authenticated:
        initial.update(first_name=request.user.first_name, last_name=request.user.last_name)
    accepting = request.method == "POST" and request.POST.get("action") != "decline"
    form = DetailsForm(service, request.POST if accepting else None, initial=initial)
    status, problem = 200, ""
    if request.method == "POST" and not accepting:
        waiting.leave(entry)
        return render(
            request, "lutetia_appointments/offer_declined.html", {"service": service}, status=200
        )
    if accepting:
        if form.is_valid():
            user = request.user if request.user.is_authenticated else None
            try:
                booked, _secret = waiting.accept(entry, form.details(), user=user)
            except booking.Refused as refused:
                problem, status = refused.message, 409
            else:
                _remember(request, booked)
                if _may_open(request, booked):
                    return redirect("appointments:appointment", booked.uid)
                return redirect("appointments:manage", _secret)
        else:
            status = 400
    context = {
        "service": service,
        "appointment": offered,
        "about": _describe(offered),
        "form": form,
        "problem": problem,
        **_hold_context(offered),
        "hold_until": _when(offered.hold_expires_at, offered.agenda),
    }
    return render(request, "lutetia_appointments/offer.html", context, status=status)
