"""The forms of the account pages Lutetia adds to allauth's: profile, deleting the account."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import services


class ProfileForm(forms.Form):
    """Names, language and time zone of the signed-in person."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    language = forms.ChoiceField(
        label=_("Preferred language"),
        required=False,
        help_text=_("The language of the e-mails the town hall sends you."),
        error_messages={"invalid_choice": _("Choose one of the languages in the list.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Dates and times are shown in this time zone."),
        error_messages={"invalid_choice": _("Choose one of the time zones in the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Language names are written in their own language, as in the language switcher.
        self.fields["language"].choices = [("", _("The site's language")), *settings.LANGUAGES]
        self.fields["time_zone"].choices = [
            ("", _("The site's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE}),
            *services.time_zone_choices(),
        ]
        for name in ("first_name", "last_name"):
            self.fields[name].widget.attrs["spellcheck"] = "false"


class DeleteAccountForm(forms.Form):
    """The last step before erasing an account: the password, as a proof of identity."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        error_messages={"required": _("Enter your password to delete your account.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        from allauth.account.adapter import get_adapter

        password = self.cleaned_data["password"]
        if not get_adapter().reauthenticate(self.user, password):
            raise forms.ValidationError(
                _("The password is not correct: your account was not deleted."),
                code="incorrect_password",
            )
        return password
