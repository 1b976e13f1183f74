"""Many bookings at the same moment, each on its own database connection (as from several app
servers): the capacity holds, a citizen's limits hold, a request sent twice books once.

On PostgreSQL the transactions really overlap (row locks and conditional updates decide); on
SQLite the same tests pass with writes serialised by the database.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from appointments_samples import a_working_day, details, identity_cards, slot_at
from django.db import connections
from lutetia_appointments import booking
from lutetia_appointments.models import Appointment, Slot, SlotBooking

pytestmark = pytest.mark.django_db(transaction=True)


def together(work, count: int) -> list:
    """Run ``work(index)`` in ``count`` threads released at once; each outcome is the result,
    or (code, message) for a refusal, or ("crash", repr) for anything else."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            outcomes[index] = work(index)
        except booking.Refused as refused:
            outcomes[index] = (refused.code, refused.message)
        except Exception as exc:  # reported by the assertions
            outcomes[index] = ("crash", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def places(slot: Slot) -> tuple[int, int]:
    """(the slot's counter, the places its ledger holds)."""
    slot.refresh_from_db()
    return slot.booked, sum(b.places for b in SlotBooking.objects.filter(slot=slot))


def test_twenty_citizens_at_the_last_place_one_gets_it(default_site):
    agenda = identity_cards(default_site)
    slot = slot_at(agenda, a_working_day(agenda), 9)
    held = booking.hold(
        agenda.service, slot, citizen=booking.Citizen(None, "early@example.org"), token="early"
    )
    booking.confirm(held, details(email="early@example.org"))

    def attempt(index):
        citizen = booking.Citizen(None, f"c{index}@example.org")
        hold = booking.hold(agenda.service, slot, citizen=citizen, token=f"t{index}")
        return booking.confirm(hold, details(email=f"c{index}@example.org"))[0].reference

    outcomes = together(attempt, 20)
    won = [o for o in outcomes if isinstance(o, str)]
    refused = [o for o in outcomes if isinstance(o, tuple)]
    assert len(won) == 1, outcomes
    assert {code for code, _message in refused} == {"full"}, outcomes
    assert places(slot) == (2, 2)  # capacity 2: the early citizen and the winner
    assert Appointment.objects.filter(status="booked").count() == 2


def test_a_rush_on_a_few_slots_never_overbooks_any(default_site):
    agenda = identity_cards(default_site, desks=3)
    day = a_working_day(agenda)
    slots = [slot_at(agenda, day, 9), slot_at(agenda, day, 9, 20), slot_at(agenda, day, 9, 40)]

    def attempt(index):
        citizen = booking.Citizen(None, f"r{index}@example.org")
        hold = booking.hold(agenda.service, slots[index % 3], citizen=citizen, token=f"r{index}")
        return booking.confirm(hold, details(email=f"r{index}@example.org"))[0].reference

    outcomes = together(attempt, 24)
    assert not [o for o in outcomes if isinstance(o, tuple) and o[0] == "crash"], outcomes
    assert len([o for o in outcomes if isinstance(o, str)]) == 9  # 3 slots x 3 desks
    for slot in slots:
        assert places(slot) == (3, 3)


def test_one_request_sent_eight_times_at_once_books_once(default_site):
    agenda = identity_cards(default_site)
    slot = slot_at(agenda, a_working_day(agenda), 10)
    citizen = booking.Citizen(None, "camille@example.org")

    def attempt(_index):
        return booking.hold(agenda.service, slot, citizen=citizen, token="same-page").pk

    outcomes = together(attempt, 8)
    assert len(set(outcomes)) == 1, outcomes
    assert places(slot) == (1, 1)


def test_one_citizen_booking_four_slots_at_once_keeps_their_limit(default_site):
    agenda = identity_cards(default_site, max_future=1)
    day = a_working_day(agenda)
    slots = [slot_at(agenda, day + dt.timedelta(days=i), 9) for i in range(4)]
    camille = booking.Citizen(None, "camille@example.org")

    def attempt(index):
        hold = booking.hold(agenda.service, slots[index], citizen=camille, token=f"h{index}")
        return booking.confirm(hold, details())[0].reference

    outcomes = together(attempt, 4)
    assert len([o for o in outcomes if isinstance(o, str)]) == 1, outcomes
    assert {o[0] for o in outcomes if isinstance(o, tuple)} == {"max_future"}, outcomes
    assert Appointment.objects.filter(status="booked").count() == 1


def test_two_citizens_swapping_slots_at_once_both_move(default_site):
    """Each moves into the other's slot while the slots are full: neither fails for a lock
    taken in the wrong order (slots are locked by id), and no slot ends over capacity."""
    agenda = identity_cards(default_site, desks=1)
    day = a_working_day(agenda)
    first, second, spare = (
        slot_at(agenda, day, 9),
        slot_at(agenda, day, 10),
        slot_at(agenda, day, 11),
    )
    a = booking.confirm(
        booking.hold(
            agenda.service, first, citizen=booking.Citizen(None, "a@example.org"), token="a"
        ),
        details(email="a@example.org"),
    )[0]
    b = booking.confirm(
        booking.hold(
            agenda.service, spare, citizen=booking.Citizen(None, "b@example.org"), token="b"
        ),
        details(email="b@example.org"),
    )[0]
    moves = [(a, second), (b, second)]  # both want the one free place

    def attempt(index):
        appointment, target = moves[index]
        return booking.reschedule(appointment, target).starts_at

    outcomes = together(attempt, 2)
    assert len([o for o in outcomes if isinstance(o, dt.datetime)]) == 1, outcomes
    assert places(second) == (1, 1)
    assert places(first)[0] + places(spare)[0] == 1
