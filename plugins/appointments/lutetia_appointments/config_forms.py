"""The forms of the configuration screens (admin_config.py): services, categories, locations,
agendas and their resources, typical weeks, specific days, closing days, slots.

Each form checks what the database would refuse (unique names, ranges in order) so that bad
input comes back as messages next to the fields, never as an error page.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import holidays as holidays_lib
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lutetia.accounts import workgroups
from lutetia.questions import offered
from lutetia.site.timezones import time_zone_choices

from . import questions as service_questions
from .models import (
    Absence,
    Agenda,
    Category,
    Location,
    Resource,
    Service,
    SpecificDay,
    TimeRange,
    WeekRule,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
#: The longest period closed at once from the closing-day form.
MAX_CLOSED_DAYS = 366


# --- services, categories, locations -------------------------------------------------------------


class ServiceForm(forms.ModelForm):
    """Every setting of a service but its questions (their own screen)."""

    class Meta:
        model = Service
        fields = [
            "title",
            "slug",
            "description",
            "category",
            "workgroup",
            "enabled",
            "valid_from",
            "valid_until",
            "login_required",
            "captcha",
            "min_notice_minutes",
            "horizon_days",
            "release_weekday",
            "release_time",
            "release_weeks",
            "max_people",
            "max_slots",
            "max_future",
            "min_days_between",
            "overlap_forbidden",
            "bo_overbooking",
            "hold_minutes",
            "cancel_notice_hours",
            "reminder_hours",
            "reminder_sms",
            "waiting_list",
            "offer_hours",
            "reference_prefix",
            "confirmation_message",
            "retention_days",
        ]
        widgets = {
            "valid_from": DATE,
            "valid_until": DATE,
            "release_time": TIME,
            "description": forms.Textarea(attrs={"rows": 4}),
            "confirmation_message": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, site, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["category"].queryset = Category.objects.filter(site=site)
        self.fields["workgroup"].queryset = workgroups.assignable(user)
        if not workgroups.sees_all(user):
            # an administrator of some workgroups gives the service to one of them
            self.fields["workgroup"].required = True

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        others = Service.objects.filter(site=self.site, slug=slug).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("Another service already has this address."))
        return slug

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The last day comes before the first one."))
        release = [data.get(name) for name in ("release_weekday", "release_time", "release_weeks")]
        if any(value is not None for value in release) and not all(
            value is not None for value in release
        ):
            self.add_error(
                "release_weekday",
                _("A release needs its day, its time and its number of weeks (or none of them)."),
            )
        return data


CHOICES_HELP = gettext_lazy(
    "One choice per line: value|label, e.g. passport|Passport. The value is what exports read; "
    "a line without “|” is both."
)


def key_from(label: str, taken: set[str]) -> str:
    """A question key made from its label (“Document wanted” → document_wanted), not in
    ``taken``."""
    base = slugify(label).replace("-", "_")[:36].strip("_")
    if not base or not base[0].isalpha():
        base = f"question_{base}".strip("_")[:36]
    key, n = base, 2
    while key in taken or key in service_questions.RESERVED:
        key, n = f"{base}_{n}", n + 1
    return key


class QuestionForm(forms.Form):
    """One of a service's questions: what every question has, the choices of a plain single
    choice, the settings of a forms plugin's type (its own fields, through
    `lutetia.questions`). The key is chosen when the question is added and fixed afterwards:
    the answers already given are kept under it."""

    label = forms.CharField(label=gettext_lazy("Question"), max_length=200)
    key = forms.CharField(
        label=gettext_lazy("Key"),
        required=False,
        max_length=40,
        help_text=gettext_lazy(
            "What exports show: lower-case letters, digits and _. Empty: made from the "
            "question. It cannot be changed afterwards."
        ),
    )
    required = forms.BooleanField(label=gettext_lazy("An answer is required"), required=False)
    help = forms.CharField(
        label=gettext_lazy("Help text"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data=None, *, kind: str, shared=None, question=None, taken=(), earlier=()):
        self.kind, self.shared, self.question = kind, shared, question
        self.taken = set(taken)
        initial = dict(question or {})
        if question and kind == "choice":
            initial["choices"] = "\n".join(
                value if value == label else f"{value}|{label}"
                for value, label in question.get("choices") or []
            )
        condition = (question or {}).get("shown_if")
        initial["shown_if"] = f"{condition['key']}={condition['value']}" if condition else ""
        super().__init__(data, initial=initial)
        options = service_questions.condition_options(list(earlier))
        if options:
            self.fields["shown_if"] = forms.ChoiceField(
                label=_("Asked"),
                required=False,
                choices=[
                    ("", _("always")),
                    *[(v, _("only if %(c)s") % {"c": t}) for v, t in options],
                ],
                help_text=_(
                    "A question asked only after a given answer to a single choice or yes/no "
                    "question before it; its answer is required (if it says so) only then."
                ),
            )
        if question is not None:
            self.fields["key"].disabled = True
            self.fields["key"].help_text = _("Fixed: the answers already given are kept under it.")
        if kind == "choice":
            self.fields["choices"] = forms.CharField(
                label=_("Choices"), widget=forms.Textarea(attrs={"rows": 6}), help_text=CHOICES_HELP
            )
        if shared is not None:
            config = (question or {}).get("config") or {}
            for name, value in shared.config_initial(config).items():
                self.initial[f"config_{name}"] = value
            for name, field in shared.config_fields().items():
                self.fields[f"config_{name}"] = field

    def clean_key(self):
        if self.question is not None:
            return self.question["key"]
        key = self.cleaned_data["key"].strip()
        if not key:
            return ""  # made from the label in `clean`
        if not service_questions.KEY.match(key) or key in service_questions.RESERVED:
            raise ValidationError(
                _(
                    "Lower-case letters, digits and _, starting with a letter (not a field of the page)."
                )
            )
        if key in self.taken:
            raise ValidationError(_("Another question of this service has this key."))
        return key

    def clean_choices(self):
        choices = []
        for line in self.cleaned_data["choices"].splitlines():
            value, _bar, label = line.partition("|")
            value, label = value.strip(), label.strip()
            if value:
                choices.append([value, label or value])
        if not choices:
            raise ValidationError(_("Give at least one choice."))
        values = [value for value, _label in choices]
        if len(set(values)) != len(values):
            raise ValidationError(_("Two choices have the same value."))
        return choices

    def clean(self):
        data = super().clean()
        if "label" in data and not data.get("key") and self.question is None:
            data["key"] = key_from(data["label"], self.taken)
        if self.shared is not None:
            names = [name[len("config_") :] for name in self.fields if name.startswith("config_")]
            try:
                data["config"] = self.shared.config_value(
                    {name: data.get(f"config_{name}") for name in names}
                )
            except ValidationError as refused:
                for name, messages in refused.message_dict.items():
                    self.add_error(f"config_{name}" if name in names else None, messages)
        return data

    def as_question(self) -> dict:
        data = self.cleaned_data
        question = {
            "key": data["key"],
            "label": data["label"],
            "type": self.kind,
            "required": data["required"],
            "help": data["help"],
        }
        if self.kind == "choice":
            question["choices"] = data["choices"]
        if self.shared is not None:
            # settings the form does not show (another version's) are kept
            question["config"] = {**((self.question or {}).get("config") or {}), **data["config"]}
        key, _sep, value = (data.get("shown_if") or "").partition("=")
        if key and value:
            question["shown_if"] = {"key": key, "value": value}
        return question


class QuestionsForm(forms.Form):
    """A service's own questions, as JSON (see questions.py for the format): copied from one
    service to another, or written by a tool."""

    questions = forms.CharField(
        label=gettext_lazy("Questions (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "false"}),
        help_text=gettext_lazy(
            'A list of questions, e.g. [{"key": "document", "label": "Document wanted", '
            '"type": "choice", "required": true, "choices": [["id", "Identity card"], '
            '["passport", "Passport"]]}]. Types: text, textarea, email, phone, number, date, '
            "choice, yes_no."
        ),
    )

    def __init__(self, *args, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        shared = offered(site)
        if shared:
            also = _(
                "The forms plugin's types too, set by a “config” object as in a form: %(types)s."
            ) % {"types": ", ".join(sorted(shared))}
            self.fields["questions"].help_text = f"{self.fields['questions'].help_text} {also}"

    def clean_questions(self):
        text = self.cleaned_data["questions"].strip() or "[]"
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValidationError(
                _("This is not valid JSON: %(error)s") % {"error": str(exc)}
            ) from None
        return service_questions.validate(value, site=self.site)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "order", "max_future"]

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean_name(self):
        name = self.cleaned_data["name"]
        others = Category.objects.filter(site=self.site, name=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("Another category already has this name."))
        return name


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = [
            "name",
            "address",
            "postal_code",
            "city",
            "directions",
            "latitude",
            "longitude",
            "holiday_country",
            "holiday_region",
        ]
        widgets = {"directions": forms.Textarea(attrs={"rows": 3})}

    def clean_holiday_country(self):
        country = self.cleaned_data["holiday_country"].strip().upper()
        if country and country not in holidays_lib.list_supported_countries():
            raise ValidationError(
                _("The public holidays of “%(country)s” are not known.") % {"country": country}
            )
        return country

    def clean_latitude(self):
        return _within(self.cleaned_data["latitude"], 90)

    def clean_longitude(self):
        return _within(self.cleaned_data["longitude"], 180)

    def clean(self):
        data = super().clean()
        country = data.get("holiday_country")
        region = (data.get("holiday_region") or "").strip().upper()
        data["holiday_region"] = region
        if country and region:
            known = holidays_lib.list_supported_countries().get(country, [])
            if region not in known:
                self.add_error(
                    "holiday_region",
                    _("“%(region)s” is not a region of %(country)s. Known: %(known)s.")
                    % {"region": region, "country": country, "known": ", ".join(known) or "—"},
                )
        elif region and not country:
            self.add_error("holiday_region", _("A region needs its country."))
        return data


def _within(value, limit):
    if value is not None and not -limit <= value <= limit:
        raise ValidationError(
            _("Between -%(limit)s and %(limit)s.") % {"limit": limit}, code="range"
        )
    return value


# --- agendas and resources -----------------------------------------------------------------------


class AgendaForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=gettext_lazy("time zone"))

    class Meta:
        model = Agenda
        fields = ["location", "name", "time_zone", "enabled", "close_on_holidays"]

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["location"].queryset = Location.objects.filter(site=service.site)
        self.fields["time_zone"].choices = time_zone_choices()
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("time_zone", self.instance.time_zone)

    def clean_location(self):
        location = self.cleaned_data["location"]
        taken = Agenda.objects.filter(service=self.service, location=location)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("The service already has an agenda at this location."))
        if self.instance.pk and self.instance.location_id != location.pk:
            if self.instance.appointments.filter(
                status__in=("held", "booked"), starts_at__gte=timezone.now()
            ).exists():
                raise ValidationError(
                    _(
                        "Its future appointments were booked at the current location: move them first."
                    )
                )
        return location


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["name", "kind", "agent", "places", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = get_user_model().objects.filter(
            is_staff=True, is_active=True
        )


# --- opening rules -------------------------------------------------------------------------------


class WeekRuleForm(forms.ModelForm):
    class Meta:
        model = WeekRule
        fields = ["name", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The last day comes before the first one."))
        return data


class RangeForm(forms.ModelForm):
    """Opening hours: from, to, slot length, places (empty: the resources')."""

    class Meta:
        model = TimeRange
        fields = ["weekday", "starts_at", "ends_at", "slot_minutes", "capacity", "resources"]
        widgets = {
            "starts_at": TIME,
            "ends_at": TIME,
            "resources": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, agenda=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "weekday" in self.fields:
            self.fields["weekday"].required = True
        if "resources" in self.fields:
            # the agenda's own only: another agenda's id posted is refused as not a choice
            self.fields["resources"].queryset = (
                agenda.resources.all() if agenda is not None else Resource.objects.none()
            )

    def clean(self):
        data = super().clean()
        start, end, minutes = data.get("starts_at"), data.get("ends_at"), data.get("slot_minutes")
        if start and end:
            if end <= start:
                self.add_error("ends_at", _("The end comes before the start."))
            elif minutes and _minutes(end) - _minutes(start) < minutes:
                self.add_error(
                    "slot_minutes", _("The hours are shorter than one slot: no slot would be made.")
                )
        return data


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


class BaseRangeFormSet(forms.BaseInlineFormSet):
    """The ranges of a week or of a day: those of one day may not overlap."""

    def clean(self):
        super().clean()
        by_day: dict = {}
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or self._should_delete_form(form):
                continue
            data = form.cleaned_data
            if (
                data.get("starts_at")
                and data.get("ends_at")
                and data["ends_at"] > data["starts_at"]
            ):
                by_day.setdefault(data.get("weekday"), []).append(
                    (data["starts_at"], data["ends_at"])
                )
        for weekday, ranges in by_day.items():
            ranges.sort()
            for (_start, end), (next_start, _end) in itertools.pairwise(ranges):
                if next_start < end:
                    day = dict(TimeRange._meta.get_field("weekday").choices).get(weekday)
                    raise ValidationError(
                        _("Opening hours overlap on %(day)s: %(first)s and %(second)s.")
                        % {
                            "day": day or _("this day"),
                            "first": f"{_start:%H:%M}–{end:%H:%M}",
                            "second": f"{next_start:%H:%M}–{_end:%H:%M}",
                        }
                    )


def week_ranges_formset(extra: int):
    return forms.inlineformset_factory(
        WeekRule,
        TimeRange,
        form=RangeForm,
        formset=BaseRangeFormSet,
        fk_name="rule",
        fields=["weekday", "starts_at", "ends_at", "slot_minutes", "capacity", "resources"],
        extra=extra,
        can_delete=True,
    )


def day_ranges_formset(extra: int):
    return forms.inlineformset_factory(
        SpecificDay,
        TimeRange,
        form=RangeForm,
        formset=BaseRangeFormSet,
        fk_name="specific_day",
        fields=["starts_at", "ends_at", "slot_minutes", "capacity", "resources"],
        extra=extra,
        can_delete=True,
    )


class SpecificDayForm(forms.ModelForm):
    class Meta:
        model = SpecificDay
        fields = ["date", "note"]
        widgets = {"date": DATE}

    def __init__(self, *args, agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda = agenda

    def clean_date(self):
        date = self.cleaned_data["date"]
        others = SpecificDay.objects.filter(agenda=self.agenda, date=date)
        if others.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("This day already has its own hours: change them instead."))
        return date


def check_days(form: forms.Form, first: str, last: str) -> None:
    """The days from field ``first`` to field ``last`` (empty: the first alone) are to come
    (yesterday is accepted: another time zone's today) and at most `MAX_CLOSED_DAYS`."""
    start, end = form.cleaned_data.get(first), form.cleaned_data.get(last)
    if start and start < timezone.localdate() - dt.timedelta(days=1):
        form.add_error(first, _("This day is past."))
    if start and end:
        if end < start:
            form.add_error(last, _("The last day comes before the first one."))
        elif (end - start).days >= MAX_CLOSED_DAYS:
            form.add_error(last, _("At most %(days)s days at once.") % {"days": MAX_CLOSED_DAYS})


class AbsenceForm(forms.ModelForm):
    """A resource away one day, or every day of a period."""

    class Meta:
        model = Absence
        fields = ["resource", "starts_on", "ends_on", "reason"]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        help_texts = {
            "ends_on": gettext_lazy("Empty: the first day only."),
            "reason": gettext_lazy("Leave, training, repair… Seen by agents only."),
        }

    def __init__(self, *args, agenda: Agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = agenda.resources.order_by("name", "pk")
        self.fields["resource"].empty_label = None
        self.fields["ends_on"].required = False

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and not data.get("ends_on"):
            data["ends_on"] = data["starts_on"]
        check_days(self, "starts_on", "ends_on")
        return data


class ClosingForm(forms.Form):
    """One closing day, or every day of a period."""

    date = forms.DateField(label=gettext_lazy("closed on"), widget=DATE)
    until = forms.DateField(
        label=gettext_lazy("until (included)"),
        required=False,
        widget=DATE,
        help_text=gettext_lazy("To close several days in a row."),
    )
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        check_days(self, "date", "until")
        return data

    def days(self) -> list[dt.date]:
        start = self.cleaned_data["date"]
        end = self.cleaned_data.get("until") or start
        return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


#: The largest calendar file read for closing days.
MAX_CALENDAR_BYTES = 1024 * 1024


class ClosingImportForm(forms.Form):
    """Closing days read from a calendar file (.ics), as the city's calendar software exports
    its closures: each all-day event closes its days (past days are left out). Events with
    hours and repeating events are not read: they are listed (`skipped`) for the agent, who
    closes those slots on the slots page. The file is read, never kept."""

    calendar = forms.FileField(
        label=gettext_lazy("Calendar file (.ics)"),
        help_text=gettext_lazy(
            "All-day events close their days; the event's title is the reason. Events with hours "
            "and repeating events are not read."
        ),
    )

    def clean_calendar(self) -> dict[dt.date, str]:
        import icalendar

        upload = self.cleaned_data["calendar"]
        if upload.size > MAX_CALENDAR_BYTES:
            raise ValidationError(_("The file is larger than 1 MB."))
        try:
            calendar = icalendar.Calendar.from_ical(upload.read())
        except (ValueError, TypeError, KeyError, IndexError):
            calendar = None
        if calendar is None or calendar.name != "VCALENDAR":
            raise ValidationError(_("This is not a calendar file (.ics)."))
        today = timezone.localdate()
        days: dict[dt.date, str] = {}
        self.skipped: list[str] = []
        for event in calendar.walk("VEVENT"):
            title = str(event.get("SUMMARY", "")).strip()[:200]
            start = event.decoded("DTSTART", None)
            end = event.decoded("DTEND", None)
            if end is None and start is not None:
                end = start + event.decoded("DURATION", dt.timedelta(days=1))
            whole_days = type(start) is dt.date and type(end) is dt.date
            if "RRULE" in event or not whole_days:
                self.skipped.append(title or _("(untitled)"))
                continue
            day, end = max(start, today), max(end, start + dt.timedelta(days=1))
            while day < end:  # past days left out; no more than MAX_CLOSED_DAYS looked at
                days.setdefault(day, title)
                if len(days) > MAX_CLOSED_DAYS:
                    raise ValidationError(
                        _("At most %(days)s days at once.") % {"days": MAX_CLOSED_DAYS}
                    )
                day += dt.timedelta(days=1)
        if not days:
            raise ValidationError(_("No all-day event to come in this file: nothing to close."))
        return dict(sorted(days.items()))


# --- slots ---------------------------------------------------------------------------------------


class SlotsFilterForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("day"), required=False, widget=DATE)
    span = forms.ChoiceField(
        label=gettext_lazy("show"),
        required=False,
        choices=[("day", gettext_lazy("the day")), ("week", gettext_lazy("the week"))],
    )


class BulkSlotsForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("open", gettext_lazy("open")), ("close", gettext_lazy("close"))]
    )
    slots = forms.TypedMultipleChoiceField(coerce=int, label=gettext_lazy("slots"))

    def __init__(self, *args, slot_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slots"].choices = [(pk, pk) for pk in slot_ids]
        self.fields["slots"].error_messages["required"] = _("Choose at least one slot.")
        self.fields["slots"].error_messages["invalid_choice"] = _(
            "A chosen slot is not one of this agenda's."
        )


class DeskForm(forms.Form):
    day = forms.DateField(widget=DATE, label=gettext_lazy("day"))
    action = forms.ChoiceField(
        label=gettext_lazy("action"),
        choices=[
            ("add", gettext_lazy("add a place to every slot")),
            ("remove", gettext_lazy("remove an added place")),
        ],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "desk_%s")  # beside the slots' filter on one page
        super().__init__(*args, **kwargs)
