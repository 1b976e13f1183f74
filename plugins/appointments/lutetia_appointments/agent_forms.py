"""The forms of the agents' screens (admin_agents.py): search filters, a period, booking on
behalf of a citizen, moving and cancelling an appointment. They only read and check input;
the booking rules stay in booking.py."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from . import questions
from .models import Appointment, Slot

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
#: the longest period the statistics and the search's dates span
MAX_DAYS = 366
DEFAULT_DAYS = 30


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=DateInput(), input_formats=DATE_FORMATS, **kwargs
    )


def parse_date(value: str | None) -> dt.date | None:
    """A date from the query string (?date=), or None when absent or unreadable."""
    for text_format in DATE_FORMATS:
        try:
            return dt.datetime.strptime((value or "").strip(), text_format).date()
        except ValueError:
            continue
    return None


def _pick(label, choices) -> forms.TypedChoiceField:
    """A select of pks, "All" first."""
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All")), *choices],
    )


def _check_period(form: forms.Form, start: dt.date | None, end: dt.date | None, field: str):
    if start and end:
        if start > end:
            form.add_error(field, _("The end of the period is before its start."))
        elif (end - start).days + 1 > MAX_DAYS:
            form.add_error(
                field, _("Choose a period of %(days)s days at most.") % {"days": MAX_DAYS}
            )


class NoteForm(forms.Form):
    """An agenda note: its words and the days it covers (the start alone: that day)."""

    starts_on = forms.DateField(
        label=gettext_lazy("First day"), widget=DateInput(), input_formats=DATE_FORMATS
    )
    ends_on = date_field(
        gettext_lazy("Last day"), help_text=gettext_lazy("Empty: the first day only.")
    )
    text = forms.CharField(
        label=pgettext_lazy("agenda note", "Note"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Seen by the agents of this agenda on its calendars and printed day list, never by "
            "citizens."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and not data.get("ends_on"):
            data["ends_on"] = data["starts_on"]
        _check_period(self, data.get("starts_on"), data.get("ends_on"), "ends_on")
        return data


class SearchForm(forms.Form):
    """The search's filters, read from the query string."""

    q = forms.CharField(
        label=gettext_lazy("Reference, name, e-mail or phone"), required=False, max_length=200
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            (Appointment.Status.BOOKED, gettext_lazy("booked")),
            (Appointment.Status.CANCELLED, gettext_lazy("cancelled")),
            (Appointment.Status.EXPIRED, gettext_lazy("expired")),
        ],
    )
    start = date_field(gettext_lazy("On or after"))
    end = date_field(gettext_lazy("On or before"))

    def __init__(self, *args, services=(), agendas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"] = _pick(_("Service"), [(s.pk, s.title) for s in services])
        self.fields["agenda"] = _pick(_("Agenda"), [(a.pk, str(a)) for a in agendas])
        self.order_fields(["q", "service", "agenda", "status", "start", "end"])

    def clean(self):
        data = super().clean()
        _check_period(self, data.get("start"), data.get("end"), "end")
        return data

    def apply(self, queryset):
        """The appointments matching the filters (the form must be valid)."""
        data = self.cleaned_data
        text = (data.get("q") or "").strip().casefold()
        for word in text.split():
            queryset = queryset.filter(search_text__contains=word)
        if data.get("service"):
            queryset = queryset.filter(service_id=data["service"])
        if data.get("agenda"):
            queryset = queryset.filter(agenda_id=data["agenda"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        else:  # a hold is a citizen still filling the page: not an appointment yet
            queryset = queryset.exclude(status=Appointment.Status.HELD)
        zone = timezone.get_current_timezone()
        if data.get("start"):
            queryset = queryset.filter(
                starts_at__gte=dt.datetime.combine(data["start"], dt.time(0), tzinfo=zone)
            )
        if data.get("end"):
            queryset = queryset.filter(
                starts_at__lt=dt.datetime.combine(
                    data["end"] + dt.timedelta(days=1), dt.time(0), tzinfo=zone
                )
            )
        return queryset

    def described(self) -> dict:
        """The filters chosen, for the access log."""
        return {
            key: str(value) for key, value in self.cleaned_data.items() if value not in (None, "")
        }


class PeriodForm(forms.Form):
    """A period of days (statistics), the last 30 days by default; per service or agenda."""

    start = date_field(gettext_lazy("First day"))
    end = date_field(gettext_lazy("Last day"))

    def __init__(self, *args, services=(), agendas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"] = _pick(_("Service"), [(s.pk, s.title) for s in services])
        self.fields["agenda"] = _pick(_("Agenda"), [(a.pk, str(a)) for a in agendas])
        self.order_fields(["service", "agenda", "start", "end"])

    def clean(self):
        data = super().clean()
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        _check_period(self, start, end, "end")
        data["start"], data["end"] = start, end
        return data


def slot_label(slot: Slot, time_zone: str, *, with_agenda: bool = False) -> str:
    zone = zoneinfo.ZoneInfo(time_zone)
    start, end = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
    if not slot.is_open:
        state = _("closed")
    else:
        state = _("%(free)s free of %(places)s") % {"free": slot.free, "places": slot.capacity}
    label = f"{start:%H:%M}–{end:%H:%M} ({state})"
    if slot.overbooked:
        label += " " + _("%(count)s beyond capacity") % {"count": slot.overbooked}
    return f"{slot.agenda} — {label}" if with_agenda else label


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return slot_label(
            obj, obj.agenda.time_zone, with_agenda=getattr(self, "with_agenda", False)
        )


class _SlotForm(forms.Form):
    """A slot among ``slots`` (a queryset), and beyond capacity when the service allows it."""

    slot = SlotChoiceField(
        label=gettext_lazy("Slot"),
        queryset=Slot.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": gettext_lazy("Choose a slot."),
            "invalid_choice": gettext_lazy("This slot cannot be chosen: choose another one."),
        },
    )
    overbook = forms.BooleanField(
        label=gettext_lazy("Book beyond capacity if the slot is full"), required=False
    )

    def __init__(self, *args, service, slots, with_agenda: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["slot"].queryset = slots.select_related("agenda").order_by(
            "starts_at", "agenda_id"
        )
        self.fields["slot"].with_agenda = with_agenda
        if not service.bo_overbooking:
            del self.fields["overbook"]


class MoveForm(_SlotForm):
    """Another slot of the appointment's service."""


class BookForm(_SlotForm):
    """Booking on behalf of a citizen: a slot of the day, who, how many, the service's
    questions (not required of an agent: the citizen may not have the answer at hand)."""

    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)

    def __init__(self, *args, service, slots, **kwargs):
        super().__init__(*args, service=service, slots=slots, **kwargs)
        if service.max_people > 1:
            self.fields["people"] = forms.IntegerField(
                label=gettext_lazy("People"),
                min_value=1,
                max_value=service.max_people,
                initial=1,
            )
        if service.max_slots > 1:
            self.fields["count"] = forms.IntegerField(
                label=gettext_lazy("Consecutive slots"),
                min_value=1,
                max_value=service.max_slots,
                initial=1,
            )
        self.questions = [q for q in service.questions or [] if isinstance(q, dict)]
        for name, field in questions.form_fields(self.questions).items():
            field.required = False
            self.fields[name] = field
        if "overbook" in self.fields:  # last: the exception, after the usual fields
            self.fields["overbook"] = self.fields.pop("overbook")

    def clean(self):
        cleaned = super().clean()
        for name in questions.unasked_fields(self.questions, cleaned):
            self._errors.pop(name, None)  # typed in a question not asked: not an answer
        # an agent may leave any question unanswered (the citizen on the phone may not know)
        self.cleaned_answers = questions.answers_of(self.questions, cleaned, required=False)
        return cleaned

    def answers(self) -> dict:
        return self.cleaned_answers


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (told to the citizen)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give the reason of the cancellation.")},
    )


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(choices=Appointment.Presence.choices, required=False)
