"""The contact form: what a citizen writes, and the honeypot that catches robots."""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import MESSAGE_MAX_LENGTH
from .services import OTHER, Submission


def _no_control_characters(value: str) -> None:
    # The name goes into an e-mail subject: a line break there is a header injection.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValidationError(_("Write the name on a single line."), code="control")


class ContactForm(forms.Form):
    """Name, e-mail, topic, message and consent; ``website`` is the honeypot."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        validators=[_no_control_characters],
        error_messages={"required": _("Enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The town hall answers you at this address. Format: name@example.org"),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address in the format name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    topic = forms.ChoiceField(
        label=_("Subject"),
        error_messages={
            "required": _("Choose the subject of your message."),
            "invalid_choice": _("Choose one of the subjects in the list."),
        },
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={
            "required": _("Write your message."),
            "max_length": _(
                "Shorten your message to %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the town hall processes the personal data in this form to answer my "
            "message."
        ),
        error_messages={"required": _("Tick the box to let the town hall answer you.")},
    )
    # The honeypot: hidden from people and from assistive technology; robots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = {str(topic.pk): topic for topic in topics}
        self.fields["topic"].choices = [
            ("", _("Choose a subject")),
            *((key, topic.label) for key, topic in self.topics.items()),
            (OTHER, _("Other")),
        ]
        # Built per form, in the visitor's language and number format ("5 000", "5,000").
        self.fields["message"].help_text = gettext("At most %(count)s characters.") % {
            "count": number_format(MESSAGE_MAX_LENGTH, force_grouping=True)
        }

    @property
    def is_robot(self) -> bool:
        """Whether the honeypot was filled in (only meaningful once the form is bound)."""
        return bool(self.data.get(self.add_prefix("website"), "").strip())

    def submission(self) -> Submission:
        """The checked message, once ``is_valid()``."""
        data = self.cleaned_data
        return Submission(
            name=data["name"].strip(),
            email=data["email"],
            topic=self.topics.get(data["topic"]),
            message=data["message"],
        )
