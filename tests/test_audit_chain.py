"""The access log cannot be changed unseen: hash chain, verify, purge, PostgreSQL's guard."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from lutetia import audit
from lutetia.audit import chain, services
from lutetia.audit.models import AuditCheckpoint, AuditEntry


@pytest.fixture(autouse=True)
def in_english():
    """The command speaks the site's language (French here); these tests read it in English."""
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def record_many(count, action="test.done", **kwargs):
    return [audit.record(None, action, details={"n": n}, **kwargs) for n in range(count)]


def record_at(moment, count, action="test.old"):
    with mock.patch("lutetia.audit.services.timezone.now", return_value=moment):
        return record_many(count, action)


def verify_command():
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_each_entry_chains_onto_the_one_before(db):
    first, second, third = record_many(3)

    assert first.previous_hash == chain.GENESIS
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


def test_verify_says_ok_with_the_count_and_the_rate(db):
    record_many(5)

    out = verify_command()

    assert "5 entries checked" in out
    assert "entries/s" in out
    assert "OK" in out


@pytest.mark.sqlite  # PostgreSQL's trigger refuses the change itself (see below)
def test_verify_names_the_entry_changed_behind_its_back(db):
    entries = record_many(5)
    tampered = entries[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE lutetia_audit_auditentry SET actor_name = %s WHERE id = %s",
            ["someone.else@example.org", tampered.pk],
        )

    result = services.verify()
    assert (result.ok, result.broken_id, result.reason, result.checked) == (
        False,
        tampered.pk,
        "content",
        2,
    )
    with pytest.raises(CommandError, match=f"entry {tampered.pk}") as failure:
        verify_command()
    assert failure.value.returncode == 1


def test_verify_reads_in_chunks_and_finds_a_break_past_the_first(db, monkeypatch):
    monkeypatch.setattr(services, "VERIFY_CHUNK", 3)
    entries = record_many(8)
    seen = []
    assert services.verify(progress=seen.append).checked == 8
    assert seen == [3, 6, 8]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only someone who may switch triggers off (the database's owner) gets this far;
            # the chain still tells.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE lutetia_audit_auditentry SET details = %s WHERE id = %s",
            ['{"forged": true}', entries[6].pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")

    result = services.verify()

    assert (result.broken_id, result.reason, result.checked) == (entries[6].pk, "content", 6)


@pytest.mark.sqlite
def test_verify_names_the_entry_after_one_removed(db):
    entries = record_many(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM lutetia_audit_auditentry WHERE id = %s", [entries[1].pk])

    result = services.verify()

    assert (result.broken_id, result.reason) == (entries[2].pk, "link")


def test_purge_removes_old_entries_keeps_a_checkpoint_and_the_chain_still_verifies(db):
    long_ago = datetime(2020, 3, 1, 12, tzinfo=UTC)
    old = record_at(long_ago, 3)
    recent = record_many(2, "test.recent")
    out = StringIO()

    call_command("audit", "purge", "--before", "2021-01-01", "--yes", stdout=out)

    assert "3 entries removed" in out.getvalue()
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.count, checkpoint.first_id, checkpoint.last_id) == (
        3,
        old[0].pk,
        old[-1].pk,
    )
    assert checkpoint.first_timestamp == checkpoint.last_timestamp == long_ago
    assert checkpoint.last_hash == old[-1].hash == recent[0].previous_hash
    assert "lutetia audit purge" in checkpoint.created_by
    remaining = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert remaining == ["test.recent", "test.recent", "audit.purged"]
    purged = AuditEntry.objects.get(action="audit.purged")
    assert purged.details_dict["count"] == 3
    assert (purged.target_type, purged.target_id) == (
        "lutetia_audit.auditcheckpoint",
        str(checkpoint.pk),
    )
    result = services.verify()
    assert result.ok and result.checked == 3
    assert "Starting after the purge" in verify_command()


def test_a_second_purge_starts_from_the_first_checkpoint(db):
    record_at(datetime(2019, 1, 1, tzinfo=UTC), 2)
    record_at(datetime(2020, 1, 1, tzinfo=UTC), 2)
    record_many(1)

    services.purge(datetime(2019, 6, 1, tzinfo=UTC), by="test")
    services.purge(datetime(2020, 6, 1, tzinfo=UTC), by="test")

    assert list(AuditCheckpoint.objects.order_by("id").values_list("count", flat=True)) == [2, 2]
    remaining = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert remaining == ["test.done", "audit.purged", "audit.purged"]
    assert services.verify().ok


def test_purge_with_nothing_old_does_nothing(db):
    record_many(2)
    out = StringIO()

    call_command("audit", "purge", "--before", "2001-01-01", "--yes", stdout=out)

    assert "nothing to purge" in out.getvalue()
    assert AuditCheckpoint.objects.count() == 0


def test_purge_refuses_without_confirmation_when_no_one_can_answer(db):
    record_at(datetime(2020, 1, 1, tzinfo=UTC), 1)

    with pytest.raises(CommandError, match="--yes"):
        call_command("audit", "purge", "--before", "2021-01-01", stdout=StringIO())

    assert AuditEntry.objects.count() == 1


def test_purge_refuses_a_date_in_the_future(db):
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()

    with pytest.raises(CommandError, match="past"):
        call_command("audit", "purge", "--before", tomorrow, "--yes")


# --- PostgreSQL: the database itself refuses -------------------------------------------------


@pytest.mark.postgres
def test_postgresql_refuses_to_update_or_delete_an_entry(db):
    entry = audit.record(None, "test.done")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_name="someone.else@example.org")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM lutetia_audit_auditentry")

    assert AuditEntry.objects.get(pk=entry.pk).actor_name == ""
    assert services.verify().ok


@pytest.mark.postgres
def test_postgresql_never_lets_a_checkpoint_go_even_during_a_purge(db):
    record_at(datetime(2020, 1, 1, tzinfo=UTC), 1)
    services.purge(datetime(2021, 1, 1, tzinfo=UTC))

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lutetia.audit_purge = 'on'")
            cursor.execute("DELETE FROM lutetia_audit_auditcheckpoint")

    assert AuditCheckpoint.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_keep_one_chain():
    per_thread, threads = 40, 4
    start = threading.Barrier(threads)
    errors = []

    def write(name):
        try:
            start.wait()
            for n in range(per_thread):
                audit.record(None, f"test.{name}", details={"n": n})
        except Exception as exc:  # reported below, with the thread's name
            errors.append((name, exc))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(f"w{i}",)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    rows = list(AuditEntry.objects.order_by("id").values_list("previous_hash", "hash"))
    assert len(rows) == per_thread * threads
    previous = [p for p, _ in rows]
    assert len(set(previous)) == len(previous), "two entries chain onto the same one: a fork"
    assert services.verify().ok
