"""Workflow's data: workflows and their published versions, which workflow processes what, and
the cases (one per processed resource) with their history.

After changing a model: ``lutetia makemigrations workflow``.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lutetia.accounts.workgroups import WorkgroupField

from . import definition as wf


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Workflow(models.Model):
    """A process administrators design: its draft definition and its published versions.

    Administrators edit ``draft``; publishing copies it into a new `WorkflowVersion`. Resources
    start on the latest version and keep theirs until an administrator migrates them, so editing
    a workflow in use never changes what a resource half-way through it goes through.
    """

    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    workgroup = WorkgroupField(
        help_text=_("Only administrators of this workgroup may change it; empty: every one.")
    )
    enabled = models.BooleanField(
        _("enabled"),
        default=True,
        help_text=_("A disabled workflow starts no new resource; those under way go on."),
    )
    draft = models.JSONField(_("draft definition"), default=wf.empty, blank=True)
    #: signs calls to its API actions from other systems (never exported)
    hook_secret = models.CharField(
        _("secret for API actions"), max_length=64, default=new_secret, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")
        ordering = ["name", "pk"]
        permissions = [("process_case", _("Can process resources through workflows"))]

    def __str__(self) -> str:
        return self.name

    def latest_version(self) -> WorkflowVersion | None:
        return self.versions.order_by("-number").first()


class WorkflowVersion(models.Model):
    """One published, never changed, definition of a workflow."""

    workflow = models.ForeignKey(
        Workflow, on_delete=models.CASCADE, related_name="versions", verbose_name=_("workflow")
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
        verbose_name = _("workflow version")
        verbose_name_plural = _("workflow versions")
        constraints = [
            models.UniqueConstraint(fields=["workflow", "number"], name="workflow_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.workflow} v{self.number}"

    @property
    def parsed(self) -> wf.Definition:
        """The definition, parsed once per process (a published version never changes)."""
        from .engine import definition_of

        return definition_of(self)


class Binding(models.Model):
    """Which workflow processes the resources of one type and scope (a form, an agenda)."""

    resource_type = models.CharField(_("resource type"), max_length=64)
    scope = models.CharField(_("scope"), max_length=100, blank=True)
    workflow = models.ForeignKey(
        Workflow, on_delete=models.PROTECT, related_name="bindings", verbose_name=_("workflow")
    )

    class Meta:
        verbose_name = _("workflow binding")
        verbose_name_plural = _("workflow bindings")
        constraints = [
            models.UniqueConstraint(
                fields=["resource_type", "scope"], name="workflow_binding_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}:{self.scope or '*'} → {self.workflow}"


class Case(models.Model):
    """One resource going through a workflow: where it stands, who holds it, since when.

    The reference, title, owner and site are copied from the resource when the case starts,
    so that work queues list and filter cases without reading any plugin's tables.
    ``revision`` grows by one at every action: an action applies only to the revision the agent
    saw (optimistic versioning), which is how two agents clicking at once get one success and
    one "the resource changed".
    """

    resource_type = models.CharField(_("resource type"), max_length=64)
    resource_id = models.CharField(_("resource"), max_length=64)
    version = models.ForeignKey(
        WorkflowVersion, on_delete=models.PROTECT, related_name="cases", verbose_name=_("version")
    )
    state = models.CharField(_("state"), max_length=50)
    entered_at = models.DateTimeField(_("in this state since"))
    revision = models.PositiveIntegerField(_("revision"), default=1)
    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    workgroup = WorkgroupField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("citizen"),
    )
    reference = models.CharField(_("reference"), max_length=64)
    title = models.CharField(_("title"), max_length=255, blank=True)
    #: answers agents gave to "ask the agent for fields" tasks, by field name
    data = models.JSONField(_("workflow fields"), default=dict, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["resource_type", "resource_id"], name="workflow_case_unique"
            )
        ]
        indexes = [
            # The timed sweep: cases of one version in one state, waiting the longest first.
            models.Index(
                fields=["version", "state", "entered_at"],
                name="workflow_case_sweep",
                condition=Q(closed_at__isnull=True),
            ),
            models.Index(fields=["workgroup", "state"], name="workflow_case_queue"),
            models.Index(fields=["assignee", "state"], name="workflow_case_assignee"),
            models.Index(fields=["owner"], name="workflow_case_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.state})"

    @property
    def definition(self) -> wf.Definition:
        return self.version.parsed

    @property
    def current_state(self) -> wf.State:
        return self.definition.state(self.state) or wf.State(key=self.state, name=self.state)


class HistoryEntry(models.Model):
    """One thing that happened to a case: an action done, failed or refused, with its tasks."""

    class Outcome(models.TextChoices):
        STARTED = "started", _("started")
        DONE = "done", _("done")
        ALTERNATIVE = "alternative", _("alternative path")
        FAILED = "failed", _("failed")
        MIGRATED = "migrated", _("moved to another version")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="history", verbose_name=_("case")
    )
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    #: who or what acted when no agent did, or the agent's name kept after their account is gone
    actor_name = models.CharField(_("by (name)"), max_length=200, blank=True)
    trigger = models.CharField(_("trigger"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=50, blank=True)
    action_name = models.CharField(_("action name"), max_length=200, blank=True)
    from_state = models.CharField(_("from state"), max_length=50, blank=True)
    to_state = models.CharField(_("to state"), max_length=50, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    #: seen by the citizen (their status changed); internal entries are for agents only
    public = models.BooleanField(_("visible to the citizen"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    comment_public = models.BooleanField(_("comment visible to the citizen"), default=False)
    #: what each task did: [{"type", "label", "summary", "public", "ok"}]
    tasks = models.JSONField(_("tasks"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="workflow_history_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action or self.outcome} {self.at:%Y-%m-%d %H:%M}"


class CitizenRequest(models.Model):
    """A question put to the citizen by a task, answered through a secret link before a deadline."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="requests", verbose_name=_("case")
    )
    #: SHA-256 of the secret in the link: the link itself is never stored
    token_hash = models.CharField(max_length=64, unique=True)
    message = models.TextField(_("message"))
    deadline = models.DateTimeField(_("deadline"))
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    #: the action the answer triggers (a "citizen" action of the workflow), or ""
    then_action = models.CharField(_("then"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("request to the citizen")
        verbose_name_plural = _("requests to the citizen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.message[:40]}"


class CaseDocument(models.Model):
    """A document a task generated for a case (a decision letter): kept in the database, never
    served from a public address, downloaded through a view that checks who asks."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="documents", verbose_name=_("case")
    )
    name = models.CharField(_("file name"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    content_type = models.CharField(max_length=100, default="application/pdf")
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    #: the citizen may download it from their page
    public = models.BooleanField(_("visible to the citizen"), default=False)

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name
