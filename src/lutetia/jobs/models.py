from django.db import models
from django.utils.translation import gettext_lazy as _

#: Longest error text kept; the full traceback goes to the logs.
ERROR_MAX_LENGTH = 2000


class Outcome(models.TextChoices):
    NEVER = "never", _("never run")
    RUNNING = "running", _("running")
    SUCCESS = "success", _("success")
    FAILED = "failed", _("failed")


class JobState(models.Model):
    """Where one periodic job stands: when it runs next, how its last run went, whether it is on.

    Keyed by the job's registry id; a job whose code is gone keeps its row (and its history).
    """

    id = models.CharField(_("job"), max_length=64, primary_key=True)
    enabled = models.BooleanField(
        _("enabled"), default=True, help_text=_("A paused job is not run by the scheduler.")
    )
    next_run_at = models.DateTimeField(_("next run"), db_index=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_outcome = models.CharField(
        _("last outcome"), max_length=16, choices=Outcome.choices, default=Outcome.NEVER
    )
    last_error = models.TextField(_("last error"), blank=True)
    last_duration = models.DurationField(_("last duration"), null=True, blank=True)
    run_count = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("periodic job state")
        verbose_name_plural = _("periodic job states")

    def __str__(self) -> str:
        return f"{self.pk}: {self.get_last_outcome_display()}"
