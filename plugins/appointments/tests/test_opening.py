"""Opening rules make the slots: typical weeks, specific days, closing days, public holidays,
time zones; a change that would orphan an appointment is refused and names it."""

from __future__ import annotations

import datetime as dt

import pytest
from appointments_samples import PARIS, a_working_day, book, next_weekday, slot_at
from lutetia_appointments import opening
from lutetia_appointments.models import (
    ClosingDay,
    Resource,
    Slot,
    SpecificDay,
    TimeRange,
    WeekRule,
)

pytestmark = pytest.mark.django_db


def local_times(agenda, day):
    return [
        s.starts_at.astimezone(PARIS).strftime("%H:%M")
        for s in Slot.objects.filter(agenda=agenda, day=day).order_by("starts_at")
    ]


def test_a_typical_week_makes_its_slots_with_the_desks_as_capacity(agenda):
    tuesday = a_working_day(agenda)
    assert local_times(agenda, tuesday) == [
        "09:00", "09:20", "09:40", "10:00", "10:20", "10:40", "11:00", "11:20", "11:40"
    ]  # fmt: skip
    slot = slot_at(agenda, tuesday, 9)
    assert slot.capacity == 2  # two desks
    assert slot.ends_at - slot.starts_at == dt.timedelta(minutes=20)
    assert slot.starts_at.utcoffset() == dt.timedelta(0)  # stored in UTC
    saturday = next_weekday(5, weeks=2)
    assert local_times(agenda, saturday) == []


def test_slots_reach_the_horizon_and_no_further(agenda):
    last = Slot.objects.filter(agenda=agenda).order_by("-day").first().day
    today = opening.local_today(agenda)
    assert last <= opening.window_end(agenda, today)
    assert last >= today + dt.timedelta(days=agenda.service.horizon_days - 3)


def test_a_specific_day_replaces_its_typical_week(agenda):
    tuesday = a_working_day(agenda, weeks=3)
    special = SpecificDay.objects.create(agenda=agenda, date=tuesday, note="Late opening")
    TimeRange.objects.create(
        specific_day=special,
        starts_at=dt.time(17, 0),
        ends_at=dt.time(19, 0),
        slot_minutes=30,
        capacity=5,
    )
    opening.apply(agenda)
    assert local_times(agenda, tuesday) == ["17:00", "17:30", "18:00", "18:30"]
    assert slot_at(agenda, tuesday, 17).capacity == 5


def test_a_closing_day_and_the_regions_public_holidays_have_no_slot(agenda):
    tuesday = a_working_day(agenda, weeks=4)
    ClosingDay.objects.create(agenda=agenda, date=tuesday, reason="Staff training")
    opening.apply(agenda)
    assert local_times(agenda, tuesday) == []
    # Good Friday is a public holiday in Moselle (57), not in the rest of France
    rules = opening.Rules(agenda, dt.date(2027, 3, 22), dt.date(2027, 3, 31))
    good_friday = dt.date(2027, 3, 26)
    assert rules.slots(good_friday) == []
    agenda.location.holiday_region = ""
    assert opening.Rules(agenda, good_friday, good_friday).slots(good_friday) != []
    agenda.close_on_holidays = False
    christmas = dt.date(2026, 12, 25)
    assert opening.Rules(agenda, christmas, christmas).slots(christmas) != []


def test_hungarian_holidays_close_a_hungarian_agenda(agenda):
    location = agenda.location
    location.holiday_country, location.holiday_region = "HU", ""
    national_day = dt.date(2027, 3, 15)  # a Monday
    assert opening.Rules(agenda, national_day, national_day).slots(national_day) == []


def test_slots_follow_the_agendas_time_zone_across_the_clock_change(agenda):
    agenda.time_zone = "Europe/Budapest"
    before, after = dt.date(2027, 3, 26), dt.date(2027, 3, 29)  # clocks go forward on the 28th
    agenda.location.holiday_country = ""
    rules = opening.Rules(agenda, before, after)
    first_before, first_after = rules.slots(before)[0], rules.slots(after)[0]
    assert first_before.starts_at.hour == 8  # 09:00 CET is 08:00 UTC
    assert first_after.starts_at.hour == 7  # 09:00 CEST is 07:00 UTC


def test_the_latest_typical_week_wins_from_its_first_day(agenda):
    tuesday = a_working_day(agenda, weeks=5)
    summer = WeekRule.objects.create(agenda=agenda, name="Summer", starts_on=tuesday)
    TimeRange.objects.create(
        rule=summer, weekday=1, starts_at=dt.time(14, 0), ends_at=dt.time(15, 0), slot_minutes=30
    )
    opening.apply(agenda)
    assert local_times(agenda, tuesday) == ["14:00", "14:30"]
    assert local_times(agenda, tuesday - dt.timedelta(days=7))[0] == "09:00"


def test_a_new_desk_adds_a_place_to_every_slot(agenda):
    Resource.objects.create(agenda=agenda, name="Desk 3")
    opening.apply(agenda)
    assert slot_at(agenda, a_working_day(agenda), 9).capacity == 3


def test_places_added_by_hand_survive_the_rules(agenda):
    tuesday = a_working_day(agenda)
    Slot.objects.filter(agenda=agenda, day=tuesday).update(added=1, capacity=3)
    opening.apply(agenda)
    assert slot_at(agenda, tuesday, 9).capacity == 3


def test_closing_a_day_that_holds_an_appointment_is_refused_and_names_it(agenda):
    tuesday = a_working_day(agenda)
    appointment, _secret = book(agenda, slot_at(agenda, tuesday, 10))
    before = Slot.objects.filter(agenda=agenda).count()
    ClosingDay.objects.create(agenda=agenda, date=tuesday)
    with pytest.raises(opening.RuleConflict) as refused:
        opening.apply(agenda)
    assert refused.value.appointments == [appointment]
    assert appointment.reference in str(refused.value)
    assert Slot.objects.filter(agenda=agenda).count() == before  # nothing changed
    assert slot_at(agenda, tuesday, 10).booked == 1


def test_shrinking_below_the_places_taken_is_refused(agenda):
    tuesday = a_working_day(agenda)
    slot = slot_at(agenda, tuesday, 10)
    book(agenda, slot, email="a@example.org")
    book(agenda, slot, email="b@example.org")
    Resource.objects.filter(agenda=agenda, name="Desk 2").update(active=False)
    with pytest.raises(opening.RuleConflict):
        opening.apply(agenda)
    # an empty day shrinks without complaint
    assert slot_at(agenda, tuesday, 11).capacity == 2
    opening.apply(agenda, start=tuesday + dt.timedelta(days=1))
    assert slot_at(agenda, tuesday + dt.timedelta(days=7), 11).capacity == 1


def test_longer_slots_move_only_free_slots(agenda):
    tuesday = a_working_day(agenda)
    TimeRange.objects.filter(rule__agenda=agenda).update(slot_minutes=30)
    opening.apply(agenda)
    assert local_times(agenda, tuesday) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
