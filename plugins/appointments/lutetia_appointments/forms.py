"""Appointments' front-office forms: the citizen's details, the waiting list, the choices of the
calendar page (the service's own questions come from questions.py)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lutetia import captcha

from . import booking, questions
from .models import Location, Service

PHONE = r"^\+?[0-9 .()-]{6,20}$"


def people_choices(service: Service) -> list[tuple[int, str]]:
    return [
        (n, ngettext("%(n)s person", "%(n)s people", n) % {"n": n})
        for n in range(1, service.max_people + 1)
    ]


class PeopleForm(forms.Form):
    """How many people come (a GET form: the calendar shows the slots with that many places)."""

    people = forms.TypedChoiceField(label=_("Number of people"), coerce=int)

    def __init__(self, service: Service, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = people_choices(service)


class LengthForm(forms.Form):
    """How many consecutive slots the appointment takes (services that allow more than one)."""

    count = forms.TypedChoiceField(label=_("Length of the appointment"), coerce=int, initial=1)

    def __init__(self, service: Service, minutes: int | None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for n in range(1, service.max_slots + 1):
            label = ngettext("%(n)s slot", "%(n)s consecutive slots", n) % {"n": n}
            if minutes:
                label += " " + (_("(%(minutes)s minutes)") % {"minutes": n * minutes})
            choices.append((n, label))
        self.fields["count"].choices = choices


class CaptchaMixin:
    """The anti-robot question (lutetia.captcha) for anonymous citizens, asked anew each time
    the page comes back."""

    asks_captcha = False

    def _challenge(self) -> None:
        question, token = captcha.challenge()
        self.fields["captcha_answer"] = forms.CharField(
            label=question,
            max_length=3,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            error_messages={"required": _("Answer the anti-robot question.")},
        )
        self.fields["captcha_token"] = forms.CharField(widget=forms.HiddenInput, initial=token)
        self.token = token

    def _check_captcha(self, cleaned) -> None:
        if self.asks_captcha and "captcha_answer" in cleaned:
            problem = captcha.check(self.data.get("captcha_token", ""), cleaned["captcha_answer"])
            if problem:
                self.add_error("captcha_answer", problem)

    def _renew_captcha(self) -> None:
        if self.asks_captcha and self.is_bound and self.errors:
            answer_errors = self.errors.get("captcha_answer")
            self._challenge()
            self.data = self.data.copy()
            self.data["captcha_token"] = self.token
            self.data["captcha_answer"] = ""
            if answer_errors:
                self._errors["captcha_answer"] = answer_errors


class DetailsForm(CaptchaMixin, forms.Form):
    """Who comes: name, e-mail, phone, the service's questions (and the anti-robot question)."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The confirmation is sent there, with the link to cancel or move it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.RegexField(
        label=_("Phone (optional)"),
        regex=PHONE,
        required=False,
        max_length=20,
        error_messages={"invalid": _("Enter a phone number.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, service: Service, *args, captcha: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields.update(questions.form_fields(service.questions or []))
        self.asks_captcha = captcha
        if captcha:
            self._challenge()

    def clean(self):
        cleaned = super().clean()
        self._check_captcha(cleaned)
        asked = self.service.questions or []
        for name in questions.unasked_fields(asked, cleaned):
            self._errors.pop(name, None)  # typed in a question not asked: not an answer
        self.answers = questions.answers_of(asked, cleaned)
        return cleaned

    def full_clean(self):
        super().full_clean()
        self._renew_captcha()

    def details(self) -> booking.Details:
        """What the citizen gave (the answers as JSON values)."""
        data = self.cleaned_data
        return booking.Details(
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            email=data["email"].strip(),
            phone=(data.get("phone") or "").strip(),
            answers=self.answers,
        )

    @staticmethod
    def initial_of(given: booking.Details) -> dict:
        """The form's initial values from what the citizen gave before."""
        initial = {
            "first_name": given.first_name,
            "last_name": given.last_name,
            "email": given.email,
            "phone": given.phone,
        }
        for key, value in (given.answers or {}).items():
            if value is True:
                value = "yes"
            elif value is False:
                value = "no"
            initial[questions.PREFIX + key] = value
        return initial


class WaitingForm(forms.Form):
    """Joining a service's waiting list."""

    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("A slot that frees up is offered to you there."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("Any location"),
    )
    people = forms.TypedChoiceField(label=_("Number of people"), coerce=int, initial=1)
    earliest = forms.DateField(
        label=_("From (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    latest = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, service: Service, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locations = Location.objects.filter(
            agendas__service=service, agendas__enabled=True
        ).distinct()
        if locations.count() > 1:
            self.fields["location"].queryset = locations
        else:
            del self.fields["location"]
        if service.max_people > 1:
            self.fields["people"].choices = people_choices(service)
        else:
            del self.fields["people"]

    def clean(self):
        cleaned = super().clean()
        earliest, latest = cleaned.get("earliest"), cleaned.get("latest")
        if earliest and latest and latest < earliest:
            self.add_error("latest", _("The last date is before the first one."))
        if latest and latest < dt.date.today():
            self.add_error("latest", _("This date is past."))
        return cleaned
