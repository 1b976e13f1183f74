"""The workflow engine's cost: agents' actions/s, the timed sweep over many waiting resources,
the sweep's query plan, and the history panels of a resource with a long history.

    python bench/workflow.py [--actions 2000] [--waiting 100000] [--due 10000] [--history 200]

Uses a throw-away SQLite database in a temporary folder, or the PostgreSQL database named by
DATABASE_URL if set (its tables are migrated, and cases are added to it: give it an empty
database). One workflow processing contact messages is designed, published and bound as an
administrator would (`services.publish`, `services.bind`). In the same run, it measures:

1. agents' actions: ``engine.perform(case, "handle", agent, revision=..., data=...)`` one after
   the other on distinct cases, each its own transaction, the action having two tasks
   (``comment`` and ``notify_citizen`` by e-mail, or ``assign`` to the agent when
   ``lutetia.notify`` is not installed); against the bare SQL an action needs, written with
   Django's cursor on as many other cases (conditional UPDATE of the case on its revision,
   INSERT of its history row, INSERT of one outbox row when notify exists, commit). Tasks are
   queued in the database as in production (the e-mail is queued, not sent, by the action);
   the baseline leaves out the queued task row and the access-log entry the engine writes.
   Alternating blocks of 100 so drift hits both alike; actions/s and the ratio.
2. the timed sweep: ``--waiting`` open cases (bulk-created with their contact messages), of
   which ``--due`` waited past "close after 30 days" (an ``archive`` task); ``run_timed(now)``
   in cases/s, against one UPDATE closing the same rows (rolled back: the ceiling), and the
   time of the candidate query alone (its first page as the sweep reads it, and all its ids).
3. the sweep's query plan (``engine.sweep_page``, first and a later page, with the sweep's
   LIMIT), after ANALYZE: whether it uses the index ``workflow_case_sweep``.
4. a case with ``--history`` history entries (actions, outcomes, comments, tasks): the agents'
   panel (``admin_views.render_case_panel``) and the citizen's status panel (the
   ``public_panels`` receiver), median of 50 renders and SQL queries per render.

Goals (workflow issue): a history panel renders in under 50 ms; the sweep uses its index.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = 100
WARM_UP = 20
BATCH = 5000
RENDERS = 50
SWEEP_INDEX = "workflow_case_sweep"
RENDER_GOAL_MS = 50.0
DAY = timedelta(days=1)


def setup(tmp: Path) -> str:
    for key in [k for k in os.environ if k.startswith("LUTETIA_")]:
        del os.environ[key]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "lutetia.settings",
            "LUTETIA_DATA_DIR": str(tmp / "var"),
            "LUTETIA_SECRET_KEY": secrets.token_urlsafe(50),
            "LUTETIA_ALLOWED_HOSTS": "testserver,localhost",
            "LUTETIA_LOG_LEVEL": "info",
            "LUTETIA_LOG_FORMAT": "json",
            "LUTETIA_EMAIL_URL": "console://",
            # As in production: messages are queued in the database for `lutetia worker`, so an
            # action pays for queueing its e-mail, not for sending it.
            "LUTETIA_TASK_BACKEND": "database",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The JSON lines (the audit's, the workflow's, Django's) go to a file, as to a collector.
    log_file = (tmp / "log.jsonl").open("w")
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(log_file)
    call_command("migrate", verbosity=0, interactive=False)
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def notify_available() -> tuple[bool, str]:
    """Whether ``notify_citizen`` can run: ``lutetia.notify.email`` exists and its app (its
    outbox) is installed; else why not."""
    from django.apps import apps

    try:
        from lutetia import notify
    except ImportError:
        return False, "lutetia.notify is not installed"
    if not callable(getattr(notify, "email", None)):
        return False, "lutetia.notify has no email() yet"
    if not any(c.name.startswith("lutetia.notify") for c in apps.get_app_configs()):
        return False, "lutetia.notify is not in INSTALLED_APPS"
    return True, ""


# --- the workflow, the people ----------------------------------------------------------------


def definition(with_notify: bool) -> dict:
    """A town hall's handling of messages: agents handle them, the unanswered close after 30
    days."""
    if with_notify:
        second = {
            "type": "notify_citizen",
            "config": {
                "channels": ["email"],
                "subject": "Your message {{ reference }}",
                "body": "Hello,\n\n{{ comment }}\n\nYour message is now: {{ state }}.\n"
                "{{ site_name }}",
            },
        }
    else:
        second = {"type": "assign", "config": {"mode": "actor"}}
    return {
        "format": 1,
        "states": [
            {"key": "received", "name": "Received", "public_label": "Received", "initial": True},
            {"key": "in_progress", "name": "In progress", "public_label": "Being handled"},
            {"key": "answered", "name": "Answered", "public_label": "Answered", "final": True},
            {"key": "closed", "name": "Closed", "public_label": "Closed", "final": True},
        ],
        "actions": [
            {
                "key": "handle",
                "name": "Handle and tell the citizen",
                "sources": ["received", "in_progress"],
                "target": "in_progress",
                "tasks": [
                    {"type": "comment", "config": {"visible_to_citizen": True, "required": True}},
                    second,
                ],
            },
            {
                "key": "note",
                "name": "Internal note",
                "sources": ["received", "in_progress"],
                "target": "in_progress",
                "public": False,
                "tasks": [
                    {"type": "comment", "config": {"visible_to_citizen": False, "required": True}}
                ],
            },
            {
                "key": "answer",
                "name": "Answer",
                "sources": ["in_progress"],
                "target": "answered",
                "tasks": [
                    {"type": "comment", "config": {"visible_to_citizen": True, "required": True}},
                    {"type": "set_field", "config": {"field": "status", "value": "answered"}},
                ],
            },
            {
                "key": "close_silent",
                "name": "Close unanswered",
                "sources": ["received"],
                "target": "closed",
                "trigger": "timed",
                "delay_minutes": 30 * 24 * 60,
                "tasks": [{"type": "archive", "config": {}}],
            },
            {
                "key": "withdraw",
                "name": "Withdraw my message",
                "sources": ["received", "in_progress"],
                "target": "closed",
                "trigger": "citizen",
            },
        ],
    }


def fixtures(with_notify: bool) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from lutetia_contact.models import ContactSettings, ContactTopic
    from lutetia_workflow import services
    from lutetia_workflow.models import Workflow
    from wagtail.models import Site

    from lutetia.accounts import services as accounts
    from lutetia.accounts.models import Workgroup

    site = Site.objects.get(is_default_site=True)
    workgroup = Workgroup.objects.create(name="Town hall, 11th district", code="mairie-11")
    admin = accounts.create_user(
        "admin@example.org", None, first_name="Ada", last_name="Admin", is_staff=True
    )
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    rights = [
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="workflow", codename="process_case"),
    ]
    agents = []
    for n, (first, last) in enumerate(
        [("Alex", "Agent"), ("Bea", "Bureau"), ("Chris", "Clerc"), ("Dana", "Dossier")]
    ):
        user = accounts.create_user(
            f"agent{n}@example.org", None, first_name=first, last_name=last, is_staff=True
        )
        user.user_permissions.add(*rights)
        workgroup.members.add(user)
        agents.append(get_user_model().objects.get(pk=user.pk))
    citizen = accounts.create_user("camille@example.org", None, first_name="Camille")
    topic = ContactTopic.objects.create(
        settings=ContactSettings.for_site(site), label="Roads", workgroup=workgroup
    )
    flow = Workflow.objects.create(name="Messages to the town hall", draft=definition(with_notify))
    version = services.publish(flow, admin)
    services.bind("contact.message", "", flow, admin)
    return {
        "site": site,
        "workgroup": workgroup,
        "agents": agents,
        "citizen": citizen,
        "topic": topic,
        "version": version,
    }


def bulk_cases(fx: dict, entered: list, state: str = "received") -> list[int]:
    """Contact messages and their open cases, ``len(entered)`` of each, in batches; case ids."""
    from django.db import transaction
    from django.utils import timezone
    from lutetia_contact.models import ContactMessage
    from lutetia_workflow.models import Case

    ids: list[int] = []
    year = timezone.localtime().year
    with transaction.atomic():
        for start in range(0, len(entered), BATCH):
            chunk = entered[start : start + BATCH]
            messages = ContactMessage.objects.bulk_create(
                ContactMessage(
                    site=fx["site"],
                    topic=fx["topic"],
                    workgroup=fx["workgroup"],
                    name=f"Citizen {start + n}",
                    email=f"citizen{start + n}@example.org",
                    subject="Roads",
                    message="A pothole in rue Oberkampf, in front of number 12. " * 3,
                )
                for n in range(len(chunk))
            )
            cases = Case.objects.bulk_create(
                Case(
                    resource_type="contact.message",
                    resource_id=str(message.pk),
                    version=fx["version"],
                    state=state,
                    entered_at=at,
                    site=fx["site"],
                    workgroup=fx["workgroup"],
                    reference=f"CT-{year}-{message.pk:06d}",
                    title="Roads",
                )
                for message, at in zip(messages, chunk, strict=True)
            )
            ids.extend(case.pk for case in cases)
    return ids


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- 1. agents' actions ----------------------------------------------------------------------


def load_cases(ids: list[int]) -> list:
    """The cases as the back office holds them when the agent clicks (loaded before timing)."""
    from lutetia_workflow.models import Case

    by_id = Case.objects.select_related("version", "site").in_bulk(ids)
    return [by_id[pk] for pk in ids]


def engine_action(case, agent, n: int) -> None:
    from lutetia_workflow import engine

    engine.perform(
        case,
        "handle",
        agent,
        revision=case.revision,
        data={"task0-comment": f"The roads team repairs it on Monday (n° {n})."},
    )


class Baseline:
    """The SQL an action cannot do without, written directly (Django's cursor, no ORM)."""

    def __init__(self, fx: dict, with_notify: bool) -> None:
        from django.db import connection
        from lutetia_workflow.models import Case, HistoryEntry

        quote = connection.ops.quote_name
        self.connection = connection
        self.with_notify = with_notify
        jsonb = "::jsonb" if connection.vendor == "postgresql" else ""
        self.update = (
            f"UPDATE {quote(Case._meta.db_table)} SET revision = revision + 1, "  # noqa: S608
            "state = %s, entered_at = %s, updated_at = %s, assignee_id = %s "
            "WHERE id = %s AND revision = %s AND state IN (%s, %s) AND closed_at IS NULL"
        )
        columns = [
            "case_id",
            "at",
            "actor_id",
            "actor_name",
            "trigger",
            "action",
            "action_name",
            "from_state",
            "to_state",
            "outcome",
            "public",
            "comment",
            "comment_public",
            "tasks",
            "error",
        ]
        values = ["%s"] * len(columns)
        values[columns.index("tasks")] = f"%s{jsonb}"
        self.insert = (
            f"INSERT INTO {quote(HistoryEntry._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(values)})"
        )
        self.outbox = outbox_sql(connection) if with_notify else None

    def action(self, case, agent, n: int) -> None:
        from django.db import transaction
        from django.utils import timezone

        now = timezone.now()
        comment = f"The roads team repairs it on Monday (n° {n})."
        tasks = json.dumps(
            [
                {"type": "comment", "label": "Agent comment", "summary": "Comment written."},
                {"type": "assign", "label": "Assign", "summary": "Assigned to Alex Agent."},
            ]
        )
        adapt = self.connection.ops.adapt_datetimefield_value
        with transaction.atomic(), self.connection.cursor() as cursor:
            cursor.execute(
                self.update,
                [
                    "in_progress",
                    adapt(now),
                    adapt(now),
                    agent.pk,
                    case.pk,
                    case.revision,
                    "received",
                    "in_progress",
                ],
            )
            if cursor.rowcount != 1:
                raise SystemExit(f"baseline: case {case.pk} was not claimed")
            cursor.execute(
                self.insert,
                [
                    case.pk,
                    adapt(now),
                    agent.pk,
                    "Alex Agent",
                    "manual",
                    "handle",
                    "Handle and tell the citizen",
                    case.state,
                    "in_progress",
                    "done",
                    True,
                    comment,
                    True,
                    tasks,
                    "",
                ],
            )
            if self.outbox is not None:
                sql, params = self.outbox(case, comment)
                cursor.execute(sql, params)


def outbox_sql(connection):
    """The outbox row ``lutetia.notify.email`` writes: one INSERT, nothing else."""
    from lutetia.notify.models import OutboxMessage

    quote = connection.ops.quote_name
    columns = [
        "channel",
        "recipient",
        "subject",
        "body",
        "data",
        "source",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "last_error",
    ]
    sql = (
        f"INSERT INTO {quote(OutboxMessage._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    )

    def build(case, comment):
        now = connection.ops.adapt_datetimefield_value(case.entered_at)
        values = [
            "email",
            json.dumps(["citizen@example.org"]),
            f"Your message {case.reference}",
            comment,
            json.dumps({}),
            f"workflow:case:{case.pk}",
            "pending",
            0,
            now,
            now,
            "",
        ]
        return sql, values

    return build


def statements(queries: list[dict]) -> Counter:
    """SQL statements by kind: ``UPDATE workflow_case``, ``INSERT lutetia_audit...``."""
    kinds: Counter = Counter()
    for query in queries:
        sql = query["sql"].strip()
        verb = sql.split(None, 1)[0].upper()
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?([\w]+)"?', sql, re.IGNORECASE)
        if verb == "SELECT" and "lutetia_audit_append" in sql:
            kinds["SELECT lutetia_audit_append()"] += 1
        else:
            kinds[f"{verb} {table.group(1) if table else ''}".strip()] += 1
    return kinds


def bench_actions(fx: dict, count: int, with_notify: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from lutetia_workflow.models import Case

    agent = fx["agents"][0]
    now = timezone.now()
    blocks = max(1, count // BLOCK)
    total = blocks * BLOCK
    ids = bulk_cases(fx, [now] * (2 * total + 2 * WARM_UP + 2))
    engine_cases = load_cases(ids[:total])
    base_cases = load_cases(ids[total : 2 * total])
    warm = load_cases(ids[2 * total :])
    baseline = Baseline(fx, with_notify)

    # Warm up both paths (and count what one action sends to the database).
    for n, case in enumerate(warm[: WARM_UP + 1]):
        if n == WARM_UP:
            with CaptureQueriesContext(connection) as engine_queries:
                engine_action(case, agent, n)
        else:
            engine_action(case, agent, n)
    for n, case in enumerate(warm[WARM_UP + 1 :]):
        if n == WARM_UP:
            with CaptureQueriesContext(connection) as base_queries:
                baseline.action(case, agent, n)
        else:
            baseline.action(case, agent, n)

    elapsed = {"engine": 0.0, "baseline": 0.0}
    for block in range(blocks):
        for name, cases, act in (
            ("engine", engine_cases, engine_action),
            ("baseline", base_cases, baseline.action),
        ):
            chunk = cases[block * BLOCK : (block + 1) * BLOCK]
            started = time.perf_counter()
            for n, case in enumerate(chunk):
                act(case, agent, n)
            elapsed[name] += time.perf_counter() - started

    done = Case.objects.filter(pk__in=ids[:total], state="in_progress", revision=2).count()
    if done != total:
        raise SystemExit(f"engine: {done} of {total} actions applied")
    done = Case.objects.filter(pk__in=ids[total : 2 * total], state="in_progress").count()
    if done != total:
        raise SystemExit(f"baseline: {done} of {total} actions applied")
    return {
        "count": total,
        "engine": total / elapsed["engine"],
        "baseline": total / elapsed["baseline"],
        "engine_sql": statements(engine_queries.captured_queries),
        "baseline_sql": statements(base_queries.captured_queries),
    }


# --- 2. and 3. the timed sweep ---------------------------------------------------------------


def bench_sweep(fx: dict, waiting: int, due: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone
    from lutetia_workflow import definition as wf
    from lutetia_workflow import engine
    from lutetia_workflow.models import Case

    now = timezone.now()
    rng = random.Random(42)
    due = min(due, waiting)
    # Oldest first, as they arrived: 31 to 90 days ago for the due ones, under 29 days for the
    # others (ids follow arrival, as in life).
    entered = sorted(
        [now - timedelta(days=rng.uniform(31, 90)) for _ in range(due)]
        + [now - timedelta(days=rng.uniform(0, 29)) for _ in range(waiting - due)]
    )
    started = time.perf_counter()
    bulk_cases(fx, entered)
    fill_seconds = time.perf_counter() - started
    analyze()

    version = fx["version"]
    action = engine.definition_of(version).action("close_silent")
    assert action.trigger == wf.Trigger.TIMED
    page = engine.sweep_page(version, action, now, None)[:500]
    plan = page.explain()
    # A later page, as the sweep reads it after its first page (keyset on entered_at, pk).
    first = list(engine.due_cases(version, action, now).values_list("entered_at", "pk")[:1])
    later_plan = ""
    if first:
        later = engine.sweep_page(version, action, now, first[0])[:500]
        later_plan = later.explain()

    # The candidate query alone: the sweep's first page (its SQL through the cursor, then as
    # the sweep reads it, cases built), then every due id.
    sql, params = page.query.sql_with_params()
    sql_times, page_times = [], []
    for _ in range(7):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
        sql_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        rows = list(engine.sweep_page(version, action, now, None)[:500])
        page_times.append(time.perf_counter() - started)
    if len(rows) != min(500, due):
        raise SystemExit(f"the first page holds {len(rows)} cases, not {min(500, due)}")
    started = time.perf_counter()
    due_ids = list(engine.due_cases(version, action, now).values_list("pk", flat=True))
    all_ids_seconds = time.perf_counter() - started
    if len(due_ids) != due:
        raise SystemExit(f"{len(due_ids)} cases due, not {due}")

    # The ceiling: one UPDATE closing the same rows (rolled back, so the sweep finds them).
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"UPDATE {quote(Case._meta.db_table)} SET state = %s, closed_at = %s, "  # noqa: S608
        "revision = revision + 1, updated_at = %s "
        "WHERE version_id = %s AND state = %s AND entered_at <= %s AND closed_at IS NULL"
    )
    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    "closed",
                    adapt(now),
                    adapt(now),
                    version.pk,
                    "received",
                    adapt(now - timedelta(minutes=action.delay_minutes)),
                ],
            )
            updated = cursor.rowcount
        ceiling_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    if updated != due:
        raise SystemExit(f"the ceiling UPDATE closed {updated} cases, not {due}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {quote(Case._meta.db_table)}")

    started = time.perf_counter()
    report = engine.run_timed(now)
    sweep_seconds = time.perf_counter() - started
    closed = Case.objects.filter(pk__in=due_ids, state="closed", closed_at__isnull=False).count()
    if report.applied != due or closed != due:
        raise SystemExit(
            f"run_timed: {report.applied} applied, {report.skipped} skipped, "
            f"{report.failed} failed, {closed} closed; {due} were due"
        )
    still_open = Case.objects.filter(
        version=version, state="received", closed_at__isnull=True
    ).count()
    return {
        "waiting": waiting,
        "due": due,
        "fill_seconds": fill_seconds,
        "plan": plan,
        "later_plan": later_plan,
        "page_ms": statistics.median(page_times) * 1000,
        "page_sql_ms": statistics.median(sql_times) * 1000,
        "all_ids_ms": all_ids_seconds * 1000,
        "ceiling_seconds": ceiling_seconds,
        "sweep_seconds": sweep_seconds,
        "report": report,
        "still_open": still_open,
    }


# --- 4. a long history -----------------------------------------------------------------------


def long_history(fx: dict, entries: int):
    """A message sent as a citizen does (its case starts), then ``entries`` history entries."""
    from django.utils import timezone
    from lutetia_contact import services as contact
    from lutetia_workflow.models import Case, HistoryEntry

    citizen = fx["citizen"]
    message = contact.send(
        fx["site"],
        contact.Submission(
            name="Camille",
            email=citizen.email,
            topic=fx["topic"],
            message="The street light in front of number 12 has been out for weeks.",
        ),
        owner=citizen,
    )
    case = Case.objects.get(resource_type="contact.message", resource_id=str(message.pk))
    rng = random.Random(7)
    agents = fx["agents"]
    at = timezone.now() - timedelta(days=400)
    assign = {"type": "assign", "label": "Assign", "public": False, "ok": True}
    comment_task = {"type": "comment", "label": "Agent comment", "public": False, "ok": True}
    notify = {"type": "notify_citizen", "label": "Notify the citizen", "public": True, "ok": True}
    batch = []
    state = "received"
    for n in range(max(0, entries - 1)):  # the case's "started" entry is the first
        at += timedelta(hours=rng.uniform(1, 40))
        agent = rng.choice(agents)
        name = agent.get_full_name()
        kind = n % 6
        fields = {
            "case": case,
            "at": at,
            "actor": agent,
            "actor_name": name,
            "trigger": "manual",
            "from_state": state,
            "to_state": "in_progress",
            "outcome": HistoryEntry.Outcome.DONE,
        }
        if kind == 0:
            fields.update(
                action="handle",
                action_name="Handle and tell the citizen",
                public=True,
                comment=f"We asked the lighting contractor to come by (visit {n}).\nThank you.",
                comment_public=True,
                tasks=[
                    {**comment_task, "summary": "Comment written."},
                    {**notify, "summary": f"Citizen notified (e-mail): Your message {n}"},
                ],
            )
        elif kind in (1, 4):
            fields.update(
                action="note",
                action_name="Internal note",
                comment=f"Called the contractor, ticket {1000 + n}. " * rng.randint(1, 4),
                tasks=[{**comment_task, "summary": "Comment written."}],
            )
        elif kind == 2:
            fields.update(
                action="handle",
                action_name="Handle and tell the citizen",
                outcome=HistoryEntry.Outcome.FAILED,
                to_state=state,
                error="The task “Notify the citizen” failed: the mail server did not answer.",
                tasks=[
                    {**comment_task, "summary": "Comment written."},
                    {**notify, "summary": "The mail server did not answer.", "ok": False},
                ],
            )
        elif kind == 3:
            fields.update(
                action="take",
                action_name="Take it",
                tasks=[{**assign, "summary": f"Assigned to {name}."}],
            )
        else:
            fields.update(
                actor=None,
                actor_name="Automatic",
                trigger="automatic",
                to_state=state,
                tasks=[{**assign, "summary": "Assigned to the workgroup Town hall."}],
            )
        batch.append(HistoryEntry(**fields))
        state = fields["to_state"]
    HistoryEntry.objects.bulk_create(batch)
    Case.objects.filter(pk=case.pk).update(state=state, entered_at=at, revision=entries)
    return message


def median_render(render) -> tuple[float, int, Counter]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    render()  # warm up: templates compiled, translations loaded
    with CaptureQueriesContext(connection) as queries:
        html = render()
    times = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        render()
        times.append(time.perf_counter() - started)
    shapes = Counter(re.sub(r"\b\d+\b", "N", q["sql"]) for q in queries.captured_queries)
    assert html
    return statistics.median(times) * 1000, len(queries.captured_queries), shapes


def bench_history(fx: dict, entries: int) -> dict:
    from lutetia_workflow import admin_views, engine, receivers
    from lutetia_workflow.models import Case

    from lutetia.resources import type_of

    message = long_history(fx, entries)
    agent = fx["agents"][0]
    # As the case page loads it (admin_views.case_or_404); the agent's rights and workgroups
    # were read by the view's checks before the panel renders.
    case = Case.objects.select_related(
        "version__workflow", "site", "workgroup", "assignee", "owner"
    ).get(resource_type="contact.message", resource_id=str(message.pk))
    count = len(engine.history(case))
    public = len(engine.history(case, public=True))
    assert admin_views.can_process(agent) and engine.can_process(agent, case)
    html = admin_views.render_case_panel(case, agent)
    if html.count("lutetia-workflow-entry") != count:
        raise SystemExit("the agents' panel does not show the whole history")
    agent_ms, agent_queries, agent_shapes = median_render(
        lambda: admin_views.render_case_panel(case, agent)
    )
    resource_type = type_of(message)

    def status():
        [panel] = receivers.status_panel(
            sender=None,
            site=fx["site"],
            resource=message,
            resource_type=resource_type,
            user=fx["citizen"],
            request=None,
        )
        return panel

    citizen_ms, citizen_queries, citizen_shapes = median_render(status)
    return {
        "entries": count,
        "public": public,
        "agent_ms": agent_ms,
        "agent_queries": agent_queries,
        "agent_shapes": agent_shapes,
        "citizen_ms": citizen_ms,
        "citizen_queries": citizen_queries,
        "citizen_shapes": citizen_shapes,
    }


# --- report ----------------------------------------------------------------------------------


def uses_index(plan: str) -> bool:
    return SWEEP_INDEX in plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--waiting", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=None, help="default: a tenth of --waiting")
    parser.add_argument("--history", type=int, default=200)
    args = parser.parse_args()
    due = args.waiting // 10 if args.due is None else args.due
    sys.path.insert(0, str(ROOT / "src"))

    with tempfile.TemporaryDirectory(prefix="lutetia-bench-workflow-") as tmp:
        database = setup(Path(tmp))
        with_notify, no_notify = notify_available()
        fx = fixtures(with_notify)
        actions = bench_actions(fx, args.actions, with_notify)
        sweep = bench_sweep(fx, args.waiting, due)
        history = bench_history(fx, args.history)

    print(f"lutetia workflow: {database}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print()
    print("1. agents' actions, one after the other, each its own transaction")
    if with_notify:
        print("   action 'handle': comment + notify_citizen (e-mail)")
    else:
        print(
            f"   {no_notify}: action 'handle' is comment + assign (to the agent) instead of "
            "comment + notify_citizen; the baseline has no outbox row"
        )
    ratio = actions["engine"] / actions["baseline"]
    print(f"   {actions['count']} each way, blocks of {BLOCK} alternating:")
    print(f"   engine.perform()                    {actions['engine']:9.0f} actions/s")
    print(f"   baseline (bare SQL with a cursor)   {actions['baseline']:9.0f} actions/s")
    print(f"   ratio engine / baseline             {ratio:9.3f}")
    for name in ("engine", "baseline"):
        kinds = actions[f"{name}_sql"]
        detail = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        print(f"   SQL per action, {name}: {sum(kinds.values())} ({detail})")
    print()

    report = sweep["report"]
    rate = report.applied / sweep["sweep_seconds"]
    ceiling = sweep["due"] / sweep["ceiling_seconds"]
    print(f"2. timed sweep: {sweep['waiting']:,} open cases waiting, {sweep['due']:,} due")
    print(f"   (bulk-created with their messages in {sweep['fill_seconds']:.1f} s)")
    print(
        f"   run_timed(now): {report.applied:,} applied, {report.skipped} skipped, "
        f"{report.failed} failed in {sweep['sweep_seconds']:.2f} s: {rate:9.0f} cases/s"
    )
    print(
        f"   ceiling, one UPDATE over the same rows: {sweep['ceiling_seconds'] * 1000:.1f} ms: "
        f"{ceiling:9.0f} cases/s"
    )
    print(f"   ratio run_timed / ceiling: {rate / ceiling:.4f}")
    print(
        f"   candidate query alone, first page of 500 (median of 7): SQL "
        f"{sweep['page_sql_ms']:.2f} ms; as the sweep reads it (cases built): "
        f"{sweep['page_ms']:.2f} ms"
    )
    print(f"   candidate query alone, all {sweep['due']:,} due ids: {sweep['all_ids_ms']:.1f} ms")
    print(f"   still waiting after the sweep: {sweep['still_open']:,}")
    print()

    print("3. the sweep's query: due_cases(version, close_silent, now), first page (LIMIT 500)")
    for line in sweep["plan"].splitlines():
        print(f"   | {line}")
    first_used = uses_index(sweep["plan"])
    print(f"   index used: {'yes' if first_used else 'no'}")
    if sweep["later_plan"]:
        print("   a later page (after the keyset (entered_at, pk) of the previous one):")
        for line in sweep["later_plan"].splitlines():
            print(f"   | {line}")
        print(f"   index used: {'yes' if uses_index(sweep['later_plan']) else 'no'}")
    print()

    print(
        f"4. history: a case with {history['entries']} entries ({history['public']} the citizen "
        f"sees), median of {RENDERS} renders"
    )
    for who in ("agent", "citizen"):
        label = "agents' panel (render_case_panel)" if who == "agent" else "citizen's status panel"
        print(
            f"   {label:36} {history[f'{who}_ms']:7.2f} ms, {history[f'{who}_queries']} SQL queries"
        )
        for shape, n in history[f"{who}_shapes"].most_common():
            if n > 1:
                print(f"      repeated {n} times: {shape[:160]}")
    print()

    render_met = max(history["agent_ms"], history["citizen_ms"]) < RENDER_GOAL_MS
    index_met = first_used and (not sweep["later_plan"] or uses_index(sweep["later_plan"]))
    rows = [
        ("actions/s, engine / bare SQL", f"{actions['engine']:.0f} / {actions['baseline']:.0f}"),
        ("", f"ratio {ratio:.3f}", "-"),
        ("timed sweep cases/s / ceiling", f"{rate:.0f} / {ceiling:.0f}", "-"),
        (
            "sweep candidate page, SQL / ORM",
            f"{sweep['page_sql_ms']:.2f} ms / {sweep['page_ms']:.2f} ms",
            "-",
        ),
        (
            "history render < 50 ms (agent)",
            f"{history['agent_ms']:.2f} ms, {history['agent_queries']} queries",
            "met" if history["agent_ms"] < RENDER_GOAL_MS else "NOT met",
        ),
        (
            "history render < 50 ms (citizen)",
            f"{history['citizen_ms']:.2f} ms, {history['citizen_queries']} queries",
            "met" if history["citizen_ms"] < RENDER_GOAL_MS else "NOT met",
        ),
        (
            f"sweep uses {SWEEP_INDEX}",
            "yes" if index_met else "no",
            "met" if index_met else "NOT met",
        ),
    ]
    print("summary")
    print(f"   {'measure':34} {'figure':34} goal")
    for row in rows:
        name, figure, *goal = row
        print(f"   {name:34} {figure:34} {goal[0] if goal else '-'}")
    print(f"goal: history render < 50 ms: {'met' if render_met else 'NOT met'}")
    print(f"goal: sweep index used: {'met' if index_met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
