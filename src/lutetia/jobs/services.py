"""Periodic jobs: claiming a due job, enqueueing it, running it and recording how it went.

The scheduler (`schedule_due_jobs`) and the worker (`run_job`, through the
`lutetia.jobs.tasks.run_periodic_job` task) meet only in the `JobState` table: the scheduler
moves ``next_run_at`` forward when it claims a job, the run records its start and outcome.
Nothing here reads a request; the back office calls `run_now` and `set_job_enabled`.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import TaskResult, default_task_backend
from django_tasks_db.backend import DatabaseBackend
from wagtail.models import Site

from lutetia.plugins import enabled_labels, get_plugin

from .base import PeriodicJob
from .models import ERROR_MAX_LENGTH, JobState, Outcome
from .registry import periodic_jobs

logger = logging.getLogger("lutetia.jobs")


class UnknownJob(LookupError):
    """No periodic job is registered under this id."""


def get_job(job_id: str) -> PeriodicJob:
    """The registered job ``job_id``; `UnknownJob` when there is none."""
    job = periodic_jobs.get(job_id)
    if job is None:
        raise UnknownJob(job_id)
    return job


# --- scheduling --------------------------------------------------------------------------


def ensure_states(now: datetime | None = None) -> None:
    """Give every registered job its `JobState` row; a new job is due at once.

    ``ignore_conflicts`` lets two schedulers starting together both insert without an error:
    the second insert of the same id is simply dropped.
    """
    now = now or timezone.now()
    ids = list(periodic_jobs)
    existing = set(JobState.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [JobState(id=job_id, next_run_at=now) for job_id in ids if job_id not in existing]
    if missing:
        JobState.objects.bulk_create(missing, ignore_conflicts=True)


def claim_job(job_id: str, now: datetime) -> bool:
    """Claim the due job ``job_id`` for this scheduler; True for exactly one claimant.

    The claim is ONE conditional UPDATE that moves ``next_run_at`` past ``now`` only while it is
    still due and the job is on. The database elects the winner, whatever the number of
    schedulers and machines: on PostgreSQL the first UPDATE locks the row, a concurrent one waits
    for it, then re-checks its WHERE clause against the committed row, finds the job no longer
    due and updates 0 rows; on SQLite writers are serialised by the database lock. A read
    followed by a write ("is it due? then claim it") would let two schedulers both see it due;
    a lock held across the pass, or a leader election, would add a failure mode (a dead leader)
    for nothing. The only assumption left is that schedulers' clocks agree within one interval.
    """
    job = get_job(job_id)
    claimed = JobState.objects.filter(pk=job.id, enabled=True, next_run_at__lte=now).update(
        next_run_at=now + job.every
    )
    return claimed == 1


def is_active(job: PeriodicJob, sites: list[Site] | None = None) -> bool:
    """False when the job's plugin is switched off on every site (core jobs are always on)."""
    if job.plugin is None:
        return True
    sites = list(Site.objects.all()) if sites is None else sites
    return any(job.plugin in enabled_labels(site) for site in sites or [None])


def schedule_due_jobs(now: datetime | None = None) -> list[str]:
    """One scheduler pass: claim each due job and enqueue its run; return the enqueued ids.

    A job whose plugin is off on every site is not claimed, so it stays due and runs at the first
    pass after the plugin is switched on again. A job that fails to enqueue is logged and the
    pass goes on with the next one.
    """
    now = now or timezone.now()
    ensure_states(now)
    expire_lost_runs(now)
    due = set(
        JobState.objects.filter(
            pk__in=list(periodic_jobs), enabled=True, next_run_at__lte=now
        ).values_list("pk", flat=True)
    )
    sites = list(Site.objects.all())
    enqueued = []
    for job_id, job in periodic_jobs.items():
        if job_id not in due:
            continue
        if not is_active(job, sites):
            logger.info("periodic job skipped: its plugin is off", extra={"job": job_id})
            continue
        try:
            if _claim_and_enqueue(job, now):
                enqueued.append(job_id)
        except Exception:
            logger.exception("periodic job could not be enqueued", extra={"job": job_id})
    return enqueued


def _claim_and_enqueue(job: PeriodicJob, now: datetime) -> bool:
    if isinstance(default_task_backend, DatabaseBackend):
        # The queue is a table of the same database: the claim and the queued run commit
        # together, so a crash between them can neither lose the run nor queue it twice.
        with transaction.atomic():
            if not claim_job(job.id, now):
                return False
            _enqueue(job, reason="due")
        return True
    # Other backends run the job at once (immediate) or elsewhere: commit the claim first, so
    # the row is not kept locked while the job runs.
    if not claim_job(job.id, now):
        return False
    _enqueue(job, reason="due")
    return True


def _enqueue(job: PeriodicJob, reason: str) -> TaskResult:
    from .tasks import run_periodic_job

    logger.info("periodic job enqueued", extra={"job": job.id, "reason": reason})
    return run_periodic_job.enqueue(job.id)


def expire_lost_runs(now: datetime | None = None) -> list[str]:
    """Record as failed the runs still "running" past their job's timeout (their worker died)."""
    now = now or timezone.now()
    expired = []
    for state in JobState.objects.filter(last_outcome=Outcome.RUNNING):
        job = periodic_jobs.get(state.pk)
        if job is None or state.last_started_at is None:
            continue
        limit = now - job.stale_after
        if state.last_started_at >= limit:
            continue
        # Conditional on the very run we looked at, in case it finished meanwhile.
        lost = JobState.objects.filter(
            pk=state.pk, last_outcome=Outcome.RUNNING, last_started_at=state.last_started_at
        ).update(
            last_outcome=Outcome.FAILED,
            last_error=_("No news of this run after %(timeout)s: its worker probably stopped.")
            % {"timeout": describe_interval(job.stale_after)},
        )
        if lost:
            logger.warning("periodic job run lost", extra={"job": state.pk})
            expired.append(state.pk)
    return expired


# --- running -----------------------------------------------------------------------------


def run_job(job_id: str) -> str:
    """Run the job ``job_id`` now, recording its start and outcome in its `JobState`.

    Returns the outcome ("success", "failed"), "skipped" when a run of the same job is still
    going, or "unknown" when no job has this id any more (its plugin was uninstalled after the
    run was queued). The job's work runs in its own transaction (unless the job was registered
    with ``atomic=False``: it then commits as it goes); its state updates are separate
    transactions, so a failing job rolls back its own work and still leaves a "failed" record.
    It never raises for a job's error: the worker goes on with its next task.
    """
    job = periodic_jobs.get(job_id)
    if job is None:
        logger.warning("periodic job unknown, run dropped", extra={"job": job_id})
        return "unknown"
    started = timezone.now()
    if not _mark_running(job, started):
        logger.info("periodic job still running, run skipped", extra={"job": job_id})
        return "skipped"
    logger.info("periodic job started", extra={"job": job_id})
    clock = time.monotonic()
    try:
        if job.atomic:
            with transaction.atomic():
                job(started)
        else:
            job(started)
    except Exception as exc:
        _record_finish(job, started, clock, Outcome.FAILED, error_line(exc))
        logger.exception("periodic job failed", extra={"job": job_id})
        return Outcome.FAILED.value
    except BaseException:
        # Interrupted (worker stopped hard): keep a trace, then let the interruption through.
        _record_finish(job, started, clock, Outcome.FAILED, _("Interrupted."))
        raise
    _record_finish(job, started, clock, Outcome.SUCCESS, "")
    return Outcome.SUCCESS.value


def _mark_running(job: PeriodicJob, started: datetime) -> bool:
    """Mark the job running unless a live run holds it; one conditional UPDATE decides."""
    ensure_states(started)
    with transaction.atomic():
        return (
            JobState.objects.filter(pk=job.id)
            .filter(
                ~Q(last_outcome=Outcome.RUNNING)
                | Q(last_started_at__isnull=True)
                | Q(last_started_at__lt=started - job.stale_after)
            )
            .update(last_outcome=Outcome.RUNNING, last_started_at=started)
            == 1
        )


def _record_finish(
    job: PeriodicJob, started: datetime, clock: float, outcome: Outcome, error: str
) -> None:
    finished = timezone.now()
    duration = timedelta(seconds=time.monotonic() - clock)
    with transaction.atomic():
        # Only the run that is still the latest one writes: a run given up as lost that ends
        # late must not overwrite the run that replaced it.
        JobState.objects.filter(pk=job.id, last_started_at=started).update(
            last_outcome=outcome,
            last_finished_at=finished,
            last_duration=duration,
            last_error=error[:ERROR_MAX_LENGTH],
            run_count=F("run_count") + 1,
        )
    logger.info(
        "periodic job finished",
        extra={"job": job.id, "outcome": outcome.value, "duration_ms": round(duration / _MS)},
    )


_MS = timedelta(milliseconds=1)


def error_line(exc: BaseException) -> str:
    """The last line of the exception's traceback, e.g. ``ValueError: no such thing``."""
    return traceback.format_exception_only(exc)[-1].strip()


# --- back office -------------------------------------------------------------------------


@dataclass(frozen=True)
class JobRow:
    """A registered job and its state (None before the scheduler's first pass), for listing."""

    job: PeriodicJob
    state: JobState | None

    @property
    def enabled(self) -> bool:
        return self.state is None or self.state.enabled

    @property
    def interval(self) -> str:
        return describe_interval(self.job.every)

    @property
    def owner(self) -> str:
        """The plugin's name, or "Lutetia" for the core's jobs."""
        if self.job.plugin is None:
            return _("Lutetia (core)")
        plugin = get_plugin(self.job.plugin)
        return str(plugin.verbose_name) if plugin else self.job.plugin

    @property
    def duration_seconds(self) -> float | None:
        if self.state is None or self.state.last_duration is None:
            return None
        return self.state.last_duration.total_seconds()


def job_rows() -> list[JobRow]:
    """Every registered job with its state, by name."""
    states = JobState.objects.in_bulk(list(periodic_jobs))
    rows = [JobRow(job, states.get(job_id)) for job_id, job in periodic_jobs.items()]
    return sorted(rows, key=lambda row: str(row.job.verbose_name).casefold())


def run_now(job_id: str) -> TaskResult:
    """Enqueue a run of ``job_id`` at once, outside its schedule (its next due time stays)."""
    from lutetia import audit

    job = get_job(job_id)
    ensure_states()
    result = _enqueue(job, reason="run now")
    audit.record(None, "jobs.run_now", ("job", job.id, str(job.verbose_name)), category="admin")
    return result


def set_job_enabled(job_id: str, enabled: bool) -> PeriodicJob:
    """Pause (``enabled=False``) or resume a job; a resumed job overdue runs at the next pass."""
    job = get_job(job_id)
    ensure_states()
    from lutetia import audit

    with transaction.atomic():
        JobState.objects.filter(pk=job.id).update(enabled=enabled)
        audit.record(
            None,
            "jobs.resumed" if enabled else "jobs.paused",
            ("job", job.id, str(job.verbose_name)),
            category="admin",
        )
    logger.info(
        "periodic job paused" if not enabled else "periodic job resumed", extra={"job": job_id}
    )
    return job


def describe_interval(interval: timedelta) -> str:
    """An interval in words, in the active language: "1 hour, 30 minutes", "45 seconds"."""
    if interval < timedelta(minutes=1):
        seconds = int(interval.total_seconds())
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    start = datetime(2000, 1, 1, tzinfo=UTC)
    return timesince(start, start + interval, depth=2)
