"""Periodic jobs: the registry, the scheduler's claim, runs and their record, the back office."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from lutetia.jobs import services
from lutetia.jobs.models import JobState, Outcome
from lutetia.jobs.registry import periodic_job, periodic_jobs
from lutetia.plugins import set_enabled

HOUR = timedelta(hours=1)


@pytest.fixture
def register_job():
    """Register test jobs (they belong to the core); they are removed after the test."""
    added = []

    def register(job_id, function, every=HOUR, **options):
        periodic_job(job_id, every=every, verbose_name=f"Test job {job_id}", **options)(function)
        added.append(job_id)
        return periodic_jobs[job_id]

    yield register
    for job_id in added:
        periodic_jobs.unregister(job_id)


@pytest.fixture
def calls():
    return []


@pytest.fixture
def counting_job(register_job, calls):
    return register_job("test.counting", lambda now: calls.append(now))


@pytest.fixture
def dummy_runs():
    from lutetia_dummy import jobs

    jobs.runs.clear()
    yield jobs.runs
    jobs.runs.clear()


def due(job, when=None):
    """Make ``job`` due (or due at ``when``) as if the scheduler had already seen it."""
    JobState.objects.update_or_create(
        pk=job.id, defaults={"next_run_at": when or timezone.now() - timedelta(seconds=1)}
    )


# --- registry ----------------------------------------------------------------------------


def test_the_registry_refuses_a_second_job_with_the_same_id(register_job):
    register_job("test.twice", lambda: None)
    with pytest.raises(ImproperlyConfigured, match="already taken"):
        periodic_job("test.twice", every=HOUR, verbose_name="Again")(lambda: None)


def test_a_job_must_take_no_argument_or_only_now(register_job):
    with pytest.raises(ImproperlyConfigured, match="no argument or only `now`"):
        register_job("test.bad_signature", lambda site: None)
    with pytest.raises(ImproperlyConfigured, match="every must be positive"):
        register_job("test.never", lambda: None, every=timedelta(0))
    assert "test.bad_signature" not in periodic_jobs


def test_the_dummy_plugins_job_belongs_to_the_dummy_plugin():
    job = periodic_jobs["dummy.count_things"]
    assert job.plugin == "dummy"
    assert job.takes_now
    assert periodic_jobs["core.prune_task_results"].plugin is None


# --- scheduling and running --------------------------------------------------------------


@pytest.mark.django_db
def test_the_scheduler_runs_a_due_job_once_and_records_its_success(counting_job, calls):
    before = timezone.now()
    out = StringIO()
    with translation.override("en"):
        call_command("scheduler", "--once", stdout=out)
    assert "periodic jobs enqueued" in out.getvalue()

    assert len(calls) == 1
    state = JobState.objects.get(pk="test.counting")
    assert state.last_outcome == Outcome.SUCCESS
    assert state.run_count == 1
    assert state.last_error == ""
    assert state.last_started_at >= before
    assert state.last_finished_at >= state.last_started_at
    assert state.last_duration is not None
    assert before + HOUR <= state.next_run_at <= timezone.now() + HOUR

    call_command("scheduler", "--once", verbosity=0)
    assert len(calls) == 1  # not due again before an hour


@pytest.mark.django_db
def test_a_plugins_due_job_runs_through_the_scheduler(default_site, dummy_runs):
    call_command("scheduler", "--once", verbosity=0)
    assert len(dummy_runs) == 1
    assert JobState.objects.get(pk="dummy.count_things").last_outcome == Outcome.SUCCESS


@pytest.mark.django_db
def test_a_failing_job_records_its_error_and_the_next_job_still_runs(register_job, calls):
    from lutetia_dummy.models import Thing

    def fail():
        Thing.objects.create(name="half-written")
        raise ValueError("the river is frozen")

    register_job("test.failing", fail)
    register_job("test.after", lambda: calls.append("after"))
    call_command("scheduler", "--once", verbosity=0)

    failed = JobState.objects.get(pk="test.failing")
    assert failed.last_outcome == Outcome.FAILED
    assert failed.last_error == "ValueError: the river is frozen"
    assert failed.run_count == 1
    assert not Thing.objects.exists()  # the job's own work was rolled back
    assert calls == ["after"]
    assert JobState.objects.get(pk="test.after").last_outcome == Outcome.SUCCESS


@pytest.mark.django_db
def test_a_job_not_due_is_not_run(counting_job, calls):
    due(counting_job, timezone.now() + timedelta(minutes=5))
    call_command("scheduler", "--once", verbosity=0)
    assert calls == []
    assert JobState.objects.get(pk="test.counting").last_outcome == Outcome.NEVER


@pytest.mark.django_db
def test_a_paused_job_is_not_run_until_resumed(counting_job, calls):
    services.set_job_enabled("test.counting", False)
    call_command("scheduler", "--once", verbosity=0)
    assert calls == []

    services.set_job_enabled("test.counting", True)
    call_command("scheduler", "--once", verbosity=0)
    assert len(calls) == 1


@pytest.mark.django_db
def test_a_job_of_a_plugin_switched_off_everywhere_waits_for_it(default_site, dummy_runs):
    set_enabled(default_site, "dummy", False)
    call_command("scheduler", "--once", verbosity=0)
    assert dummy_runs == []
    state = JobState.objects.get(pk="dummy.count_things")
    assert state.next_run_at <= timezone.now()  # still due

    set_enabled(default_site, "dummy", True)
    call_command("scheduler", "--once", verbosity=0)
    assert len(dummy_runs) == 1


@pytest.mark.django_db
def test_only_one_of_two_claims_on_the_same_due_time_wins(counting_job):
    now = timezone.now()
    due(counting_job, now - timedelta(seconds=1))

    assert services.claim_job("test.counting", now) is True
    assert services.claim_job("test.counting", now) is False
    assert services.claim_job("test.counting", now + HOUR - timedelta(seconds=1)) is False
    assert services.claim_job("test.counting", now + HOUR) is True


@pytest.mark.django_db
def test_a_job_still_running_is_not_started_twice(counting_job, calls):
    JobState.objects.create(
        pk="test.counting",
        next_run_at=timezone.now(),
        last_outcome=Outcome.RUNNING,
        last_started_at=timezone.now() - timedelta(minutes=1),
    )
    assert services.run_job("test.counting") == "skipped"
    assert calls == []


@pytest.mark.django_db
def test_a_run_silent_past_its_timeout_is_recorded_as_lost(register_job, calls):
    register_job("test.slow", lambda: calls.append("ran"), timeout=timedelta(minutes=10))
    JobState.objects.create(
        pk="test.slow",
        next_run_at=timezone.now() + HOUR,
        last_outcome=Outcome.RUNNING,
        last_started_at=timezone.now() - timedelta(minutes=11),
    )
    assert services.expire_lost_runs() == ["test.slow"]
    state = JobState.objects.get(pk="test.slow")
    assert state.last_outcome == Outcome.FAILED
    assert "10\xa0minutes" in state.last_error

    assert services.run_job("test.slow") == "success"
    assert calls == ["ran"]


@pytest.mark.django_db
def test_a_run_queued_for_a_job_gone_since_is_dropped_quietly():
    assert services.run_job("test.uninstalled") == "unknown"
    assert not JobState.objects.filter(pk="test.uninstalled").exists()


@pytest.mark.django_db
def test_runs_are_logged_with_the_job_id(counting_job, caplog):
    caplog.set_level("INFO", logger="lutetia.jobs")
    services.run_job("test.counting")
    finished = [r for r in caplog.records if r.getMessage() == "periodic job finished"]
    assert finished[0].job == "test.counting"
    assert finished[0].outcome == "success"


def test_intervals_read_as_words():
    with translation.override("en"):
        assert services.describe_interval(timedelta(seconds=30)) == "30 seconds"
        assert (
            services.describe_interval(timedelta(hours=1, minutes=30)) == "1\xa0hour, 30\xa0minutes"
        )
    with translation.override("fr"):
        assert services.describe_interval(timedelta(days=1)) == "1\xa0jour"


# --- several schedulers at once (PostgreSQL) ---------------------------------------------


#: Committed writes, so each thread's own connection sees them. Only the jobs app is "available":
#: afterwards only its table is emptied, not the pages and content types later modules rely on.
concurrent = pytest.mark.django_db(transaction=True, available_apps=["lutetia.jobs"])


def _in_threads(count, target):
    """Run ``target()`` in ``count`` threads released together; each closes its connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.postgres
@concurrent
def test_concurrent_schedulers_claim_a_due_job_exactly_once(counting_job):
    now = timezone.now()
    due(counting_job, now - timedelta(seconds=1))

    claims = _in_threads(8, lambda: services.claim_job("test.counting", now))

    assert sorted(claims) == [False] * 7 + [True]
    assert JobState.objects.get(pk="test.counting").next_run_at == now + HOUR


@pytest.mark.postgres
@concurrent
def test_concurrent_scheduler_passes_run_a_due_job_exactly_once(register_job):
    runs = []
    lock = threading.Lock()

    def count():
        with lock:
            runs.append(1)

    job = register_job("test.once", count)
    due(job)

    passes = _in_threads(6, services.schedule_due_jobs)

    assert len(runs) == 1
    assert sum("test.once" in enqueued for enqueued in passes) == 1
    state = JobState.objects.get(pk="test.once")
    assert state.run_count == 1
    assert state.last_outcome == Outcome.SUCCESS


# --- commands ----------------------------------------------------------------------------


def test_the_worker_explains_there_is_nothing_to_do_with_the_immediate_backend():
    with pytest.raises(CommandError, match="immediate") as raised:
        call_command("worker")
    assert "LUTETIA_TASK_BACKEND=database" in str(raised.value)


@pytest.mark.django_db
def test_the_worker_runs_queued_periodic_jobs_with_the_database_backend(
    settings, monkeypatch, counting_job, calls
):
    # The worker drops connections between tasks; inside the test's transaction that would
    # lose it (and a transactional test would empty the database for the suite's later tests).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    # Changing TASKS resets django-tasks' backends (its setting_changed receiver).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert "test.counting" in services.schedule_due_jobs()
    assert calls == []  # queued, not run yet

    call_command("worker", "--batch", verbosity=0)
    assert len(calls) == 1
    assert JobState.objects.get(pk="test.counting").last_outcome == Outcome.SUCCESS


# --- back office -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_site_admin_sees_every_job_in_the_back_office(client, site_admin, counting_job):
    client.force_login(site_admin)
    response = client.get(reverse("lutetia_jobs:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Count the dummy things" in html
    assert "dummy.count_things" in html
    assert "Test job test.counting" in html
    assert reverse("lutetia_jobs:run", args=["test.counting"]) in html

    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("lutetia_jobs:index") in home  # Settings > Periodic jobs


@pytest.mark.django_db
def test_a_citizen_is_sent_to_the_login_page(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("lutetia_jobs:index"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_an_agent_without_the_right_is_turned_away_and_sees_no_menu_item(client, agent):
    client.force_login(agent)
    response = client.get(reverse("lutetia_jobs:index"))
    assert response.status_code == 302
    assert reverse("lutetia_jobs:index") not in response["Location"]

    home = client.get(reverse("wagtailadmin_home"))
    assert reverse("lutetia_jobs:index") not in home.content.decode()


@pytest.mark.django_db
def test_an_agent_allowed_to_view_sees_the_jobs_but_cannot_run_them(
    client, agent, counting_job, calls
):
    agent.user_permissions.add(Permission.objects.get(codename="view_jobstate"))
    client.force_login(agent)
    response = client.get(reverse("lutetia_jobs:index"))
    assert response.status_code == 200
    assert reverse("lutetia_jobs:run", args=["test.counting"]) not in response.content.decode()

    client.post(reverse("lutetia_jobs:run", args=["test.counting"]))
    assert calls == []


@pytest.mark.django_db
def test_run_now_enqueues_the_job_and_records_its_run(client, site_admin, counting_job, calls):
    due(counting_job, timezone.now() + HOUR)
    client.force_login(site_admin)
    response = client.post(reverse("lutetia_jobs:run", args=["test.counting"]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("lutetia_jobs:index")
    # The back office speaks the site's default language, French.
    assert "est mise en file pour s’exécuter maintenant" in response.content.decode()
    assert len(calls) == 1
    state = JobState.objects.get(pk="test.counting")
    assert state.last_outcome == Outcome.SUCCESS
    assert state.next_run_at > timezone.now()  # the schedule stays as it was


@pytest.mark.django_db
def test_run_now_answers_405_to_a_get_and_404_to_an_unknown_job(client, site_admin, counting_job):
    client.force_login(site_admin)
    assert client.get(reverse("lutetia_jobs:run", args=["test.counting"])).status_code == 405
    assert client.post(reverse("lutetia_jobs:run", args=["test.nothing"])).status_code == 404


@pytest.mark.django_db
def test_run_now_is_protected_against_cross_site_requests(site_admin, counting_job, calls):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(site_admin)
    response = client.post(reverse("lutetia_jobs:run", args=["test.counting"]))
    assert response.status_code == 403
    assert calls == []


@pytest.mark.django_db
def test_an_admin_pauses_and_resumes_a_job(
    client, site_admin, counting_job, calls, django_capture_on_commit_callbacks
):
    client.force_login(site_admin)
    with django_capture_on_commit_callbacks(execute=True):  # the access log writes at commit
        response = client.post(reverse("lutetia_jobs:pause", args=["test.counting"]), follow=True)
    assert "est en pause" in response.content.decode()
    assert reverse("lutetia_jobs:resume", args=["test.counting"]) in response.content.decode()
    assert JobState.objects.get(pk="test.counting").enabled is False
    call_command("scheduler", "--once", verbosity=0)
    assert calls == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lutetia_jobs:resume", args=["test.counting"]))
    assert JobState.objects.get(pk="test.counting").enabled is True
    call_command("scheduler", "--once", verbosity=0)
    assert len(calls) == 1
    from lutetia.audit.models import AuditEntry

    logged = AuditEntry.objects.filter(target_type="job").order_by("pk")
    assert [(e.action, e.target_id, e.actor_id) for e in logged] == [
        ("jobs.paused", "test.counting", str(site_admin.pk)),
        ("jobs.resumed", "test.counting", str(site_admin.pk)),
    ]
