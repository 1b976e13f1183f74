"""Forms' data: forms and their published versions, responses (drafts and submitted ones),
their files, and the reference counters.

After changing a model: ``lutetia makemigrations forms``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lutetia.accounts.workgroups import WorkgroupField

from . import definition as fd


class Category(models.Model):
    """A heading of the list of forms ("Civil status", "Schools", "Roads")."""

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("form category")
        verbose_name_plural = _("form categories")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="forms_category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Form(models.Model):
    """An administrative procedure put online: its settings, its draft definition (what the
    builder edits) and its published versions (what citizens fill)."""

    class Retention(models.TextChoices):
        ANONYMISE = "anonymise", _("anonymise")
        DELETE = "delete", _("delete")

    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("address"),
        max_length=80,
        help_text=_("The end of the form's address: /services/forms/<address>/."),
    )
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forms",
        verbose_name=_("category"),
    )
    workgroup = WorkgroupField(
        help_text=_("Agents of this workgroup process its responses; empty: every agent.")
    )
    enabled = models.BooleanField(
        _("online"),
        default=False,
        help_text=_("Listed and open to citizens (within its opening dates) once published."),
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    max_responses = models.PositiveIntegerField(
        _("maximum number of responses"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    one_per_citizen = models.BooleanField(
        _("one response per citizen"),
        default=False,
        help_text=_("Needs sign-in: each account may submit once."),
    )
    login_required = models.BooleanField(_("sign-in required"), default=False)
    captcha = models.BooleanField(
        _("ask anonymous citizens to prove they are human"), default=False
    )
    terms = models.TextField(
        _("terms to accept"),
        blank=True,
        help_text=_("When set, the citizen accepts them before submitting."),
    )
    confirmation_message = models.TextField(
        _("confirmation message"),
        blank=True,
        help_text=_("Shown after submission and in the confirmation e-mail."),
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=10,
        default="FRM",
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9]{1,9}$",
                _("Two to ten capital letters or digits, starting with a letter."),
            )
        ],
        help_text=_("References read PREFIX-YEAR-NUMBER, e.g. FRM-2026-000123."),
    )
    draft_days = models.PositiveIntegerField(
        _("drafts kept for (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("A draft untouched this long is deleted; its citizen is warned before."),
    )
    retention_days = models.PositiveIntegerField(
        _("responses kept for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("After this many days from submission; empty: kept until removed."),
    )
    retention_action = models.CharField(
        _("then"), max_length=10, choices=Retention.choices, default=Retention.ANONYMISE
    )
    draft = models.JSONField(_("draft definition"), default=fd.empty, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "slug"], name="forms_form_unique_slug")
        ]
        permissions = [("process_response", _("Can process form responses"))]

    def __str__(self) -> str:
        return self.title

    def latest_version(self) -> FormVersion | None:
        return self.versions.order_by("-number").first()


class FormVersion(models.Model):
    """One published, never changed, definition of a form."""

    form = models.ForeignKey(
        Form, on_delete=models.CASCADE, related_name="versions", verbose_name=_("form")
    )
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="forms_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"

    @property
    def parsed(self) -> fd.Definition:
        from .services import definition_of

        return definition_of(self)


class Response(models.Model):
    """A citizen's response to a form: a draft while they fill it, then a submitted response
    with its reference. It keeps the version it was started on."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    form = models.ForeignKey(
        Form, on_delete=models.CASCADE, related_name="responses", verbose_name=_("form")
    )
    version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="responses", verbose_name=_("version")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    reference = models.CharField(_("reference"), max_length=32, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="form_responses",
        verbose_name=_("citizen"),
    )
    #: set to the owner only for "one response per citizen" forms: the unique constraint below
    #: is what guarantees it, not a count in Python
    single_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    #: steps the citizen validated (the ones they may go back to)
    visited = models.JSONField(default=list, blank=True, editable=False)
    current_step = models.CharField(max_length=50, blank=True, editable=False)
    #: sha256 of the secret that lets an anonymous browser reach its draft
    access_hash = models.CharField(max_length=64, blank=True, editable=False)
    #: sha256 of the resume link's secret (one use)
    resume_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("draft expires at"), null=True, blank=True)
    expiry_warned = models.BooleanField(default=False, editable=False)
    workgroup = WorkgroupField()
    #: the workflow's public status, copied through the resource protocol (lists filter by it)
    state = models.CharField(_("state"), max_length=50, blank=True)
    state_label = models.CharField(_("state"), max_length=200, blank=True)
    closed = models.BooleanField(_("processing over"), default=False)
    #: when the workflow reached a final state (statistics: time to close)
    closed_at = models.DateTimeField(_("processing over on"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    #: what full-text search reads: the reference, the citizen, the answers as text
    search_text = models.TextField(blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    #: a workflow asked the citizen to correct their answers until then ("" message: not asked)
    correction_until = models.DateTimeField(_("correction open until"), null=True, blank=True)
    correction_message = models.TextField(_("what to correct"), blank=True)
    #: the corrected answers while the citizen goes through the steps again (None: none yet);
    #: agents keep seeing ``answers`` until the corrections are sent
    pending_answers = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("form response")
        verbose_name_plural = _("form responses")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "reference"],
                condition=~Q(reference=""),
                name="forms_response_unique_reference",
            ),
            models.UniqueConstraint(
                fields=["form", "single_owner"],
                condition=Q(single_owner__isnull=False),
                name="forms_response_one_per_citizen",
            ),
        ]
        indexes = [
            models.Index(fields=["form", "status", "-submitted_at"], name="forms_resp_form_list"),
            models.Index(fields=["site", "status", "-submitted_at"], name="forms_resp_site_list"),
            models.Index(fields=["form", "state"], name="forms_resp_form_state"),
            models.Index(fields=["status", "expires_at"], name="forms_resp_expiry"),
            models.Index(fields=["owner", "status"], name="forms_resp_owner"),
            models.Index(fields=["assignee", "status"], name="forms_resp_assignee"),
        ]

    def __str__(self) -> str:
        return self.reference or str(_("draft of “%(form)s”") % {"form": self.form})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def correction_open(self, now=None) -> bool:
        return bool(self.correction_until and (now or timezone.now()) < self.correction_until)


class Upload(models.Model):
    """A file a citizen attached to a response; the file itself is in private storage."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="uploads", verbose_name=_("response")
    )
    question = models.CharField(_("question"), max_length=50)
    name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    storage_name = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    def as_answer(self) -> dict:
        """The item a file question's answer keeps."""
        return {
            "id": str(self.uid),
            "name": self.name,
            "size": self.size,
            "type": self.content_type,
        }


class ReferenceCounter(models.Model):
    """The last number given for a prefix and a year on a site: ``FRM-2026-000123``."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "prefix", "year"], name="forms_reference_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
