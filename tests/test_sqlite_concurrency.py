"""SQLite tuned for a web server: concurrent writers wait their turn, none fails."""

import threading

import pytest
from django.db import connections, transaction


def _read_then_write(barrier, errors, index):
    from lutetia_dummy.models import Thing

    try:
        barrier.wait()
        for round_ in range(5):
            # The pattern of most use cases: read, decide, write, in one transaction. With
            # SQLite's default DEFERRED transactions two of these deadlock on the lock upgrade
            # and one fails at once with "database is locked", whatever the busy timeout.
            with transaction.atomic():
                count = Thing.objects.count()
                Thing.objects.create(name=f"writer {index} round {round_} saw {count}")
    except Exception as exc:  # collected for the assertion, with its message
        errors.append(repr(exc))
    finally:
        connections.close_all()


@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True, available_apps=["lutetia_dummy"])
def test_concurrent_writers_wait_their_turn_instead_of_failing():
    from lutetia_dummy.models import Thing

    writers = 8
    barrier = threading.Barrier(writers)
    errors: list[str] = []
    threads = [
        threading.Thread(target=_read_then_write, args=(barrier, errors, i)) for i in range(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Thing.objects.count() == writers * 5
