"""Availability across many agendas: free places per day of 400 agendas over 12 weeks, the next
free slot of each, and the making of their slots from opening rules.

    python bench/availability.py [--agendas 400] [--weeks 12] [--runs 15]

Uses a throw-away SQLite database in a temporary folder, or the PostgreSQL database named by
DATABASE_URL if set (migrated; give it an empty database). It builds ``--agendas`` agendas (20
services at ``agendas / 20`` locations each; two desks each; a typical week Monday to Friday,
09:00–12:00 and 14:00–17:00, 20-minute slots) with ``opening.apply`` — how long making the
slots takes is the first figure —, books a random third of the places with one UPDATE, runs
ANALYZE, then measures, median and p95 of ``--runs``:

1. ``availability.free_places_by_day`` over every agenda and the ``--weeks`` weeks (one
   grouped query, what a multi-agenda view or a "which day is free" page reads);
2. ``availability.next_free_by_agenda``: the next bookable slot of each agenda (one query, an
   index probe per agenda on ``appt_slot_free``);

against, in the same run, the same grouped query written in SQL and run through the database
cursor (what the ORM and the Python dictionaries add), and a ``SELECT count(*)`` of the same
slots (reading them at all). Goal (issue 7): the availability of 400 agendas over 12 weeks
computed in under 500 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

GOAL_MS = 500.0


def setup(tmp: Path, **environment: str) -> str:
    """Django on a throw-away data folder (and DATABASE_URL's database if set), migrated; the
    ``LUTETIA_*`` values given are added. Returns the database engine's name."""
    for key in [k for k in os.environ if k.startswith("LUTETIA_")]:
        del os.environ[key]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "lutetia.settings",
            "LUTETIA_DATA_DIR": str(tmp / "var"),
            "LUTETIA_SECRET_KEY": secrets.token_urlsafe(50),
            "LUTETIA_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LUTETIA_LOG_LEVEL": "warning",
            **environment,
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def build(agendas: int, weeks: int) -> tuple[list[int], float, int]:
    """The agendas and their slots; returns (agenda ids, seconds spent making slots, slots)."""
    from django.db import connection
    from lutetia_appointments import opening
    from lutetia_appointments.models import (
        Agenda,
        Location,
        Resource,
        Service,
        Slot,
        TimeRange,
        WeekRule,
    )
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True) if Site.objects.exists() else None
    if site is None:
        from wagtail.models import Page

        site = Site.objects.create(
            hostname="localhost", root_page=Page.get_first_root_node(), is_default_site=True
        )
    services = [
        Service.objects.create(
            site=site,
            title=f"Service {n}",
            slug=f"service-{n}",
            enabled=True,
            horizon_days=weeks * 7,
            min_notice_minutes=0,
        )
        for n in range(20)
    ]
    per_service = max(agendas // len(services), 1)
    locations = [
        Location.objects.create(site=site, name=f"Location {n}", address=f"{n} rue de la Paix")
        for n in range(per_service)
    ]
    today = dt.date.today()
    made, seconds = [], 0.0
    for service in services:
        for location in locations:
            agenda = Agenda.objects.create(service=service, location=location)
            Resource.objects.bulk_create(
                [Resource(agenda=agenda, name=f"Desk {d}") for d in (1, 2)]
            )
            week = WeekRule.objects.create(agenda=agenda, starts_on=today)
            TimeRange.objects.bulk_create(
                [
                    TimeRange(rule=week, weekday=day, starts_at=start, ends_at=end, slot_minutes=20)
                    for day in range(5)
                    for start, end in ((dt.time(9), dt.time(12)), (dt.time(14), dt.time(17)))
                ]
            )
            started = time.perf_counter()
            opening.apply(agenda, today, today + dt.timedelta(weeks=weeks) - dt.timedelta(days=1))
            seconds += time.perf_counter() - started
            made.append(agenda.pk)
            if len(made) >= agendas:
                break
        if len(made) >= agendas:
            break
    Slot.objects.filter(agenda_id__in=made).update(booked=0)
    with connection.cursor() as cursor:
        # a third of the places taken, at random
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE appointments_slot SET booked = floor(random() * (capacity + 1))::int"
            )
            cursor.execute("ANALYZE appointments_slot")
        else:
            cursor.execute("UPDATE appointments_slot SET booked = abs(random()) % (capacity + 1)")
            cursor.execute("ANALYZE")
    return made, seconds, Slot.objects.filter(agenda_id__in=made).count()


def timed(work, runs: int) -> dict:
    work()  # warm
    samples = []
    for _run in range(runs):
        started = time.perf_counter()
        result = work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median": statistics.median(samples),
        "p95": samples[min(len(samples) - 1, int(len(samples) * 0.95))],
        "result": result,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agendas", type=int, default=400)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lutetia-bench-") as tmp:
        database = setup(Path(tmp))
        from django.db import connection
        from django.utils import timezone
        from lutetia_appointments import availability

        print(f"lutetia availability: {database}, {os.cpu_count()} cores", flush=True)
        ids, making, slots = build(args.agendas, args.weeks)
        start = dt.date.today()
        end = start + dt.timedelta(weeks=args.weeks) - dt.timedelta(days=1)
        print(
            f"{len(ids)} agendas, {slots} slots over {args.weeks} weeks; made from their rules "
            f"in {making:.1f} s ({slots / making:,.0f} slots/s)"
        )

        def by_day():
            return availability.free_places_by_day(ids, start, end)

        def next_free():
            return availability.next_free_by_agenda(ids, timezone.now())

        # The database holds only these agendas: the SQL needs no list of them.
        grouped_sql = (
            "SELECT agenda_id, day, SUM(capacity - booked) FROM appointments_slot "
            "WHERE day BETWEEN %s AND %s AND is_open AND booked < capacity "
            "GROUP BY agenda_id, day"
        )
        count_sql = "SELECT count(*) FROM appointments_slot WHERE day BETWEEN %s AND %s"

        def raw(sql):
            def run():
                with connection.cursor() as cursor:
                    cursor.execute(sql, [start, end])
                    return cursor.fetchall()

            return run

        figures = [
            ("free places per agenda and day (ORM)", timed(by_day, args.runs)),
            ("next free slot of each agenda (ORM)", timed(next_free, args.runs)),
            ("baseline: the grouped query in SQL", timed(raw(grouped_sql), args.runs)),
            ("baseline: count(*) of the slots", timed(raw(count_sql), args.runs)),
        ]
        days = sum(len(v) for v in figures[0][1]["result"].values())
        found = sum(1 for v in figures[1][1]["result"].values() if v is not None)
        print(f"{days} agenda-days with free places; {found} agendas with a next free slot")
        baseline = figures[2][1]["median"]
        print(f"{'measure':44} {'median ms':>10} {'p95 ms':>8} {'x SQL':>7}")
        for label, figure in figures:
            print(
                f"{label:44} {figure['median']:10.1f} {figure['p95']:8.1f} "
                f"{figure['median'] / baseline:7.2f}"
            )
        total = figures[0][1]["median"] + figures[1][1]["median"]
        verdict = "met" if total < GOAL_MS else "NOT met"
        print(
            f"goal: availability of {len(ids)} agendas over {args.weeks} weeks (both queries) "
            f"< {GOAL_MS:.0f} ms: {total:.1f} ms ({verdict})"
        )
        if connection.vendor == "postgresql":
            from django.core.management import call_command
            from lutetia_appointments.models import Agenda

            service_id = Agenda.objects.get(pk=ids[0]).service_id
            print("plan of the next-free query of one service's agendas:")
            print(
                availability.next_free_query(service_id, ids, timezone.now()).explain(analyze=True)
            )

            call_command("flush", verbosity=0, interactive=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
