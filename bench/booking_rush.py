"""A booking rush on the production server: an opening of slots, hundreds of clients at once.

    DATABASE_URL=postgres://... python bench/booking_rush.py [--clients 200] [--agendas 20]
        [--slots 2000] [--hot 10] [--workers 0] [--threads 4] [--seconds 120]

PostgreSQL only (DATABASE_URL; give it an empty database: it is migrated, filled and emptied).
One service, ``--agendas`` agendas (a location each, one desk: one place per slot) and an
opening of ``--slots`` slots across them, made by ``opening.apply`` from a typical week. Then,
in the same run:

1. **Lutetia**: ``lutetia run`` (gunicorn, production mode (its default cache: per process),
   ``--workers``, 0 for its default of two per core plus one, ``--threads`` each) and, from other
   processes, ``--clients`` clients booking as fast as they can, each attempt as a new
   anonymous citizen coming through a reverse proxy (its own address in X-Forwarded-For, so
   the per-address limits count citizens, not the benchmark), through the citizen's pages
   without reading them: POST the chosen slot on the agenda's calendar (the slot is held),
   POST their details, POST the confirmation. Half the attempts aim at the ``--hot`` first
   slots (everybody wants Monday 9:00), the rest at a slot not yet seen taken. A refused hold
   (the calendar shown again, 409) or a booking marks the slot taken for the clients of that
   process (citizens reloading the calendar would see it). The run ends when every process
   has seen every slot taken, or after ``--seconds``.
2. **The ceiling**: the same rush as bare SQL transactions on the same database (psycopg, no
   Django, no HTTP), one per attempt: insert the held appointment, take the place with the
   conditional UPDATE, insert the ledger row, mark the appointment booked; from as many
   connections as the server has threads (gunicorn's workers x threads), the clients being those
   connections.

Printed for each: bookings/s (booked places over the time to fill them: from the start to the
last booking; the clients' learning that all is taken comes after), attempts/s, p50 and
p99 latency of a booking (the three requests) and of a refusal, refused attempts, errors, and
**overbooked slots** (places taken beyond capacity, counted from the ledger and from the
appointments, must be 0); the CPU the server and PostgreSQL spent during Lutetia's rush
(where the time goes: a booking is three pages, a refusal one), and PostgreSQL's CPU per
booking on both sides (what bounds the rate once app servers are added); then the ratio of
Lutetia's bookings/s to the ceiling's.
Goal (issue 7): ratio >= 0.3 with 0 overbooked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import multiprocessing
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from availability import setup  # the same Django set-up as the availability bench
from frontoffice import free_port, wait_until_up  # the same server, started the same way

LUTETIA = [sys.executable, "-m", "lutetia.cli"]
GOAL = 0.3
CLIENT_PROCESSES = 4


# --- the opening -------------------------------------------------------------------------------


def build(agendas: int, slots: int) -> dict:
    """The service, its agendas and the opening; returns what clients need."""
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
    from wagtail.models import Page, Site

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.create(
        hostname="localhost", root_page=Page.get_first_root_node(), is_default_site=True
    )
    per_agenda = slots // agendas
    per_day = 10  # 09:00-11:30, 15 minutes
    days = -(-per_agenda // per_day)
    service = Service.objects.create(
        site=site,
        title="Identity card",
        slug="rush",
        enabled=True,
        min_notice_minutes=0,
        horizon_days=days + 3,
        hold_minutes=10,
        reminder_hours=None,
    )
    start = dt.date.today() + dt.timedelta(days=1)
    columns = []
    for n in range(agendas):
        location = Location.objects.create(
            site=site, name=f"Annex {n}", address=f"{n} rue de la Paix", holiday_country=""
        )
        agenda = Agenda.objects.create(
            service=service, location=location, time_zone="Europe/Paris", close_on_holidays=False
        )
        Resource.objects.create(agenda=agenda, name="Desk")
        week = WeekRule.objects.create(agenda=agenda, starts_on=start)
        TimeRange.objects.bulk_create(
            [
                TimeRange(
                    rule=week,
                    weekday=day,
                    starts_at=dt.time(9),
                    ends_at=dt.time(11, 30),
                    slot_minutes=15,
                )
                for day in range(7)
            ]
        )
        opening.apply(agenda, start, start + dt.timedelta(days=days - 1))
        ids = list(
            Slot.objects.filter(agenda=agenda).order_by("starts_at").values_list("pk", flat=True)
        )
        Slot.objects.filter(agenda=agenda).exclude(pk__in=ids[:per_agenda]).delete()
        columns.append([(str(agenda.uid), pk) for pk in ids[:per_agenda]])
    # Everybody wants the first morning: the first targets (the hot ones) are the first slot of
    # each agenda, then come the second ones...
    targets = [column[rank] for rank in range(per_agenda) for column in columns]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"service": service.pk, "slug": service.slug, "targets": targets}


def reset(service_id: int) -> None:
    """Every place free again, no appointment left."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM appointments_slotbooking")
        cursor.execute("DELETE FROM appointments_booker")
        cursor.execute("DELETE FROM lutetia_notify_outboxmessage")
        cursor.execute("DELETE FROM appointments_appointment")
        cursor.execute("UPDATE appointments_slot SET booked = 0, overbooked = 0")
        cursor.execute("VACUUM ANALYZE appointments_slot")


def overbooked() -> dict[str, int]:
    """Slots with more places taken than they have, counted three ways."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM appointments_slot WHERE booked > capacity")
        by_counter = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT s.id FROM appointments_slot s "
            "JOIN appointments_slotbooking b ON b.slot_id = s.id "
            "GROUP BY s.id, s.capacity HAVING sum(b.places) > s.capacity) t"
        )
        by_ledger = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT s.id FROM appointments_slot s "
            "JOIN appointments_appointment a ON a.agenda_id = s.agenda_id "
            "AND a.starts_at = s.starts_at AND a.status = 'booked' "
            "GROUP BY s.id, s.capacity HAVING sum(a.people) > s.capacity) t"
        )
        by_appointments = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM appointments_appointment WHERE status = 'booked'")
        booked = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(sum(booked), 0) FROM appointments_slot")
        places = cursor.fetchone()[0]
    return {
        "counter": by_counter,
        "ledger": by_ledger,
        "appointments": by_appointments,
        "booked": booked,
        "places": places,
    }


# --- the clients -------------------------------------------------------------------------------


class Client:
    """One HTTP connection; cookies kept per citizen; the CSRF double-submit done by hand (a
    token in the cookie and the same in the form, as a browser does after its first page)."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def get(self, path: str) -> int:
        try:
            self.connection.request("GET", path, headers={"Host": f"{self.host}:{self.port}"})
            response = self.connection.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            return 0
        return response.status

    def post(self, path: str, data: dict, cookies: dict, address: str) -> tuple[int, str]:
        body = urlencode(data)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-Forwarded-For": address,
            "Host": f"{self.host}:{self.port}",
        }
        for attempt in (1, 2):
            try:
                self.connection.request("POST", path, body, headers)
                response = self.connection.getresponse()
                response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 2:
                    return 0, ""
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or ""


def book_over_http(client: Client, slug: str, agenda: str, slot: int, number: int) -> str:
    """One citizen's booking: "booked", "taken", or what went wrong."""
    csrf = secrets.token_hex(16)
    cookies = {"csrftoken": csrf}
    address = f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"
    status, location = client.post(
        f"/services/appointments/{slug}/{agenda}/",
        {"csrfmiddlewaretoken": csrf, "slot": slot, "token": secrets.token_urlsafe(16)},
        cookies,
        address,
    )
    if status == 409:
        return "taken"
    if status != 302 or "/h/" not in location:
        return f"hold {status}"
    details = urlsplit(location).path
    status, location = client.post(
        details,
        {
            "csrfmiddlewaretoken": csrf,
            "first_name": "Camille",
            "last_name": f"Citizen {number}",
            "email": f"citizen{number}@example.org",
        },
        cookies,
        address,
    )
    if status != 302:
        return f"details {status}"
    status, location = client.post(
        urlsplit(location).path, {"csrfmiddlewaretoken": csrf}, cookies, address
    )
    if status != 302 or "/a/" not in location:
        return f"confirm {status}"
    return "booked"


def rush(attempt, targets, hot: int, clients: int, seconds: float, seed: int) -> dict:
    """``clients`` threads attempting bookings until every target is known taken (the threads
    of a process share what they learn, as citizens reloading the calendar would), or for
    ``seconds``. Each outcome is (what, latency, when it ended since the start)."""
    outcomes: list[tuple[str, float, float]] = []
    lock = threading.Lock()
    taken: set[int] = set()
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    counter = iter(range(seed * 1_000_000, (seed + 1) * 1_000_000))

    def run(index: int):
        rng = random.Random(seed * 1000 + index)
        state = attempt.setup()
        local = []
        while time.monotonic() < deadline:
            with lock:
                open_ = [i for i in range(len(targets)) if i not in taken]
                number = next(counter)
            if not open_:
                break
            hot_open = [i for i in open_ if i < hot]
            choice = rng.choice(hot_open if hot_open and rng.random() < 0.5 else open_)
            begun = time.perf_counter()
            outcome = attempt.run(state, targets[choice], number)
            ended = time.perf_counter()
            local.append((outcome, ended - begun, ended - started))
            if outcome in ("booked", "taken") and attempt.consumes:
                with lock:
                    taken.add(choice)
        attempt.teardown(state)
        with lock:
            outcomes.extend(local)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"outcomes": outcomes, "seconds": time.perf_counter() - started}


class BareViewAttempt:
    """GET /healthz: the server's whole middleware stack and no page, the most requests it can
    answer (a booking is three requests)."""

    consumes = False

    def __init__(self, base: str):
        self.base = base

    def setup(self):
        return Client(self.base)

    def run(self, client, target, number):
        return "booked" if client.get("/healthz") == 200 else "error"

    def teardown(self, client):
        client.connection.close()


class HttpAttempt:
    consumes = True

    def __init__(self, base: str, slug: str):
        self.base, self.slug = base, slug

    def setup(self):
        return Client(self.base)

    def run(self, client, target, number):
        agenda, slot = target
        return book_over_http(client, self.slug, agenda, slot, number)

    def teardown(self, client):
        client.connection.close()


class SqlAttempt:
    """The bare booking transaction, through psycopg."""

    consumes = True

    def __init__(self, dsn: str, service_id: int, site_id: int):
        self.dsn, self.service_id, self.site_id = dsn, service_id, site_id

    def setup(self):
        import psycopg

        return psycopg.connect(self.dsn)

    def run(self, connection, target, number):
        try:
            return self._book(connection, target, number)
        except _Taken:
            return "taken"

    def _book(self, connection, target, number):
        _agenda_uid, slot = target
        with connection.transaction():
            cursor = connection.cursor()
            cursor.execute(
                "INSERT INTO appointments_appointment (uid, site_id, service_id, agenda_id, "
                "status, reference, starts_at, ends_at, people, first_name, last_name, email, "
                "phone, answers, language, client_token, hold_expires_at, secret_hash, "
                "overbooked, presence, state, state_label, revision, created_at, "
                "cancel_reason, search_text) "
                "SELECT gen_random_uuid(), %s, %s, agenda_id, 'held', '', starts_at, ends_at, 1, "
                "'Camille', %s, %s, '', '{}', 'fr', %s, now() + interval '10 minutes', '', "
                "false, '', '', '', 0, now(), '', '' FROM appointments_slot WHERE id = %s "
                "RETURNING id",
                (
                    self.site_id,
                    self.service_id,
                    f"Citizen {number}",
                    f"citizen{number}@example.org",
                    secrets.token_urlsafe(16),
                    slot,
                ),
            )
            appointment = cursor.fetchone()[0]
            cursor.execute(
                "UPDATE appointments_slot SET booked = booked + 1 "
                "WHERE id = %s AND is_open AND booked <= capacity - 1",
                (slot,),
            )
            if cursor.rowcount != 1:
                raise _Taken
            cursor.execute(
                "INSERT INTO appointments_slotbooking (appointment_id, slot_id, places, "
                "beyond_capacity) VALUES (%s, %s, 1, false)",
                (appointment, slot),
            )
            cursor.execute(
                "UPDATE appointments_appointment SET status = 'booked', reference = %s, "
                "hold_expires_at = NULL, booked_at = now() WHERE id = %s",
                (f"CNI-{number:08d}", appointment),
            )
        return "booked"

    def teardown(self, connection):
        connection.close()


class _Taken(Exception):
    """The place was gone: the transaction rolls back."""


def _client_process(args):
    kind, params, targets, hot, clients, seconds, seed, queue = args
    kinds = {"http": HttpAttempt, "sql": SqlAttempt, "bare": BareViewAttempt}
    attempt = kinds[kind](*params)
    queue.put(rush(attempt, targets, hot, clients, seconds, seed))


def run_clients(kind, params, targets, hot, clients, seconds) -> dict:
    """The clients, spread over processes (one process's threads would share one core)."""
    processes = min(CLIENT_PROCESSES, clients)
    queue = multiprocessing.get_context("fork").Queue()
    workers = []
    started = time.perf_counter()
    for n in range(processes):
        share = clients // processes + (1 if n < clients % processes else 0)
        process = multiprocessing.get_context("fork").Process(
            target=_client_process,
            args=((kind, params, targets, hot, share, seconds, n + 1, queue),),
        )
        process.start()
        workers.append(process)
    results = [queue.get() for _process in workers]
    for process in workers:
        process.join()
    elapsed = time.perf_counter() - started
    outcomes = [o for result in results for o in result["outcomes"]]
    return summarise(outcomes, elapsed)


def summarise(outcomes, elapsed: float) -> dict:
    booked = [t for outcome, t, _end in outcomes if outcome == "booked"]
    taken = [t for outcome, t, _end in outcomes if outcome == "taken"]
    # the time to fill: until the last booking (what comes after is clients learning it is over)
    filled = max((end for outcome, _t, end in outcomes if outcome == "booked"), default=elapsed)
    errors: dict[str, int] = {}
    for outcome, _t, _end in outcomes:
        if outcome not in ("booked", "taken"):
            errors[outcome] = errors.get(outcome, 0) + 1

    def pct(values, share):
        if not values:
            return 0.0
        values = sorted(values)
        return values[min(len(values) - 1, int(len(values) * share))] * 1000

    return {
        "seconds": elapsed,
        "booked": len(booked),
        "taken": len(taken),
        "errors": errors,
        "attempts": len(outcomes),
        "fill_seconds": filled,
        "bookings_per_s": len(booked) / filled,
        "attempts_per_s": len(outcomes) / elapsed,
        "booked_p50": statistics.median(booked) * 1000 if booked else 0.0,
        "booked_p99": pct(booked, 0.99),
        "taken_p50": statistics.median(taken) * 1000 if taken else 0.0,
        "taken_p99": pct(taken, 0.99),
    }


# --- the server --------------------------------------------------------------------------------


def cpu_seconds(session: int) -> dict[str, float]:
    """CPU used so far by the server (the processes of its session) and by PostgreSQL, from
    /proc (Linux; empty elsewhere). The server's workers live as long as the run; PostgreSQL's
    backends that ended are counted in the postmaster's reaped children's time."""
    used = {"server": 0.0, "postgresql": 0.0}
    proc = Path("/proc")
    if not proc.is_dir():
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if int(fields[3]) == session:  # the session id
            used["server"] += seconds
        elif name == "postgres":  # the postmaster and its backends
            reaped = (int(fields[13]) + int(fields[14])) / tick  # cutime + cstime
            used["postgresql"] += seconds + reaped
    return used


def server_environment(
    data_dir: Path, port: int, database_url: str, threads: int = 4
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUTETIA_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "LUTETIA_MODE": "production",
            "LUTETIA_SECRET_KEY": secrets.token_urlsafe(50),
            "LUTETIA_DATA_DIR": str(data_dir),
            "LUTETIA_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LUTETIA_BASE_URL": f"http://127.0.0.1:{port}",
            "LUTETIA_LOG_LEVEL": "error",
            "LUTETIA_DATABASE_URL": database_url,
            "LUTETIA_TRUSTED_PROXY_COUNT": "1",
            "LUTETIA_THREADS": str(threads),
            # e-mails wait in the outbox for `lutetia worker`, as in production
            "LUTETIA_TASK_BACKEND": "database",
        }
    )
    return env


def print_result(label: str, result: dict, over: dict) -> None:
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(result["errors"].items())) or "none"
    print(
        f"{label:10} {result['bookings_per_s']:9.1f} {result['attempts_per_s']:10.1f} "
        f"{result['booked_p50']:8.1f} {result['booked_p99']:8.1f} {result['taken_p50']:8.1f} "
        f"{result['taken_p99']:8.1f} {result['booked']:7d} {result['taken']:7d} "
        f"{over['counter'] + over['ledger'] + over['appointments']:5d} {result['fill_seconds']:7.1f}"
        f"  errors: {errors}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--agendas", type=int, default=20)
    parser.add_argument("--slots", type=int, default=2000)
    parser.add_argument("--hot", type=int, default=10)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--threads", type=int, default=4, help="of each server process")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument(
        "--bare-seconds", type=float, default=10, help="how long /healthz is loaded first"
    )
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        print("DATABASE_URL must name an empty PostgreSQL database", file=sys.stderr)
        return 2
    workers = args.workers or 2 * (os.cpu_count() or 1) + 1
    with tempfile.TemporaryDirectory(prefix="lutetia-rush-") as tmp:
        # e-mails wait in the outbox for `lutetia worker`, as in production
        setup(Path(tmp), LUTETIA_TASK_BACKEND="database")
        from django.db import connection
        from lutetia_appointments.models import Service

        opening = build(args.agendas, args.slots)
        targets = [tuple(t) for t in opening["targets"]]
        service = Service.objects.get(pk=opening["service"])
        connection.close()
        print(
            f"lutetia booking rush: PostgreSQL, {os.cpu_count()} cores; {len(targets)} slots of "
            f"one place across {args.agendas} agendas, {args.hot} hot; {args.clients} clients "
            f"in {CLIENT_PROCESSES} processes; gunicorn {workers} workers x {args.threads} threads",
            flush=True,
        )

        port = free_port()
        env = server_environment(Path(tmp) / "server", port, database_url, args.threads)
        log = (Path(tmp) / "server.log").open("w")
        server = subprocess.Popen(
            [*LUTETIA, "run", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + "/healthz")
            page = urllib.request.urlopen(  # noqa: S310 (loopback only)
                f"{base}/services/appointments/{opening['slug']}/", timeout=30
            ).read()
            assert re.search(rb"<h1", page), "the service page did not render"
            bare_view = run_clients(
                "bare", (base,), targets[:1], 0, args.clients, args.bare_seconds
            )
            cpu_before = cpu_seconds(server.pid)
            over_http = run_clients(
                "http",
                (base, opening["slug"]),
                targets,
                args.hot,
                args.clients,
                args.seconds,
            )
            cpu_after = cpu_seconds(server.pid)
        except Exception:
            log.flush()
            print((Path(tmp) / "server.log").read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        http_over = overbooked()
        reset(service.pk)
        connection.close()
        dsn = database_url
        sql_cpu_before = cpu_seconds(0)
        over_sql = run_clients(
            "sql",
            (dsn, service.pk, service.site_id),
            targets,
            args.hot,
            workers * args.threads,
            args.seconds,
        )
        sql_cpu_after = cpu_seconds(0)
        sql_over = overbooked()
        from django.core.management import call_command

        call_command("flush", verbosity=0, interactive=False)

    print(
        f"{'':10} {'booked/s':>9} {'attempts/s':>10} {'ok p50':>8} {'ok p99':>8} "
        f"{'no p50':>8} {'no p99':>8} {'booked':>7} {'refused':>7} {'over':>5} {'fill s':>7}"
    )
    print_result("lutetia", over_http, http_over)
    print_result("bare SQL", over_sql, sql_over)
    print(
        "(latencies in ms: ok = a booking, its three requests; no = a refused hold; over = "
        "slots over capacity by counter, ledger and appointments; bare SQL from "
        f"{workers * args.threads} connections)"
    )
    print(
        f"places: lutetia booked {http_over['booked']} appointments holding {http_over['places']}"
        f" places; bare SQL {sql_over['booked']} / {sql_over['places']}"
    )
    print(
        f"the same server's bare view (/healthz), same clients: {bare_view['attempts_per_s']:.0f}"
        f" requests/s, p50 {bare_view['booked_p50']:.1f} ms: at most "
        f"{bare_view['attempts_per_s'] / 3:.0f} three-request bookings/s with no work at all"
    )
    if cpu_after:
        spent = {k: cpu_after[k] - cpu_before[k] for k in cpu_after}
        attempts = over_http["booked"] + over_http["taken"]
        print(
            f"CPU during the rush: server {spent['server']:.1f} s, PostgreSQL "
            f"{spent['postgresql']:.1f} s, over {over_http['seconds']:.0f} s "
            f"on {os.cpu_count()} cores; server CPU per attempt (booking or refusal) "
            f"{spent['server'] / max(attempts, 1) * 1000:.1f} ms, per booking made "
            f"{spent['server'] / max(over_http['booked'], 1) * 1000:.1f} ms"
        )
        if sql_cpu_after:
            database = spent["postgresql"] / max(over_http["booked"], 1) * 1000
            bare = (sql_cpu_after["postgresql"] - sql_cpu_before["postgresql"]) / max(
                over_sql["booked"], 1
            )
            bare *= 1000
            print(
                f"PostgreSQL CPU per booking made (its refusals included): lutetia "
                f"{database:.1f} ms, bare SQL {bare:.1f} ms; with app servers added until the "
                f"database is the limit, lutetia would book at most {bare / database:.2f} x "
                "the bare SQL rate"
            )
    ratio = over_http["bookings_per_s"] / over_sql["bookings_per_s"]
    overbooked_slots = sum(http_over[k] for k in ("counter", "ledger", "appointments"))
    verdict = "met" if ratio >= GOAL and overbooked_slots == 0 else "NOT met"
    print(
        f"goal: bookings/s >= {GOAL} x bare SQL with 0 overbooked: ratio {ratio:.2f}, "
        f"overbooked {overbooked_slots} ({verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
