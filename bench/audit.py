"""The access log's cost: entries written per second, verify's speed, and what it adds to a
front-office write.

    python bench/audit.py [--records 3000] [--verify 200000] [--requests 400]

Uses a throw-away SQLite database in a temporary folder, or the PostgreSQL database named by
DATABASE_URL if set (its tables are migrated, and entries are added to it: give it an empty
database). In the same run, it measures:

- recording: ``audit.record()`` called outside any transaction, one after the other
  (lock, last hash, insert, commit, JSON log line), in entries/s;
- verifying: ``lutetia audit verify`` over a chain of ``--verify`` entries, in entries/s;
- a front-office write: POST of the contact form (``/services/contact/``) through Django's test
  client (the whole middleware stack, the message stored, the e-mails sent to a local
  backend), with every audit category on, then with "front" off, alternating blocks of 50 so
  drift hits both alike; mean and median latency, and the ratio.

The JSON log lines go to a file in the temporary folder, as they would go to a collector.
Goals (issue "access log"): audit adds under 10 % to a write request; verify checks at least
100,000 entries/s.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = 50


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
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The JSON lines (the audit's, and Django's own) go to a file, as to a log collector.
    log_file = (tmp / "log.jsonl").open("w")
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(log_file)
    call_command("migrate", verbosity=0, interactive=False)
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def bench_record(count: int) -> float:
    from lutetia import audit

    started = time.perf_counter()
    for n in range(count):
        audit.record(None, "bench.recorded", ("bench.thing", str(n)), details={"n": n})
    return count / (time.perf_counter() - started)


def fill_chain(count: int) -> None:
    """Append ``count`` chained entries quickly (bulk inserts), as `record` would chain them."""
    from django.db import transaction
    from django.utils import timezone

    from lutetia.audit import chain, services
    from lutetia.audit.models import AuditEntry

    with transaction.atomic():
        chain.lock()
        previous = services.last_hash()
        batch = []
        now = timezone.now()
        for n in range(count):
            fields = {
                "timestamp": now,
                "category": "front",
                "action": "bench.filled",
                "outcome": "success",
                "origin": "front",
                "actor_id": str(n % 997),
                "actor_name": f"citizen{n % 997}@example.org",
                "role": "citizen",
                "session_hash": "a" * 64,
                "target_type": "bench.thing",
                "target_id": str(n),
                "target_label": f"Thing {n}",
                "ip": "203.0.113.7",
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
                "request_id": secrets.token_hex(16),
                "site_id": 1,
                "site_name": "Beaumont",
                "details": services.canonical_json({"n": n}),
            }
            digest = chain.digest(previous, chain.canonical([fields[f] for f in chain.FIELDS]))
            batch.append(AuditEntry(**fields, previous_hash=previous, hash=digest))
            previous = digest
            if len(batch) == 5000:
                AuditEntry.objects.bulk_create(batch)
                batch = []
        AuditEntry.objects.bulk_create(batch)


def bench_verify():
    from lutetia.audit import services

    result = services.verify()
    if not result.ok:
        raise SystemExit(f"verify found a broken chain at entry {result.broken_id}")
    return result


def contact_setup():
    from lutetia_contact.models import ContactSettings, ContactTopic
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    topic, _ = ContactTopic.objects.get_or_create(
        settings=ContactSettings.for_site(site), label="Civil status", sort_order=0
    )
    return {
        "name": "Camille Citoyenne",
        "email": "camille@example.org",
        "topic": str(topic.pk),
        "message": "I need a copy of my birth certificate. " * 5,
        "consent": "on",
        "website": "",
    }


def bench_requests(total: int) -> dict[str, list[float]]:
    """POST the contact form ``total`` times each way, in alternating blocks."""
    from django.core import mail
    from django.test import Client, override_settings

    from lutetia.audit.models import AuditEntry

    data = contact_setup()
    client = Client()
    all_on = frozenset({"auth", "admin", "personal_data", "front", "system"})
    modes = {"audit on": all_on, "front off": all_on - {"front"}}
    timings: dict[str, list[float]] = {mode: [] for mode in modes}
    counter = 0

    def post_block(categories, sink, count):
        nonlocal counter
        with override_settings(LUTETIA_AUDIT_CATEGORIES=categories):
            for _ in range(count):
                counter += 1
                # One address per post: the form allows 5 messages an hour per address.
                address = f"10.{counter // 65536 % 256}.{counter // 256 % 256}.{counter % 256}"
                started = time.perf_counter()
                response = client.post("/services/contact/", data, REMOTE_ADDR=address)
                elapsed = time.perf_counter() - started
                if response.status_code != 302:
                    raise SystemExit(f"the contact form answered {response.status_code}")
                if sink is not None:
                    sink.append(elapsed * 1000)
        mail.outbox = []

    for categories in modes.values():  # warm up both paths
        post_block(categories, None, 20)
    before = AuditEntry.objects.filter(action="contact.message_sent").count()
    for _ in range(max(1, total // BLOCK)):
        for mode, categories in modes.items():
            post_block(categories, timings[mode], BLOCK)
    recorded = AuditEntry.objects.filter(action="contact.message_sent").count() - before
    expected = len(timings["audit on"])
    if recorded != expected:
        raise SystemExit(f"{recorded} messages recorded for {expected} posts with audit on")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--verify", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))

    with tempfile.TemporaryDirectory(prefix="lutetia-bench-audit-") as tmp:
        engine = setup(Path(tmp))
        record_rate = bench_record(args.records)
        fill_chain(max(0, args.verify - args.records))
        verified = bench_verify()
        timings = bench_requests(args.requests)
        log_lines = sum(1 for _ in (Path(tmp) / "log.jsonl").open())

    print(f"lutetia access log: {engine}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"record(), one after the other, outside a transaction: {record_rate:9.0f} entries/s")
    print(
        f"audit verify: {verified.checked} entries in {verified.seconds:.2f} s: "
        f"{verified.rate:9.0f} entries/s"
    )
    print(f"JSON log lines written: {log_lines}")
    print(f"contact form POST, {len(timings['audit on'])} each way, blocks of {BLOCK} alternating:")
    print(f"{'':12} {'mean ms':>8} {'median ms':>10} {'p95 ms':>8}")
    summary = {}
    for mode, values in timings.items():
        values = sorted(values)
        mean, median = statistics.fmean(values), statistics.median(values)
        p95 = values[int(len(values) * 0.95) - 1]
        summary[mode] = (mean, median)
        print(f"{mode:12} {mean:8.2f} {median:10.2f} {p95:8.2f}")
    mean_ratio = summary["audit on"][0] / summary["front off"][0]
    median_ratio = summary["audit on"][1] / summary["front off"][1]
    print(f"ratio audit on / front off: mean {mean_ratio:.3f}, median {median_ratio:.3f}")
    write_goal = "met" if median_ratio < 1.10 else "NOT met"
    verify_goal = "met" if verified.rate >= 100_000 else "NOT met"
    print(
        f"goal: audit adds < 10 % to a write request: +{(median_ratio - 1) * 100:.1f} % ({write_goal})"
    )
    print(f"goal: verify >= 100,000 entries/s: {verified.rate:,.0f} ({verify_goal})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
