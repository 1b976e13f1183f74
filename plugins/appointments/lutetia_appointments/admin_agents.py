"""The agents' screens of appointments (Lutece's appointment back office and desk module):
calendars per agenda (day, week, month, with fill levels), an appointment's page and its
actions (presence, cancel, move), booking on behalf of a citizen, the day's printable list,
the agents' notes on a calendar, the search with its exports, the statistics.

Thin views: they read the request, check access, call booking / availability / stats /
exports, render. Every agenda and appointment an agent reaches goes through their workgroups
(the appointment's and its service's): another workgroup's answers 404, as one that does not
exist. Times are shown in the agenda's time zone.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import tempfile
import zoneinfo

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lutetia import audit, resources
from lutetia.accounts import workgroups
from lutetia.accounts.rights import RightGuard
from lutetia.audit.models import AuditEntry, Category

from . import agent_forms, availability, booking, exports, notes, questions, stats
from .models import Absence, Agenda, AgendaNote, Appointment, Service, Slot

PERMISSION = "appointments.manage_appointments"
PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY, WEEK, MONTH = "day", "week", "month"
HISTORY_LIMIT = 100


#: the right every agent screen needs; a 403 page (logged) for the others
GUARD = RightGuard(
    PERMISSION,
    action="appointments.agent_denied",
    target=Appointment,
    title=gettext_lazy("Appointments"),
    icon="date",
    message=gettext_lazy("You may not handle appointments: ask an administrator for the right."),
)
can_manage = GUARD.allows
refuse = GUARD.refuse
manager_required = GUARD.required
ManagerMixin = GUARD.Mixin


class AgentView(ManagerMixin, WagtailAdminTemplateMixin, View):
    header_icon = "date"

    def crumbs(self, *items):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("appointments_admin:index"), "label": _("Appointments")},
            *({"url": url, "label": label} for url, label in items),
        ]


# --- what an agent reaches ---------------------------------------------------------------------


def visible_services(user):
    return workgroups.scope(Service.objects.all(), user)


def visible_agendas(user):
    return workgroups.scope(
        Agenda.objects.select_related("service", "location"), user, "service__workgroup"
    )


def visible_appointments(user):
    """Of the agent's workgroups, and of their services."""
    queryset = workgroups.scope(Appointment.objects.all(), user)
    return workgroups.scope(queryset, user, "service__workgroup")


def agenda_or_404(request, pk) -> Agenda:
    return workgroups.get_object_or_404(
        Agenda.objects.select_related("service", "location"),
        request.user,
        "service__workgroup",
        pk=pk,
    )


def appointment_or_404(request, pk) -> Appointment:
    """An appointment of the agent's workgroups; 404 otherwise (recorded as denied when it
    exists)."""
    queryset = workgroups.scope(
        Appointment.objects.select_related(
            "service", "agenda", "agenda__location", "resource", "booked_by", "owner", "site"
        ),
        request.user,
        "service__workgroup",
    )
    try:
        return workgroups.get_object_or_404(queryset, request.user, pk=pk)
    except Http404:
        existing = Appointment.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        if existing is not None:
            audit.record(
                request.user,
                "appointments.access_denied",
                existing,
                outcome="denied",
                details={"reason": "workgroup"},
                request=request,
            )
        raise


def zone_of(agenda: Agenda) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(agenda.time_zone)


def local(value: dt.datetime | None, agenda: Agenda) -> dt.datetime | None:
    """The instant in the agenda's zone, without its zone: templates show it as is (the
    ``date`` filter would convert an aware one to the site's zone)."""
    if value is None:
        return None
    return value.astimezone(zone_of(agenda)).replace(tzinfo=None)


def today_of(agenda: Agenda) -> dt.date:
    return timezone.now().astimezone(zone_of(agenda)).date()


def day_bounds(agenda: Agenda, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = zone_of(agenda)
    return (
        dt.datetime.combine(first, dt.time(0), tzinfo=zone),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone),
    )


def chosen_date(request, agenda: Agenda, source=None) -> tuple[dt.date, bool]:
    """The ?date= asked for (or today in the agenda's zone), and whether it was readable."""
    text = (source if source is not None else request.GET).get("date", "")
    if not text:
        return today_of(agenda), True
    day = agent_forms.parse_date(text)
    if day is None or not (dt.date(2000, 1, 1) <= day <= dt.date(2200, 12, 31)):
        messages.error(request, _("This date could not be read: today is shown."))
        return today_of(agenda), False
    return day, True


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def booked_appointments(agenda: Agenda, first: dt.date, last: dt.date, resource=None):
    since, until = day_bounds(agenda, first, last)
    queryset = Appointment.objects.filter(
        agenda=agenda, status=Appointment.Status.BOOKED, starts_at__gte=since, starts_at__lt=until
    ).select_related("resource", "booked_by")
    if resource is not None:
        queryset = queryset.filter(resource=resource)
    return queryset.order_by("starts_at", "last_name", "pk")


def fill_of(row: dict | None) -> dict | None:
    """Places, taken, beyond capacity and the percentage taken of a day (None: no slot)."""
    if row is None:
        return None
    capacity, taken, beyond = row["capacity"], row["booked"], row["overbooked"]
    return {
        "capacity": capacity,
        "booked": taken,
        "overbooked": beyond,
        "percent": round(100 * (taken + beyond) / capacity) if capacity else None,
        "full": bool(capacity) and taken >= capacity,
    }


# --- the list of agendas -----------------------------------------------------------------------


class IndexView(AgentView):
    """The agent's agendas, with today's fill and their screens."""

    template_name = "lutetia_appointments/admin/agents/index.html"
    page_title = gettext_lazy("Appointments")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Appointments")}]

    def get(self, request):
        agendas = list(visible_agendas(request.user))
        today = timezone.localdate()
        fills = availability.fill_by_day([a.pk for a in agendas], today, today)
        rows = [(agenda, fill_of(fills.get((agenda.pk, today)))) for agenda in agendas]
        return self.render_to_response(self.get_context_data(rows=rows, today=today))


# --- calendars ---------------------------------------------------------------------------------


class CalendarView(AgentView):
    """One agenda's day, week or month (?view=, ?date=, ?resource=)."""

    template_name = "lutetia_appointments/admin/agents/calendar.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.agenda = None

    def get_page_title(self):
        return str(self.agenda)

    def get_breadcrumbs_items(self):
        return self.crumbs(("", str(self.agenda)))

    def get(self, request, pk):
        self.agenda = agenda = agenda_or_404(request, pk)
        view = request.GET.get("view", DAY)
        status = 200
        if view not in (DAY, WEEK, MONTH):
            messages.error(request, _("Unknown view: the day is shown."))
            view, status = DAY, 400
        day, readable = chosen_date(request, agenda)
        if not readable:
            status = 400
        resource, resources_ = None, list(agenda.resources.order_by("name", "pk"))
        if request.GET.get("resource"):
            resource = next(
                (r for r in resources_ if str(r.pk) == request.GET["resource"].strip()), None
            )
            if resource is None:
                messages.error(request, _("Unknown resource: every resource is shown."))
                status = 400
        context = {
            "agenda": agenda,
            "view": view,
            "day": day,
            "today": today_of(agenda),
            "resource": resource,
            "resources": resources_,
            "views": [(DAY, _("Day")), (WEEK, _("Week")), (MONTH, _("Month"))],
        }
        context.update(getattr(self, f"_{view}")(agenda, day, resource))
        context["note_url"] = note_add_url(agenda, day, request.get_full_path())
        # the day and week list citizens by name: a view of personal data, as the printed day
        audit.personal_data_viewed(
            request, agenda, details={"as": f"calendar ({view})", "day": str(day)}
        )
        return self.render_to_response(self.get_context_data(**context), status=status)

    def _day(self, agenda, day, resource):
        slots = list(Slot.objects.filter(agenda=agenda, day=day).order_by("starts_at"))
        by_start: dict[dt.datetime, list] = {}
        for appointment in booked_appointments(agenda, day, day, resource):
            appointment.local_start = local(appointment.starts_at, agenda)
            by_start.setdefault(appointment.starts_at, []).append(appointment)
        rows = []
        for slot in slots:
            rows.append(
                {
                    "slot": slot,
                    "start": local(slot.starts_at, agenda),
                    "end": local(slot.ends_at, agenda),
                    "appointments": by_start.pop(slot.starts_at, []),
                }
            )
        # appointments whose slot is gone (the rules changed): still shown
        others = [a for group in by_start.values() for a in group]
        fill = fill_of(availability.fill_by_day([agenda.pk], day, day).get((agenda.pk, day)))
        return {
            "notes": notes.covering(agenda, day, day),
            "away": away_on(agenda, day),
            "rows": rows,
            "others": others,
            "fill": fill,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "title": day,
        }

    def _counts(self, agenda, first, last, resource):
        counts: dict[dt.date, list] = {}
        for appointment in booked_appointments(agenda, first, last, resource):
            appointment.local_start = local(appointment.starts_at, agenda)
            counts.setdefault(appointment.local_start.date(), []).append(appointment)
        return counts

    def _week(self, agenda, day, resource):
        monday = day - dt.timedelta(days=day.weekday())
        sunday = monday + dt.timedelta(days=6)
        fills = availability.fill_by_day([agenda.pk], monday, sunday)
        booked = self._counts(agenda, monday, sunday, resource)
        written = notes.covering(agenda, monday, sunday)
        days = []
        for n in range(7):
            date = monday + dt.timedelta(days=n)
            days.append(
                {
                    "date": date,
                    "fill": fill_of(fills.get((agenda.pk, date))),
                    "appointments": booked.get(date, []),
                    "notes": notes.of_day(written, date),
                }
            )
        return {
            "days": days,
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "title": monday,
            "last": sunday,
        }

    def _month(self, agenda, day, resource):
        first = day.replace(day=1)
        last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
        start = first - dt.timedelta(days=first.weekday())
        end = last + dt.timedelta(days=6 - last.weekday())
        fills = availability.fill_by_day([agenda.pk], start, end)
        booked = self._counts(agenda, start, end, resource)
        written = notes.covering(agenda, start, end)
        weeks, week = [], []
        date = start
        while date <= end:
            week.append(
                {
                    "date": date,
                    "in_month": date.month == first.month,
                    "fill": fill_of(fills.get((agenda.pk, date))),
                    "count": len(booked.get(date, [])),
                    "notes": len(notes.of_day(written, date)),
                }
            )
            if len(week) == 7:
                weeks.append(week)
                week = []
            date += dt.timedelta(days=1)
        return {
            "weeks": weeks,
            "weekdays": [WEEKDAYS[n] for n in range(7)],
            "previous": (first - dt.timedelta(days=1)).replace(day=1),
            "next": last + dt.timedelta(days=1),
            "title": first,
        }


@manager_required
def print_day(request, pk: int):
    """One agenda's day as a plain printable page, sorted by time."""
    agenda = agenda_or_404(request, pk)
    day, readable = chosen_date(request, agenda)
    rows = list(booked_appointments(agenda, day, day))
    for appointment in rows:
        appointment.local_start = local(appointment.starts_at, agenda)
        appointment.local_end = local(appointment.ends_at, agenda)
    audit.personal_data_viewed(request, agenda, details={"as": "day list", "day": str(day)})
    return TemplateResponse(
        request,
        "lutetia_appointments/admin/agents/print.html",
        {
            "agenda": agenda,
            "day": day,
            "rows": rows,
            "notes": notes.covering(agenda, day, day),
            "away": away_on(agenda, day),
            "printed_at": timezone.now(),
        },
        status=200 if readable else 400,
    )


def away_on(agenda: Agenda, day: dt.date) -> list[Absence]:
    """The agenda's resources absent on ``day`` (their absences)."""
    return list(
        Absence.objects.filter(resource__agenda=agenda, starts_on__lte=day, ends_on__gte=day)
        .select_related("resource")
        .order_by("resource__name", "pk")
    )


# --- notes on the calendar ---------------------------------------------------------------------


def calendar_day_url(agenda: Agenda, day: dt.date) -> str:
    url = reverse("appointments_admin:calendar", args=[agenda.pk])
    return f"{url}?view=day&date={day.isoformat()}"


def note_add_url(agenda: Agenda, day: dt.date, back: str) -> str:
    url = reverse("appointments_admin:note_add", args=[agenda.pk])
    return f"{url}?{urlencode({'date': day.isoformat(), 'next': back})}"


def note_or_404(request, pk) -> AgendaNote:
    """A note on an agenda of the agent's workgroups; 404 otherwise."""
    note = (
        AgendaNote.objects.select_related("agenda__service", "agenda__location", "author")
        .filter(pk=pk, agenda__in=visible_agendas(request.user))
        .first()
    )
    if note is None:
        raise Http404
    return note


class NoteView(AgentView):
    """Write a note on an agenda's calendar (``agenda/<pk>/notes/add/?date=``) or change one
    (``notes/<note>/``); back to the calendar it was written from (``next``)."""

    template_name = "lutetia_appointments/admin/agents/note.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.agenda, self.note = None, None

    def get_page_title(self):
        return _("Change the note") if self.note else _("Write a note")

    def get_breadcrumbs_items(self):
        return self.crumbs(
            (reverse("appointments_admin:calendar", args=[self.agenda.pk]), str(self.agenda)),
            ("", self.get_page_title()),
        )

    def load(self, request, pk, note):
        if note is not None:
            self.note = note_or_404(request, note)
            self.agenda = self.note.agenda
        else:
            self.agenda = agenda_or_404(request, pk)

    def back(self, day: dt.date) -> str:
        return safe_next(self.request, calendar_day_url(self.agenda, day))

    def render_form(self, form, day, status=200):
        context = self.get_context_data(
            agenda=self.agenda, note=self.note, form=form, back=self.back(day)
        )
        return self.render_to_response(context, status=status)

    def get(self, request, pk=None, note=None):
        self.load(request, pk, note)
        if self.note is not None:
            day, status = self.note.starts_on, 200
            initial = {"starts_on": day, "ends_on": self.note.ends_on, "text": self.note.text}
        else:
            day, readable = chosen_date(request, self.agenda)
            status = 200 if readable else 400
            initial = {"starts_on": day}
        return self.render_form(agent_forms.NoteForm(initial=initial), day, status)

    def post(self, request, pk=None, note=None):
        self.load(request, pk, note)
        form = agent_forms.NoteForm(request.POST)
        default_day = self.note.starts_on if self.note else today_of(self.agenda)
        if not form.is_valid():
            return self.render_form(form, form.cleaned_data.get("starts_on") or default_day, 400)
        data = form.cleaned_data
        period = {"starts_on": data["starts_on"], "ends_on": data["ends_on"], "text": data["text"]}
        if self.note is not None:
            notes.change(self.note, **period, actor=request.user)
            messages.success(request, _("The note was changed."))
        else:
            notes.add(self.agenda, **period, author=request.user)
            messages.success(request, _("The note was written on the calendar."))
        return redirect(self.back(data["starts_on"]))


@manager_required
@require_POST
def note_delete(request, note: int):
    note = note_or_404(request, note)
    notes.delete(note, actor=request.user)
    messages.success(request, _("The note was deleted."))
    return redirect(safe_next(request, calendar_day_url(note.agenda, note.starts_on)))


# --- one appointment ---------------------------------------------------------------------------


#: what the history calls the booking functions' entries (others show their action's code)
HISTORY_LABELS = {
    "appointments.booked": gettext_lazy("Booked"),
    "appointments.cancelled": gettext_lazy("Cancelled"),
    "appointments.rescheduled": gettext_lazy("Moved"),
    "appointments.presence": gettext_lazy("Presence recorded"),
    "appointments.access_denied": gettext_lazy("Access refused"),
    "appointments.anonymised": gettext_lazy("Citizen's details erased"),
    "appointments.resource_changed": gettext_lazy("Given to another resource (absence)"),
}


def history_of(appointment: Appointment) -> list[AuditEntry]:
    """What was done to the appointment (views of personal data aside), oldest first."""
    entries = list(
        AuditEntry.objects.filter(
            target_type=Appointment._meta.label_lower, target_id=str(appointment.pk)
        )
        .exclude(category=Category.PERSONAL_DATA)
        .order_by("timestamp", "pk")[:HISTORY_LIMIT]
    )
    for entry in entries:
        entry.label = HISTORY_LABELS.get(entry.action, entry.action)
    return entries


class AppointmentView(AgentView):
    """Everything about an appointment, its actions and the workflow's panels."""

    template_name = "lutetia_appointments/admin/agents/appointment.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.appointment = None

    def get_page_title(self):
        return _("Appointment %(reference)s") % {"reference": self.appointment}

    def get_breadcrumbs_items(self):
        agenda = self.appointment.agenda
        return self.crumbs(
            (reverse("appointments_admin:calendar", args=[agenda.pk]), str(agenda)),
            ("", str(self.appointment)),
        )

    def get(self, request, pk, cancel_form=None, status=200):
        self.appointment = appointment = appointment_or_404(request, pk)
        audit.personal_data_viewed(request, appointment)
        agenda = appointment.agenda
        day = local(appointment.starts_at, agenda).date()
        slots = [
            {
                "start": local(b.slot.starts_at, agenda),
                "end": local(b.slot.ends_at, agenda),
                "places": b.places,
                "beyond": b.beyond_capacity,
            }
            for b in appointment.bookings.select_related("slot").order_by("slot__starts_at")
        ]
        context = self.get_context_data(
            appointment=appointment,
            start=local(appointment.starts_at, agenda),
            end=local(appointment.ends_at, agenda),
            booked_at=local(appointment.booked_at, agenda),
            cancelled_at=local(appointment.cancelled_at, agenda),
            answers=questions.readable(appointment.service.questions or [], appointment.answers),
            slots=slots,
            history=history_of(appointment),
            notes=notes.covering(agenda, day, day),
            is_booked=appointment.status == Appointment.Status.BOOKED,
            presences=[
                (Appointment.Presence.ARRIVED, _("Mark as arrived")),
                (Appointment.Presence.NO_SHOW, _("Mark as not come")),
                (Appointment.Presence.UNKNOWN, _("Clear the presence")),
            ],
            cancel_form=cancel_form or agent_forms.CancelForm(),
            day_url=calendar_day_url(agenda, day),
            panels=resources.panels(
                resources.admin_panels, appointment, user=request.user, request=request
            ),
        )
        return self.render_to_response(context, status=status)


@require_POST
@manager_required
def presence(request, pk: int):
    """Arrived, did not come, or not recorded."""
    appointment = appointment_or_404(request, pk)
    form = agent_forms.PresenceForm(request.POST)
    if "presence" not in request.POST or not form.is_valid():
        messages.error(request, _("Choose a presence."))
    else:
        try:
            booking.set_presence(appointment, form.cleaned_data["presence"], actor=request.user)
        except booking.Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("%(reference)s: %(presence)s.")
                % {"reference": appointment, "presence": appointment.get_presence_display()},
            )
    return redirect(safe_next(request, reverse("appointments_admin:appointment", args=[pk])))


@require_POST
@manager_required
def cancel(request, pk: int):
    """Cancel on behalf of the citizen, with the reason they are told."""
    appointment = appointment_or_404(request, pk)
    form = agent_forms.CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The appointment was not cancelled: give a reason."))
        page = AppointmentView()
        page.setup(request, pk=pk)
        return page.get(request, pk, cancel_form=form, status=400)
    try:
        booking.cancel(
            appointment, actor=request.user, reason=form.cleaned_data["reason"], by_citizen=False
        )
    except booking.Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The appointment was cancelled; the citizen is told."))
    return redirect("appointments_admin:appointment", pk)


class MoveView(AgentView):
    """Move an appointment to another slot of its service (any agenda of it, any future
    slot); beyond capacity when the service allows it."""

    template_name = "lutetia_appointments/admin/agents/move.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.appointment = None

    def get_page_title(self):
        return _("Move appointment %(reference)s") % {"reference": self.appointment}

    def get_breadcrumbs_items(self):
        return self.crumbs(
            (
                reverse("appointments_admin:appointment", args=[self.appointment.pk]),
                str(self.appointment),
            ),
            ("", _("Move")),
        )

    def slots(self, day: dt.date | None = None):
        appointment = self.appointment
        agendas = visible_agendas(self.request.user).filter(service_id=appointment.service_id)
        queryset = Slot.objects.filter(agenda__in=agendas, starts_at__gt=timezone.now())
        return queryset.filter(day=day) if day is not None else queryset

    def render_form(self, form, day, status=200):
        form.fields["slot"].queryset = (
            self.slots(day).select_related("agenda").order_by("starts_at", "agenda_id")
        )
        context = self.get_context_data(
            appointment=self.appointment,
            start=local(self.appointment.starts_at, self.appointment.agenda),
            form=form,
            day=day,
            previous=day - dt.timedelta(days=1),
            next=day + dt.timedelta(days=1),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, pk):
        self.appointment = appointment = appointment_or_404(request, pk)
        if appointment.status != Appointment.Status.BOOKED:
            messages.error(request, _("This appointment is not booked."))
            return redirect("appointments_admin:appointment", pk)
        default = local(appointment.starts_at, appointment.agenda).date()
        day = default
        if request.GET.get("date"):
            day, _readable = chosen_date(request, appointment.agenda)
        form = agent_forms.MoveForm(
            service=appointment.service, slots=self.slots(day), with_agenda=True
        )
        return self.render_form(form, day)

    def post(self, request, pk):
        self.appointment = appointment = appointment_or_404(request, pk)
        day, _readable = chosen_date(request, appointment.agenda, request.POST)
        form = agent_forms.MoveForm(
            request.POST, service=appointment.service, slots=self.slots(), with_agenda=True
        )
        if not form.is_valid():
            return self.render_form(form, day, status=400)
        try:
            booking.reschedule(
                appointment,
                form.cleaned_data["slot"],
                actor=request.user,
                by_citizen=False,
                overbook=bool(form.cleaned_data.get("overbook")),
            )
        except booking.Refused as refused:
            messages.error(request, refused.message)
            return self.render_form(form, day, status=409)
        messages.success(request, _("The appointment was moved; the citizen is told."))
        return redirect("appointments_admin:appointment", pk)


# --- booking on behalf of a citizen ------------------------------------------------------------


class BookView(AgentView):
    """Book a slot of the agenda for a citizen at the desk or on the phone: any future slot,
    the citizen's details and answers, beyond capacity when the service allows it."""

    template_name = "lutetia_appointments/admin/agents/book.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.agenda = None

    def get_page_title(self):
        return _("Book an appointment in %(agenda)s") % {"agenda": self.agenda}

    def get_breadcrumbs_items(self):
        return self.crumbs(
            (reverse("appointments_admin:calendar", args=[self.agenda.pk]), str(self.agenda)),
            ("", _("Book")),
        )

    def slots(self, day: dt.date | None = None):
        queryset = Slot.objects.filter(agenda=self.agenda, starts_at__gt=timezone.now())
        return queryset.filter(day=day) if day is not None else queryset

    def render_form(self, form, day, status=200):
        form.fields["slot"].queryset = (
            self.slots(day).select_related("agenda").order_by("starts_at")
        )
        context = self.get_context_data(
            agenda=self.agenda,
            form=form,
            day=day,
            previous=day - dt.timedelta(days=1),
            next=day + dt.timedelta(days=1),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, pk):
        self.agenda = agenda = agenda_or_404(request, pk)
        day, readable = chosen_date(request, agenda)
        form = agent_forms.BookForm(service=agenda.service, slots=self.slots(day))
        return self.render_form(form, day, status=200 if readable else 400)

    def post(self, request, pk):
        self.agenda = agenda = agenda_or_404(request, pk)
        day, _readable = chosen_date(request, agenda, request.POST)
        form = agent_forms.BookForm(request.POST, service=agenda.service, slots=self.slots())
        if not form.is_valid():
            return self.render_form(form, day, status=400)
        data = form.cleaned_data
        details = booking.Details(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data.get("email") or "",
            phone=data.get("phone") or "",
            answers=form.answers(),
        )
        try:
            appointment = booking.book_for_citizen(
                agenda.service,
                data["slot"],
                details,
                agent=request.user,
                count=data.get("count") or 1,
                people=data.get("people") or 1,
                overbook=bool(data.get("overbook")),
            )
        except booking.Refused as refused:
            messages.error(request, refused.message)
            return self.render_form(form, day, status=409)
        if appointment.overbooked:
            messages.warning(
                request,
                _("Appointment %(reference)s booked beyond capacity.") % {"reference": appointment},
            )
        else:
            messages.success(
                request, _("Appointment %(reference)s booked.") % {"reference": appointment}
            )
        if appointment.owner_id is not None:
            messages.info(
                request,
                _(
                    "The e-mail address is the citizen's account's: the appointment is in their "
                    "“My appointments”."
                ),
            )
        return redirect("appointments_admin:appointment", appointment.pk)


# --- search and exports ------------------------------------------------------------------------


def search_form(request) -> agent_forms.SearchForm:
    user = request.user
    return agent_forms.SearchForm(
        request.GET, services=visible_services(user), agendas=visible_agendas(user)
    )


class SearchView(AgentView):
    """Appointments of the agent's services by reference, name, e-mail or phone, filtered."""

    template_name = "lutetia_appointments/admin/agents/search.html"
    page_title = gettext_lazy("Search appointments")

    def get_breadcrumbs_items(self):
        return self.crumbs(("", _("Search")))

    def get(self, request, status=200):
        form = search_form(request)
        if form.is_valid():
            queryset = form.apply(visible_appointments(request.user))
        else:
            queryset, status = Appointment.objects.none(), 400
        queryset = queryset.select_related(
            "service", "agenda", "agenda__location", "agenda__service", "resource"
        ).order_by("-starts_at", "-pk")
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("p"))
        for appointment in page:
            appointment.local_start = local(appointment.starts_at, appointment.agenda)
        export_query = [
            (key, value)
            for key, values in request.GET.lists()
            if key not in ("p", "format")
            for value in values
        ]
        context = self.get_context_data(
            form=form, page=page, export_query=export_query, searched=bool(request.GET)
        )
        return self.render_to_response(context, status=status)


CSV, XLSX = "csv", "xlsx"


@manager_required
def export(request):
    """The filtered search as CSV (streamed) or XLSX; recorded in the access log."""
    form = search_form(request)
    kind = request.GET.get("format", CSV)
    if kind not in (CSV, XLSX) or not form.is_valid():
        messages.error(request, _("The export could not be made: check the filters and format."))
        return SearchView.as_view()(request, status=400)
    queryset = form.apply(visible_appointments(request.user))
    audit.personal_data_exported(
        request,
        Appointment,
        count=queryset.count(),
        details={"format": kind, "filters": form.described()},
    )
    name = f"appointments-{timezone.localtime():%Y%m%d-%H%M}"
    if kind == XLSX:
        handle = tempfile.TemporaryFile()
        try:
            exports.write_xlsx(queryset, handle, title=_("Appointments"))
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        answer = FileResponse(
            handle, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX_TYPE
        )
    else:
        answer = StreamingHttpResponse(
            exports.stream_csv(queryset), content_type="text/csv; charset=utf-8"
        )
        answer["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    answer["Cache-Control"] = "private, no-store"
    answer["X-Content-Type-Options"] = "nosniff"
    return answer


# --- statistics --------------------------------------------------------------------------------


class StatsView(AgentView):
    """Fill rate, no-show rate, lead time, appointments per day, cancellations, per agenda."""

    template_name = "lutetia_appointments/admin/agents/stats.html"
    page_title = gettext_lazy("Appointment statistics")

    def get_breadcrumbs_items(self):
        return self.crumbs(("", _("Statistics")))

    def get(self, request):
        user = request.user
        agendas = visible_agendas(user)
        form = agent_forms.PeriodForm(request.GET, services=visible_services(user), agendas=agendas)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, rows=None), status=400)
        data = form.cleaned_data
        if data.get("service"):
            agendas = agendas.filter(service_id=data["service"])
        if data.get("agenda"):
            agendas = agendas.filter(pk=data["agenda"])
        rows, total = stats.figures(agendas, data["start"], data["end"])
        days = [
            {
                "date": day,
                "counts": [row.per_day.get(day, 0) for row in rows],
                "total": total.per_day.get(day, 0),
            }
            for day in stats.days(data["start"], data["end"])
        ]
        context = self.get_context_data(
            form=form, rows=rows, total=total, days=days, start=data["start"], end=data["end"]
        )
        return self.render_to_response(context)
