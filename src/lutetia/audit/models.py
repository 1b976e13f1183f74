"""The access log's tables: entries (append-only, hash-chained) and purge checkpoints.

No foreign keys on purpose: an entry outlives the user, site or object it names (deleting a
user must not touch, let alone block on, the rows that say what they did), so ids and labels
are copied as they were at the time.
"""

from __future__ import annotations

import json

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What ``LUTETIA_AUDIT_CATEGORIES`` switches on and off (Lutece's access-log levels)."""

    AUTH = "auth", _("sign-in and account security")
    ADMIN = "admin", _("back-office changes")
    PERSONAL_DATA = "personal_data", _("views of personal data")
    FRONT = "front", _("citizens' actions")
    SYSTEM = "system", _("commands and jobs")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("success")
    DENIED = "denied", _("denied")
    ERROR = "error", _("error")


class Origin(models.TextChoices):
    FRONT = "front", _("front office")
    BACK = "back", _("back office")
    API = "api", _("API")
    SYSTEM = "system", _("system")


class Role(models.TextChoices):
    """What the actor was at the time of the entry (not what they are now)."""

    SITE_ADMIN = "site_admin", _("site administrator")
    AGENT = "agent", _("agent")
    CITIZEN = "citizen", _("citizen")
    ANONYMOUS = "anonymous", _("anonymous")
    SYSTEM = "system", _("system")


class AuditEntry(models.Model):
    """One thing someone (or the system) did, with its context and outcome.

    Written only by `lutetia.audit.services.record`; never updated; deleted only by
    ``lutetia audit purge`` (on PostgreSQL a trigger enforces both). ``hash`` is the SHA-256
    of ``previous_hash`` and the entry's canonical form (`lutetia.audit.chain`).
    """

    timestamp = models.DateTimeField(_("time (UTC)"), db_index=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True, db_index=True)
    actor_name = models.CharField(
        _("actor"),
        max_length=255,
        blank=True,
        help_text=_("The actor's e-mail address (or name) at the time."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    session_hash = models.CharField(
        _("session"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of the session key: links the entries of one visit."),
    )
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=255, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True, db_index=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=128, blank=True, db_index=True)
    site_id = models.PositiveIntegerField(_("site id"), null=True, blank=True)
    site_name = models.CharField(_("site"), max_length=255, blank=True)
    details = models.TextField(_("details"), blank=True, default="{}")
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="lutetia_aud_target_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} ({self.get_outcome_display()})"

    @property
    def details_dict(self) -> dict:
        """``details`` decoded (stored as canonical JSON text so the hash never depends on how
        a database re-encodes JSON)."""
        try:
            value = json.loads(self.details or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {"value": value}

    @property
    def actor_display(self) -> str:
        """The actor as an investigator reads it: e-mail, else id, else the role."""
        if self.actor_name:
            return self.actor_name
        if self.actor_id:
            return f"#{self.actor_id}"
        return str(self.get_role_display())

    actor_display.fget.short_description = _("actor")

    @property
    def target_display(self) -> str:
        """``type #id (label)``, or "" when the entry names no target."""
        if not self.target_type:
            return ""
        text = f"{self.target_type} #{self.target_id}" if self.target_id else self.target_type
        return f"{text} ({self.target_label})" if self.target_label else text

    target_display.fget.short_description = _("target")


class AuditCheckpoint(models.Model):
    """What a purge removed, and the hash the first remaining entry chains onto.

    ``lutetia audit verify`` starts from the latest checkpoint, so the chain still verifies
    after old entries are gone. Append-only, like the entries.
    """

    created_at = models.DateTimeField(_("purged at"))
    created_by = models.CharField(_("purged by"), max_length=255, blank=True)
    before = models.DateTimeField(_("entries before"))
    count = models.PositiveBigIntegerField(_("entries purged"))
    first_id = models.BigIntegerField(_("first purged entry"), null=True, blank=True)
    last_id = models.BigIntegerField(_("last purged entry"), null=True, blank=True)
    first_timestamp = models.DateTimeField(_("oldest purged entry"), null=True, blank=True)
    last_timestamp = models.DateTimeField(_("newest purged entry"), null=True, blank=True)
    last_hash = models.CharField(_("hash of the last purged entry"), max_length=64)

    class Meta:
        verbose_name = _("access log purge")
        verbose_name_plural = _("access log purges")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.count} entries before {self.before:%Y-%m-%d}"
