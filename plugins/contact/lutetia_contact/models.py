"""Contact's data: the topics a site offers, and the messages citizens send.

After changing a model: ``lutetia makemigrations contact``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable

from lutetia.accounts.workgroups import WorkgroupField

#: The longest message a citizen may send, in characters.
MESSAGE_MAX_LENGTH = 5000


@register_setting(icon="mail")
class ContactSettings(BaseSiteSetting, ClusterableModel):
    """A site's contact form: its topics, and the page explaining personal data."""

    personal_data_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("personal data page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Linked from the consent box of the contact form."),
    )

    panels = [
        InlinePanel("topics", label=_("Topics")),
        FieldPanel("personal_data_page"),
    ]

    class Meta:
        verbose_name = _("contact form")


class ContactTopic(Orderable):
    """One subject citizens can choose, optionally sent to its own department's address."""

    settings = ParentalKey(ContactSettings, on_delete=models.CASCADE, related_name="topics")
    label = models.CharField(_("label"), max_length=120)
    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("Messages on this topic go there; empty: the site's contact e-mail."),
    )

    workgroup = WorkgroupField(
        help_text=_(
            "The team that answers messages on this topic: only its agents see them. Empty: "
            "every agent with the right sees them."
        )
    )

    panels = [FieldPanel("label"), FieldPanel("email"), FieldPanel("workgroup")]

    class Meta(Orderable.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.label


class ContactMessage(models.Model):
    """A message a citizen sent to the town hall from the contact form."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ANSWERED = "answered", _("answered")

    site = models.ForeignKey(
        "wagtailcore.Site",
        on_delete=models.CASCADE,
        related_name="contact_messages",
        verbose_name=_("site"),
    )
    # Kept when the topic is deleted later: ``subject`` still says what it was.
    topic = models.ForeignKey(
        ContactTopic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("topic"),
    )
    # Copied from the topic when the message is sent: moving a topic to another team later
    # does not hand over the messages already received.
    workgroup = WorkgroupField()
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    subject = models.CharField(_("subject"), max_length=120)
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The citizen's account when they were signed in: they find the message under "My
    # messages". Kept when the account is deleted (the town hall keeps its correspondence).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent from the account"),
    )

    class Meta:
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} – {self.subject}"

    @property
    def reference(self) -> str:
        """What the citizen quotes, e.g. ``CT-2026-000042`` (year sent, then the number)."""
        if self.pk is None:
            return ""
        return f"CT-{timezone.localtime(self.created_at).year}-{self.pk:06d}"
