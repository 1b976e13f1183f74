from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Longest error text kept on a message; the details go to the logs.
ERROR_MAX_LENGTH = 2000


def is_safe_link(url: str) -> bool:
    """A path on this site or an http(s) address: nothing a browser would run (``javascript:``)."""
    if url.startswith("/"):
        return not url.startswith("//")
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class Status(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutboxMessage(models.Model):
    """One message to deliver through one channel, written in the use case's transaction.

    The row is the promise: it exists if and only if the use case committed, and the outbox
    keeps trying until its channel has taken it (``sent``) or refused it for good (``failed``).

    ``next_attempt_at`` is when it may next be tried. While a worker holds it (``sending``) it
    is the end of that worker's lease: past it, the worker is taken as lost and the message is
    due again. One column for both keeps "what is due" a single indexed range query.
    """

    channel = models.CharField(_("channel"), max_length=64)
    recipient = models.TextField(_("recipient"))
    subject = models.TextField(_("subject"), blank=True)
    body = models.TextField(_("body"), blank=True)
    #: what the channel needs besides the above: HTML, attachments (base64), URL, secret, ...
    data = models.JSONField(_("data"), default=dict, blank=True)
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        db_index=True,
        help_text=_("What sent it, for tracing, e.g. workflow:case:42."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    # Not content: Wagtail's "where is this used" index has no business with messages (and
    # would queue a task of its own at every message written).
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The periodic job's query: pending or sending messages whose time has come.
            models.Index(fields=["status", "next_attempt_at"], name="notify_outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk}"


class InAppNotification(models.Model):
    """A message in a person's inbox in Lutetia itself ("My notifications")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    #: the outbox row it was delivered from: unique, so a message never lands twice
    outbox_message = models.OneToOneField(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("in-app notification")
        verbose_name_plural = _("in-app notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox and its unread count, newest first.
            models.Index(fields=["user", "read_at", "created_at"], name="notify_inapp_inbox"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def safe_url(self) -> str:
        """The link, unless it is one a browser would run (checked when written, and here)."""
        return self.url if self.url and is_safe_link(self.url) else ""
