"""Forms' own Django forms (the questions' forms are built by runtime.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lutetia import captcha


class ResumeEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send you a link to go on with this draft later, on any device."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SubmitForm(forms.Form):
    """The summary page's form: the terms to accept, and the anti-robot question."""

    def __init__(self, *args, terms: str = "", captcha: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.asks_captcha = captcha
        if terms:
            self.fields["accept"] = forms.BooleanField(
                label=_("I have read and I accept the terms above."),
                error_messages={"required": _("Accept the terms to submit the form.")},
            )
        if captcha:
            self._challenge()

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

    def clean(self):
        cleaned = super().clean()
        if self.asks_captcha and "captcha_answer" in cleaned:
            problem = captcha.check(self.data.get("captcha_token", ""), cleaned["captcha_answer"])
            if problem:
                self.add_error("captcha_answer", problem)
        return cleaned

    def full_clean(self):
        super().full_clean()
        if self.asks_captcha and self.is_bound and self.errors:
            # A new question each time the page comes back: a solved one is never reused.
            answer_errors = self.errors.get("captcha_answer")
            self._challenge()
            self.data = self.data.copy()
            self.data["captcha_token"] = self.token
            self.data["captcha_answer"] = ""
            if answer_errors:
                self._errors["captcha_answer"] = answer_errors
