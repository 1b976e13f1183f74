"""The configuration screens as an administrator uses them: services, categories, locations,
agendas, resources, typical weeks, specific and closing days, slots; who may do what; rule
changes that would orphan an appointment; a desk added for a day; bulk closing; bad input."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

import pytest
from appointments_samples import a_working_day, book, identity_cards, slot_at
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lutetia_appointments import availability, booking, opening
from lutetia_appointments.models import (
    Agenda,
    Appointment,
    Category,
    ClosingDay,
    Location,
    Service,
    Slot,
    SpecificDay,
    TimeRange,
    WeekRule,
)

from lutetia.audit.models import AuditEntry
from lutetia.resources import scope_removed
from lutetia.testing.pytest_plugin import grant, in_site_language

pytestmark = pytest.mark.django_db

RIGHT = "appointments.configure_agendas"


def url(name, *args):
    return reverse(f"appointments_config:{name}", args=args)


def booked(agenda, slot, **kwargs) -> Appointment:
    """An appointment booked by a citizen (hold, then confirm)."""
    appointment, _secret = book(agenda, slot, **kwargs)
    return appointment


def text(response) -> str:
    return response.content.decode()


def shown(response, message: str, **values) -> bool:
    """Whether the page shows ``message`` (translated as the page is), HTML-escaped."""
    from django.utils.html import escape

    wanted = in_site_language(lambda: _(message) % values if values else _(message))
    return escape(wanted) in text(response)


@pytest.fixture
def admin(client, site_admin):
    client.force_login(site_admin)
    return client


@pytest.fixture
def scoped(agenda, workgroup):
    """The identity-card agenda, its service given to ``workgroup``."""
    Service.objects.filter(pk=agenda.service_id).update(workgroup=workgroup)
    agenda.service.refresh_from_db()
    return agenda


def ranges_data(rows, prefix="ranges", initial=0, weekday=True):
    """The formset's POST for ``rows`` (dicts of the range fields)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            if key == "weekday" and not weekday:
                continue
            data[f"{prefix}-{index}-{key}"] = value
    return data


def existing_ranges(week, **changes):
    rows = []
    for time_range in week.ranges.order_by("weekday", "starts_at"):
        row = {
            "id": str(time_range.pk),
            "weekday": str(time_range.weekday),
            "starts_at": time_range.starts_at.strftime("%H:%M"),
            "ends_at": time_range.ends_at.strftime("%H:%M"),
            "slot_minutes": str(time_range.slot_minutes),
            "capacity": "" if time_range.capacity is None else str(time_range.capacity),
        }
        row.update(changes)
        rows.append(row)
    return rows


class _FormReader(HTMLParser):
    """The values a browser would post from the page's form number ``index``."""

    def __init__(self, index):
        super().__init__()
        self.index, self.seen, self.inside = index, -1, False
        self.values: list[tuple[str, str]] = []
        self.select = self.textarea = None
        self.select_value = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.seen += 1
            self.inside = self.seen == self.index
        if not self.inside or (not attrs.get("name") and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                self.values.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self.select, self.select_value = attrs["name"], None
        elif tag == "option" and self.select:
            if "selected" in attrs or self.select_value is None:
                self.select_value = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.values.append((self.textarea, ""))

    def handle_data(self, data):
        if self.textarea:
            name, value = self.values.pop()
            self.values.append((name, value + data))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            self.values.append((self.select, self.select_value or ""))
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_values(response, index=0) -> dict[str, list[str]]:
    reader = _FormReader(index)
    reader.feed(text(response))
    found: dict[str, list[str]] = {}
    for name, value in reader.values:
        found.setdefault(name, []).append(value.lstrip("\n"))
    return found


def every_address(agenda):
    service = agenda.service
    resource = agenda.resources.first()
    week = agenda.week_rules.first()
    day = SpecificDay.objects.create(agenda=agenda, date=a_working_day(agenda, weeks=6))
    closed = ClosingDay.objects.create(agenda=agenda, date=a_working_day(agenda, weeks=7))
    return [
        url("service", service.pk),
        url("service_edit", service.pk),
        url("questions", service.pk),
        url("duplicate", service.pk),
        url("agenda_add", service.pk),
        url("agenda", agenda.pk),
        url("agenda_edit", agenda.pk),
        url("resource_add", agenda.pk),
        url("resource", agenda.pk, resource.pk),
        url("resource_delete", agenda.pk, resource.pk),
        url("week_add", agenda.pk),
        url("week", agenda.pk, week.pk),
        url("day_add", agenda.pk),
        url("day", agenda.pk, day.pk),
        url("closing_add", agenda.pk),
        url("rule_delete", agenda.pk, "week", week.pk),
        url("rule_delete", agenda.pk, "day", day.pk),
        url("rule_delete", agenda.pk, "closing", closed.pk),
        url("slots", agenda.pk),
    ]


def slot_state(agenda):
    return list(
        Slot.objects.filter(agenda=agenda)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "capacity", "added", "is_open", "booked")
    )


# --- screens and rights -------------------------------------------------------------------------


def test_every_screen_opens_for_a_site_admin(admin, agenda):
    category = Category.objects.get()
    for address in [
        url("index"),
        url("service_add"),
        url("categories"),
        url("category_add"),
        url("category", category.pk),
        url("locations"),
        url("location_add"),
        url("location", agenda.location.pk),
        *every_address(agenda),
    ]:
        response = admin.get(address)
        assert response.status_code == 200, address
    assert "Identity card" in text(admin.get(url("index")))
    assert "Town hall" in text(admin.get(url("locations")))
    assert "Identity papers" in text(admin.get(url("categories")))


def test_the_menu_links_to_the_configuration_for_those_with_the_right(client, agent):
    client.force_login(agent)
    assert url("index") not in text(client.get("/admin/"))
    client.force_login(grant(agent, RIGHT))
    assert url("index") in text(client.get("/admin/"))


def test_the_right_is_offered_to_roles(admin):
    from django.contrib.auth.models import Permission
    from wagtail import hooks

    offered = [
        permission for hook in hooks.get_hooks("register_permissions") for permission in hook()
    ]
    assert Permission.objects.get(codename="configure_agendas") in offered


def test_an_agent_without_the_right_is_refused_everywhere(client, agent, scoped):
    client.force_login(agent)
    for address in [url("index"), url("locations"), url("categories"), *every_address(scoped)]:
        response = client.get(address)
        assert response.status_code == 302 and response["Location"] == "/admin/", address
        response = client.get(address, headers={"x-requested-with": "XMLHttpRequest"})
        assert response.status_code == 403, address
    before = slot_state(scoped)
    client.post(url("toggle", scoped.service.pk))
    client.post(url("desk", scoped.pk), {"day": a_working_day(scoped).isoformat(), "action": "add"})
    client.post(url("service_add"), {"title": "Intruder", "slug": "intruder"})
    assert slot_state(scoped) == before
    assert Service.objects.get().enabled is True and Service.objects.count() == 1


def test_another_workgroups_service_answers_404(client, agent_other_workgroup, scoped):
    client.force_login(grant(agent_other_workgroup, RIGHT))
    for address in every_address(scoped):
        assert client.get(address).status_code == 404, address
    slot = Slot.objects.filter(agenda=scoped).first()
    assert client.post(url("toggle", scoped.service.pk)).status_code == 404
    assert (
        client.post(
            url("slots_bulk", scoped.pk), {"action": "close", "slots": [slot.pk]}
        ).status_code
        == 404
    )
    assert (
        client.post(url("service_edit", scoped.service.pk), {"title": "Taken"}).status_code == 404
    )
    Service.objects.update(enabled=False)
    assert client.post(url("service_delete", scoped.service.pk)).status_code == 404
    assert client.post(url("agenda_delete", scoped.pk)).status_code == 404
    Service.objects.update(enabled=True)
    assert "Identity card" not in text(client.get(url("index")))
    slot.refresh_from_db()
    assert slot.is_open and Service.objects.get().title == "Identity card"


def test_an_agent_of_the_workgroup_with_the_right_configures_its_service(client, agent, scoped):
    client.force_login(grant(agent, RIGHT))
    assert "Identity card" in text(client.get(url("index")))
    for address in every_address(scoped):
        assert client.get(address).status_code == 200, address


# --- services, categories, locations ------------------------------------------------------------


def service_data(**changes):
    data = {
        "title": "Passport",
        "slug": "passport",
        "description": "Apply for a passport.",
        "min_notice_minutes": "120",
        "horizon_days": "30",
        "max_people": "2",
        "max_slots": "1",
        "overlap_forbidden": "on",
        "hold_minutes": "10",
        "cancel_notice_hours": "24",
        "reminder_hours": "48",
        "offer_hours": "12",
        "reference_prefix": "PAS",
        "confirmation_message": "Bring your old passport.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_creating_a_service_location_agenda_desk_and_week_makes_bookable_slots(
    admin, default_site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            url("location_add"),
            {
                "name": "Annex",
                "address": "2 rue Haute",
                "postal_code": "67000",
                "city": "Strasbourg",
                "latitude": "48.58",
                "longitude": "7.75",
                "holiday_country": "fr",
                "holiday_region": "6ae",
            },
        )
        assert response.status_code == 302
        location = Location.objects.get(name="Annex")
        assert (location.holiday_country, location.holiday_region) == ("FR", "6AE")

        response = admin.post(
            url("category_add"), {"name": "Papers", "order": "1", "max_future": "2"}
        )
        assert response.status_code == 302
        category = Category.objects.get(name="Papers")

        response = admin.post(
            url("service_add"),
            service_data(
                category=str(category.pk),
                enabled="on",
                release_weekday="0",
                release_time="08:00",
                release_weeks="4",
                waiting_list="on",
                reminder_sms="on",
                max_future="1",
                min_days_between="30",
                valid_from=dt.date.today().isoformat(),
            ),
        )
        assert response.status_code == 302
        service = Service.objects.get(slug="passport")
        assert (service.max_people, service.release_weeks, service.reference_prefix) == (
            2,
            4,
            "PAS",
        )
        assert service.waiting_list and service.reminder_sms and service.category == category

        response = admin.post(
            url("agenda_add", service.pk),
            {
                "location": str(location.pk),
                "time_zone": "Europe/Paris",
                "enabled": "on",
                "close_on_holidays": "on",
            },
        )
        assert response.status_code == 302
        agenda = Agenda.objects.get(service=service)
        response = admin.post(
            url("resource_add", agenda.pk),
            {"name": "Desk A", "kind": "desk", "places": "2", "active": "on"},
        )
        assert response.status_code == 302
        week = ranges_data(
            [
                {
                    "weekday": str(day),
                    "starts_at": "09:00",
                    "ends_at": "11:00",
                    "slot_minutes": "30",
                }
                for day in range(5)
            ]
        )
        response = admin.post(
            url("week_add", agenda.pk),
            {"name": "Winter", "starts_on": dt.date.today().isoformat(), **week},
        )
        assert response.status_code == 302
    assert TimeRange.objects.filter(rule__agenda=agenda).count() == 5
    response = admin.get(response["Location"])
    assert shown(
        response,
        "Slots: %(created)s created, %(updated)s updated, %(removed)s removed.",
        created=Slot.objects.filter(agenda=agenda).count(),
        updated=0,
        removed=0,
    )
    slots = Slot.objects.filter(agenda=agenda)
    assert slots.exists() and {slot.capacity for slot in slots} == {2}
    # after the next release, citizens see them
    now = dt.datetime.combine(
        dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday()),
        dt.time(9),
        tzinfo=dt.UTC,
    )
    assert availability.bookable_slots(service, now).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "appointments.location_created",
        "appointments.category_created",
        "appointments.service_created",
        "appointments.agenda_created",
        "appointments.resource_created",
        "appointments.week_created",
    } <= actions


def test_a_service_form_with_bad_values_comes_back_with_messages(admin, agenda):
    response = admin.post(
        url("service_add"),
        service_data(
            slug="identity-card",
            reference_prefix="x",
            horizon_days="0",
            valid_from="2030-02-01",
            valid_until="2030-01-01",
            release_weekday="0",
        ),
    )
    assert response.status_code == 400
    assert shown(response, "Another service already has this address.")
    assert shown(response, "The last day comes before the first one.")
    assert shown(
        response,
        "A release needs its day, its time and its number of weeks (or none of them).",
    )
    assert Service.objects.count() == 1


def test_editing_a_service_keeps_its_slots_and_records_it(
    admin, agenda, django_capture_on_commit_callbacks
):
    service = agenda.service
    before = slot_state(agenda)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            url("service_edit", service.pk),
            service_data(
                title="Identity card (new)",
                slug="identity-card",
                horizon_days="60",
                enabled="on",
                category=str(service.category_id),
            ),
        )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.title == "Identity card (new)" and service.reference_prefix == "PAS"
    assert slot_state(agenda) == before
    entry = AuditEntry.objects.get(action="appointments.service_changed")
    assert "title" in entry.details_dict["fields"]


def test_duplicate_and_toggle(admin, agenda):
    service = agenda.service
    desk_2 = agenda.resources.get(name="Desk 2")
    agenda.week_rules.get().ranges.get(weekday=1).resources.set([desk_2])
    response = admin.post(url("duplicate", service.pk))
    copy = Service.objects.exclude(pk=service.pk).get()
    assert response.status_code == 302 and response["Location"] == url("service", copy.pk)
    assert copy.slug == "identity-card-2" and copy.enabled is False
    new_agenda = copy.agendas.get()
    assert new_agenda.resources.count() == 2
    assert new_agenda.week_rules.get().ranges.count() == 5
    tuesday = new_agenda.week_rules.get().ranges.get(weekday=1)
    assert [(r.name, r.agenda_id) for r in tuesday.resources.all()] == [("Desk 2", new_agenda.pk)]
    assert (
        Slot.objects.filter(agenda=new_agenda).count() == Slot.objects.filter(agenda=agenda).count()
    )
    assert not Appointment.objects.filter(service=copy).exists()

    admin.post(url("toggle", service.pk))
    service.refresh_from_db()
    assert service.enabled is False
    admin.post(url("toggle", service.pk))
    service.refresh_from_db()
    assert service.enabled is True


def test_a_location_with_an_unknown_country_or_region_is_refused(admin, default_site):
    response = admin.post(
        url("location_add"), {"name": "X", "address": "1 rue", "holiday_country": "ZZ"}
    )
    assert response.status_code == 400
    assert shown(response, "The public holidays of “%(country)s” are not known.", country="ZZ")
    response = admin.post(
        url("location_add"),
        {
            "name": "X",
            "address": "1 rue",
            "holiday_country": "FR",
            "holiday_region": "99",
            "latitude": "123",
        },
    )
    assert response.status_code == 400
    assert "99" in text(response) and shown(response, "Between -%(limit)s and %(limit)s.", limit=90)
    assert not Location.objects.filter(name="X").exists()


def test_a_category_name_is_unique(admin, agenda):
    response = admin.post(url("category_add"), {"name": "Identity papers", "order": "0"})
    assert response.status_code == 400
    assert shown(response, "Another category already has this name.")


# --- deleting ------------------------------------------------------------------------------------


def test_a_service_never_booked_is_deleted_once_offline(
    admin, agenda, django_capture_on_commit_callbacks
):
    service = agenda.service
    page = admin.get(url("service_delete", service.pk))
    assert shown(page, "Put the service offline first: citizens may be booking it.")
    assert "button no" not in text(page)  # no delete button
    assert admin.post(url("service_delete", service.pk)).status_code == 409
    assert Service.objects.filter(pk=service.pk).exists()

    admin.post(url("toggle", service.pk))  # offline
    removed_scopes = []

    def heard(sender, resource_type, scope, **kwargs):
        removed_scopes.append((resource_type, scope))

    scope_removed.connect(heard, weak=False)
    page = admin.get(url("service_delete", service.pk))
    assert "button no" in text(page)
    assert in_site_language("its questions and its waiting list") in text(page)
    with django_capture_on_commit_callbacks(execute=True):  # PostgreSQL: audit at commit
        answer = admin.post(url("service_delete", service.pk))
    assert answer.status_code == 302 and answer["Location"] == url("index")
    assert not Service.objects.exists() and not Agenda.objects.exists()
    assert not Slot.objects.exists() and not WeekRule.objects.exists()
    assert removed_scopes == [("appointments.appointment", f"service:{service.pk}")]
    entry = AuditEntry.objects.get(action="appointments.service_deleted")
    assert entry.target_label == "Identity card" and entry.actor_id
    assert admin.get(url("service", service.pk)).status_code == 404
    scope_removed.disconnect(heard)


def test_a_service_or_agenda_that_had_an_appointment_is_kept(
    admin, agenda, django_capture_on_commit_callbacks
):
    slot = slot_at(agenda, a_working_day(agenda), 9)
    appointment = booked(agenda, slot)
    booking.cancel(appointment, actor=None, reason="")  # cancelled: still history
    Service.objects.update(enabled=False)
    Agenda.objects.update(enabled=False)
    for name, pk in (("service_delete", agenda.service.pk), ("agenda_delete", agenda.pk)):
        page = admin.get(url(name, pk))
        assert "button no" not in text(page)
        with django_capture_on_commit_callbacks(execute=True):
            answer = admin.post(url(name, pk))
        assert answer.status_code == 409
        history = in_site_language(
            lambda: (
                ngettext(
                    "It has %(count)s appointment (past, to come or being booked): deleting it would "
                    "lose its history.",
                    "It has %(count)s appointments (past, to come or being booked): deleting it "
                    "would lose their history.",
                    1,
                )
                % {"count": 1}
            )
        )
        assert escape(history) in text(answer)
    assert Agenda.objects.filter(pk=agenda.pk).exists()
    assert Appointment.objects.filter(pk=appointment.pk).exists()
    assert not AuditEntry.objects.filter(action__endswith="_deleted").exists()


def test_an_agenda_closed_to_bookings_and_never_booked_is_deleted(admin, agenda):
    from lutetia_appointments.models import AgendaNote

    page = admin.get(url("agenda_delete", agenda.pk))
    assert shown(page, "Close the agenda to bookings first: citizens may be booking it.")
    Agenda.objects.update(enabled=False)
    day = dt.date.today()
    AgendaNote.objects.create(agenda=agenda, starts_on=day, ends_on=day, text="Desk 2 closed")
    page = admin.get(url("agenda_delete", agenda.pk))
    one_note = in_site_language(
        lambda: (
            ngettext(
                "%(count)s note the agents wrote on the calendar",
                "%(count)s notes the agents wrote on the calendar",
                1,
            )
            % {"count": 1}
        )
    )
    assert escape(one_note) in text(page)
    answer = admin.post(url("agenda_delete", agenda.pk))
    assert answer.status_code == 302
    assert answer["Location"] == url("service", agenda.service.pk)
    assert not Agenda.objects.exists() and Service.objects.exists()
    assert not Slot.objects.exists() and not AgendaNote.objects.exists()


def test_a_location_in_use_is_kept_and_a_deleted_category_leaves_its_services(admin, agenda):
    location = agenda.location
    answer = admin.post(url("location_delete", location.pk))
    assert answer.status_code == 409
    assert "Identity card" in text(answer) and Location.objects.filter(pk=location.pk).exists()
    spare = Location.objects.create(site=location.site, name="Annex", address="1 rue Haute")
    delete_link = f'href="{url("location_delete", spare.pk)}"'
    assert delete_link in text(admin.get(url("locations")))
    assert admin.post(url("location_delete", spare.pk)).status_code == 302
    assert not Location.objects.filter(pk=spare.pk).exists()

    category = Category.objects.create(site=location.site, name="Papers")
    Service.objects.update(category=category)
    page = admin.get(url("category_delete", category.pk))
    assert "button no" in text(page)
    no_category = in_site_language(
        lambda: (
            ngettext(
                "%(count)s service will have no category",
                "%(count)s services will have no category",
                1,
            )
            % {"count": 1}
        )
    )
    assert escape(no_category) in text(page)
    assert admin.post(url("category_delete", category.pk)).status_code == 302
    assert not Category.objects.filter(pk=category.pk).exists()
    assert Service.objects.get().category is None
    assert admin.get(url("category_delete", 999)).status_code == 404


# --- questions ----------------------------------------------------------------------------------


def test_invalid_questions_json_shows_messages_and_saves_nothing(admin, agenda):
    service = agenda.service
    response = admin.post(url("questions_json", service.pk), {"questions": "[{not json"})
    assert response.status_code == 400
    assert in_site_language("This is not valid JSON: %(error)s").split(":")[0] in text(response)

    questions = [
        {"key": "Document", "label": "Document", "type": "text"},
        {"key": "colour", "label": "", "type": "paint"},
    ]
    response = admin.post(url("questions_json", service.pk), {"questions": json.dumps(questions)})
    assert response.status_code == 400
    assert shown(response, "Question %(n)s has no label.", n=2)
    assert shown(response, "Question %(n)s: unknown type “%(type)s”.", n=2, type="paint")
    service.refresh_from_db()
    assert service.questions == []

    good = [
        {
            "key": "document",
            "label": "Document wanted",
            "type": "choice",
            "required": True,
            "choices": [["id", "Identity card"], ["passport", "Passport"]],
        }
    ]
    response = admin.post(url("questions_json", service.pk), {"questions": json.dumps(good)})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.questions[0]["key"] == "document" and service.questions[0]["required"] is True
    page = text(admin.get(url("questions", service.pk)))
    assert "Document wanted" in page and "Passport" in page


def test_the_forms_question_types_are_offered_where_that_plugin_is_on(admin, agenda):
    from lutetia.plugins import set_enabled

    service = agenda.service
    arrival = {
        "key": "arrival",
        "label": "Arrival time",
        "type": "forms.time",
        "required": True,
        "config": {"min": "08:00", "max": "12:00"},
    }
    page = admin.get(url("questions_json", service.pk))
    assert "forms.time" in text(page) and "forms.choices" in text(page)  # listed in the help
    wrong = {**arrival, "key": "papers", "type": "forms.choices", "config": {"choices": "x"}}
    response = admin.post(url("questions_json", service.pk), {"questions": json.dumps([wrong])})
    assert response.status_code == 400  # the forms type's own check of its settings
    response = admin.post(url("questions_json", service.pk), {"questions": json.dumps([arrival])})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.questions[0]["config"] == {"min": "08:00", "max": "12:00"}
    assert in_site_language("Time") in text(admin.get(url("questions", service.pk)))

    set_enabled(service.site, "forms", False)
    response = admin.post(url("questions_json", service.pk), {"questions": json.dumps([arrival])})
    assert response.status_code == 400
    assert shown(response, "Question %(n)s: unknown type “%(type)s”.", n=1, type="forms.time")


def question_data(**values):
    return {"label": "", "key": "", "help": "", **values}


def test_questions_are_added_changed_ordered_and_removed_without_json(
    admin, agenda, django_capture_on_commit_callbacks
):
    service = agenda.service
    page = text(admin.get(url("questions", service.pk)))
    assert 'value="choice"' in page and 'value="forms.time"' in page  # the types offered
    assert admin.get(url("question_add", service.pk) + "?type=choice").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):  # PostgreSQL: audit at commit
        response = admin.post(
            url("question_add", service.pk) + "?type=choice",
            question_data(
                label="Document wanted",
                required="on",
                choices="id|Identity card\npassport|Passport",
            ),
        )
        assert response.status_code == 302
        response = admin.post(
            url("question_add", service.pk) + "?type=yes_no",
            question_data(label="Do you need an interpreter?", key="interpreter"),
        )
        assert response.status_code == 302
    service.refresh_from_db()
    assert service.questions == [
        {
            "key": "document_wanted",  # made from the label
            "label": "Document wanted",
            "type": "choice",
            "required": True,
            "help": "",
            "choices": [["id", "Identity card"], ["passport", "Passport"]],
        },
        {
            "key": "interpreter",
            "label": "Do you need an interpreter?",
            "type": "yes_no",
            "required": False,
            "help": "",
        },
    ]
    assert AuditEntry.objects.filter(action="appointments.questions_changed").count() == 2

    # the page to change one shows what it is; its key stays, whatever is posted
    page = text(admin.get(url("question", service.pk, "document_wanted")))
    assert "id|Identity card" in page and "Document wanted" in page
    response = admin.post(
        url("question", service.pk, "document_wanted"),
        question_data(label="Document", key="other", choices="id|Identity card"),
    )
    assert response.status_code == 302
    admin.post(url("question_command", service.pk, "interpreter", "up"))
    service.refresh_from_db()
    assert [q["key"] for q in service.questions] == ["interpreter", "document_wanted"]
    assert service.questions[1]["label"] == "Document"
    assert service.questions[1]["choices"] == [["id", "Identity card"]]
    assert service.questions[1]["required"] is False  # unticked

    # a removed question's answers stay readable under its key
    slot = slot_at(agenda, a_working_day(agenda), 9)
    appointment = booked(agenda, slot)
    answers = {"document_wanted": "id", "interpreter": True}
    Appointment.objects.filter(pk=appointment.pk).update(answers=answers)
    admin.post(url("question_command", service.pk, "document_wanted", "delete"))
    service.refresh_from_db()
    assert [q["key"] for q in service.questions] == ["interpreter"]
    appointment.refresh_from_db()
    from lutetia_appointments import questions

    assert questions.readable(service.questions, appointment.answers) == [
        ("Do you need an interpreter?", in_site_language("Yes")),
        (in_site_language("%(key)s (question removed)") % {"key": "document_wanted"}, "id"),
    ]


def test_bad_question_input_gets_messages_and_changes_nothing(
    admin, agenda, django_capture_on_commit_callbacks
):
    service = agenda.service
    Service.objects.filter(pk=service.pk).update(
        questions=[{"key": "document", "label": "Document", "type": "text", "required": False}]
    )
    add = url("question_add", service.pk)
    cases = [
        ("text", question_data(), "This field is required."),
        ("text", question_data(label="Age", key="Bad Key"), None),
        ("text", question_data(label="Age", key="email"), None),  # a field of the page
        (
            "text",
            question_data(label="Again", key="document"),
            "Another question of this service has this key.",
        ),
        (
            "choice",
            question_data(label="Which?", choices="|Only a label"),
            "Give at least one choice.",
        ),
        (
            "choice",
            question_data(label="Which?", choices="a|A\na|B"),
            "Two choices have the same value.",
        ),
    ]
    for kind, data, message in cases:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(f"{add}?type={kind}", data)
        assert response.status_code == 400, data
        if message:
            assert shown(response, message), message
    assert admin.get(f"{add}?type=paint").status_code == 404
    assert admin.get(add).status_code == 404
    assert admin.get(url("question", service.pk, "nothing")).status_code == 404
    assert (
        admin.post(url("question_command", service.pk, "document", "sideways")).status_code == 404
    )
    assert admin.post(url("question_command", service.pk, "nothing", "delete")).status_code == 404
    assert admin.get(url("question_command", service.pk, "document", "delete")).status_code == 405
    service.refresh_from_db()
    assert [q["key"] for q in service.questions] == ["document"]
    assert not AuditEntry.objects.filter(action="appointments.questions_changed").exists()


def test_a_forms_type_is_set_by_its_own_fields_and_survives_the_plugin_switched_off(admin, agenda):
    from lutetia.plugins import set_enabled

    service = agenda.service
    add = url("question_add", service.pk) + "?type=forms.choices"
    page = text(admin.get(add))
    assert 'name="config_choices"' in page and 'name="config_max"' in page
    data = question_data(label="Papers you bring", config_choices="id|Identity card\nold|Old one")
    response = admin.post(add, {**data, "config_max": "many"})
    assert response.status_code == 400  # not a number, shown at the field
    response = admin.post(add, {**data, "config_min": "2", "config_max": "1"})
    assert response.status_code == 400  # the type's own check
    assert shown(response, "The minimum is greater than the maximum.")
    service.refresh_from_db()
    assert service.questions == []

    response = admin.post(add, {**data, "config_max": "1"})
    assert response.status_code == 302
    admin.post(url("question_add", service.pk) + "?type=text", question_data(label="Comment"))
    service.refresh_from_db()
    papers = service.questions[0]
    assert papers["type"] == "forms.choices" and papers["config"]["max"] == 1
    assert papers["config"]["choices"] == [
        {"value": "id", "label": "Identity card"},
        {"value": "old", "label": "Old one"},
    ]
    assert "id|Identity card" in text(admin.get(url("question", service.pk, papers["key"])))

    set_enabled(service.site, "forms", False)
    page = admin.get(url("questions", service.pk))
    assert shown(
        page,
        "This type is no longer offered on this site: the question is asked as plain text. "
        "Remove it, or switch the plugin on again.",
    )
    assert admin.get(url("question", service.pk, papers["key"])).status_code == 404
    # the other questions can still be changed, the orphan removed
    response = admin.post(url("question", service.pk, "comment"), question_data(label="Notes"))
    assert response.status_code == 302
    admin.post(url("question_command", service.pk, papers["key"], "delete"))
    service.refresh_from_db()
    assert [(q["key"], q["label"]) for q in service.questions] == [("comment", "Notes")]


def test_another_workgroups_questions_answer_404(client, agent_other_workgroup, scoped):
    client.force_login(grant(agent_other_workgroup, RIGHT))
    service = scoped.service
    Service.objects.filter(pk=service.pk).update(
        questions=[{"key": "document", "label": "Document", "type": "text", "required": False}]
    )
    for path in (
        url("questions", service.pk),
        url("question_add", service.pk) + "?type=text",
        url("question", service.pk, "document"),
        url("questions_json", service.pk),
    ):
        assert client.get(path).status_code == 404, path
    response = client.post(url("question_command", service.pk, "document", "delete"))
    assert response.status_code == 404
    service.refresh_from_db()
    assert len(service.questions) == 1


# --- opening rules ------------------------------------------------------------------------------


def test_invalid_time_ranges_show_messages_and_change_nothing(admin, agenda):
    week = agenda.week_rules.get()
    before = slot_state(agenda)
    data = ranges_data(existing_ranges(week, starts_at="12:00", ends_at="09:00"), initial=5)
    response = admin.post(
        url("week", agenda.pk, week.pk), {"starts_on": week.starts_on.isoformat(), **data}
    )
    assert response.status_code == 400
    assert shown(response, "The end comes before the start.")

    overlapping = [
        *existing_ranges(week),
        {"weekday": "0", "starts_at": "11:00", "ends_at": "13:00", "slot_minutes": "20"},
    ]
    response = admin.post(
        url("week", agenda.pk, week.pk),
        {"starts_on": week.starts_on.isoformat(), **ranges_data(overlapping, initial=5)},
    )
    assert response.status_code == 400
    assert in_site_language("Opening hours overlap on %(day)s: %(first)s and %(second)s.").split(
        "%"
    )[0] in text(response)

    response = admin.post(
        url("week_add", agenda.pk),
        {"starts_on": "2030-05-01", "ends_on": "2030-04-01", **ranges_data([])},
    )
    assert response.status_code == 400
    assert shown(response, "The last day comes before the first one.")
    assert WeekRule.objects.filter(agenda=agenda).count() == 1
    assert set(week.ranges.values_list("starts_at", "ends_at")) == {(dt.time(9), dt.time(12))}
    assert slot_state(agenda) == before


def test_a_rule_change_that_would_orphan_a_booking_is_refused_and_lists_it(
    admin, agenda, django_capture_on_commit_callbacks
):
    day = a_working_day(agenda)
    appointment = booked(agenda, slot_at(agenda, day, 10))
    week = agenda.week_rules.get()
    before = slot_state(agenda)

    # afternoons instead of mornings: the 10:00 slot would go
    data = ranges_data(existing_ranges(week, starts_at="13:00", ends_at="16:00"), initial=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            url("week", agenda.pk, week.pk), {"starts_on": week.starts_on.isoformat(), **data}
        )
    assert response.status_code == 409
    page = text(response)
    assert appointment.reference in page and "Camille Martin" in page
    assert shown(response, "Nothing was changed: these appointments would lose their slot")
    assert set(week.ranges.values_list("starts_at", "ends_at")) == {(dt.time(9), dt.time(12))}
    assert slot_state(agenda) == before
    assert AuditEntry.objects.filter(action="appointments.week_changed", outcome="denied").exists()
    assert not AuditEntry.objects.filter(
        action="appointments.week_changed", outcome="success"
    ).exists()

    # closing that day, deleting the week, a specific day without the 10:00 slot: refused too
    response = admin.post(url("closing_add", agenda.pk), {"date": day.isoformat()})
    assert response.status_code == 409 and appointment.reference in text(response)
    assert not ClosingDay.objects.exists()
    response = admin.post(url("rule_delete", agenda.pk, "week", week.pk))
    assert response.status_code == 409 and WeekRule.objects.filter(pk=week.pk).exists()
    response = admin.post(
        url("day_add", agenda.pk),
        {
            "date": day.isoformat(),
            **ranges_data(
                [{"starts_at": "14:00", "ends_at": "15:00", "slot_minutes": "20"}], weekday=False
            ),
        },
    )
    assert response.status_code == 409 and not SpecificDay.objects.exists()
    assert not TimeRange.objects.filter(specific_day__isnull=False).exists()
    # a resource taken away while the slot is full
    book(agenda, slot_at(agenda, day, 10), email="dominique@example.org")
    desk = agenda.resources.first()
    response = admin.post(
        url("resource", agenda.pk, desk.pk), {"name": desk.name, "kind": "desk", "places": "1"}
    )
    assert response.status_code == 409
    desk.refresh_from_db()
    assert desk.active is True
    assert slot_at(agenda, day, 10).capacity == 2

    # another day is free to close
    other = day + dt.timedelta(days=1)
    response = admin.post(
        url("closing_add", agenda.pk), {"date": other.isoformat(), "reason": "Strike"}
    )
    assert response.status_code == 302
    assert not Slot.objects.filter(agenda=agenda, day=other).exists()
    assert Appointment.objects.get(pk=appointment.pk).status == "booked"


def ics_file(*events, name="closures.ics"):
    """An uploaded calendar file of ``events`` (dicts of VEVENT properties)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//City//Closures//EN")
    calendar.add("version", "2.0")
    for number, properties in enumerate(events):
        event = Event()
        event.add("uid", f"closure-{number}@city.example")
        for key, value in properties.items():
            event.add(key, value)
        calendar.add_component(event)
    return SimpleUploadedFile(name, calendar.to_ical(), content_type="text/calendar")


def test_closing_days_are_read_from_a_calendar_file(admin, agenda):
    day = a_working_day(agenda, weeks=3)
    other = day + dt.timedelta(days=7)
    past = timezone.localdate() - dt.timedelta(days=10)
    upload = ics_file(
        {"summary": "Inventory", "dtstart": day, "dtend": day + dt.timedelta(days=2)},
        {"summary": "Staff training", "dtstart": other},  # no end: one day
        {"summary": "Old closure", "dtstart": past, "dtend": past + dt.timedelta(days=1)},
        {"summary": "Afternoon meeting", "dtstart": dt.datetime.combine(other, dt.time(14))},
        {"summary": "Every Friday", "dtstart": other, "rrule": {"freq": "weekly"}},
    )
    response = admin.post(url("closing_import", agenda.pk), {"calendar": upload}, follow=True)
    assert response.status_code == 200
    closed = dict(ClosingDay.objects.filter(agenda=agenda).values_list("date", "reason"))
    assert closed == {
        day: "Inventory",
        day + dt.timedelta(days=1): "Inventory",
        other: "Staff training",
    }
    assert not Slot.objects.filter(agenda=agenda, day__in=list(closed)).exists()
    page = text(response)
    assert "Afternoon meeting" in page and "Every Friday" in page  # said not read
    said = in_site_language(
        lambda: (
            ngettext(
                "%(count)s day closed from the calendar file.",
                "%(count)s days closed from the calendar file.",
                3,
            )
            % {"count": 3}
        )
    )
    assert escape(said) in page


def test_a_bad_calendar_file_or_one_closing_a_booked_day_changes_nothing(admin, agenda):
    from django.core.files.uploadedfile import SimpleUploadedFile

    day = a_working_day(agenda, weeks=3)
    before = slot_state(agenda)
    cases = [
        (SimpleUploadedFile("x.ics", b"not a calendar"), "This is not a calendar file (.ics)."),
        (
            SimpleUploadedFile("x.ics", b"BEGIN:VEVENT\r\nEND:VEVENT\r\n"),
            "This is not a calendar file (.ics).",
        ),
        (
            ics_file({"summary": "Meeting", "dtstart": dt.datetime.combine(day, dt.time(9))}),
            "No all-day event to come in this file: nothing to close.",
        ),
        (
            ics_file({"summary": "Works", "dtstart": day, "dtend": day + dt.timedelta(days=4000)}),
            None,
        ),
    ]
    for upload, message in cases:
        response = admin.post(url("closing_import", agenda.pk), {"calendar": upload})
        assert response.status_code == 400, message
        if message:
            assert shown(response, message), message
    assert shown(response, "At most %(days)s days at once.", days=366)
    assert admin.post(url("closing_import", agenda.pk), {}).status_code == 400  # no file
    assert slot_state(agenda) == before and not ClosingDay.objects.exists()

    appointment = booked(agenda, slot_at(agenda, day, 9))
    before = slot_state(agenda)
    closing = {"summary": "Strike", "dtstart": day, "dtend": day + dt.timedelta(days=1)}
    response = admin.post(url("closing_import", agenda.pk), {"calendar": ics_file(closing)})
    assert response.status_code == 409 and appointment.reference in text(response)
    assert not ClosingDay.objects.exists() and slot_state(agenda) == before
    assert admin.get(url("closing_import", agenda.pk)).status_code == 302


def test_a_specific_day_replaces_the_week_and_holidays_are_previewed(admin, agenda):
    day = a_working_day(agenda, weeks=3)
    response = admin.post(
        url("day_add", agenda.pk),
        {
            "date": day.isoformat(),
            "note": "Late opening",
            **ranges_data(
                [{"starts_at": "14:00", "ends_at": "18:00", "slot_minutes": "30", "capacity": "1"}],
                weekday=False,
            ),
        },
    )
    assert response.status_code == 302
    slots = Slot.objects.filter(agenda=agenda, day=day).order_by("starts_at")
    assert slots.count() == 8 and {s.capacity for s in slots} == {1}
    page = text(admin.get(url("agenda", agenda.pk)))
    assert "Late opening" in page
    year = opening.local_today(agenda).year
    names = opening.holiday_names("FR", "57", year + 1, "en")
    assert names, "the holidays library knows France"
    # the preview names next year's holidays (Moselle's Saint Stephen's day among them)
    assert dt.date(year + 1, 12, 26) in names
    assert any(str(day.year) in page for day in names)


# --- slots --------------------------------------------------------------------------------------


def test_add_a_desk_for_a_day_then_remove_it(admin, agenda, django_capture_on_commit_callbacks):
    day = a_working_day(agenda)
    other = day + dt.timedelta(days=1)
    others_before = list(
        Slot.objects.filter(agenda=agenda, day=other).values_list("capacity", flat=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url("desk", agenda.pk), {"day": day.isoformat(), "action": "add"})
    assert response.status_code == 302
    slots = Slot.objects.filter(agenda=agenda, day=day)
    assert {(s.capacity, s.added) for s in slots} == {(3, 1)}
    assert (
        list(Slot.objects.filter(agenda=agenda, day=other).values_list("capacity", flat=True))
        == others_before
    )
    assert AuditEntry.objects.filter(action="appointments.desk_added").exists()
    # the rules keep the added place
    opening.apply(agenda)
    assert {(s.capacity, s.added) for s in Slot.objects.filter(agenda=agenda, day=day)} == {(3, 1)}

    # full at 10:00: taking the place back would leave an appointment without one
    slot = slot_at(agenda, day, 10)
    taken = [booked(agenda, slot, email=f"c{n}@example.org") for n in range(3)]
    response = admin.post(url("desk", agenda.pk), {"day": day.isoformat(), "action": "remove"})
    assert response.status_code == 409
    assert all(appointment.reference in text(response) for appointment in taken)
    assert {(s.capacity, s.added) for s in Slot.objects.filter(agenda=agenda, day=day)} == {(3, 1)}

    booking.cancel(taken[0], by_citizen=False)
    response = admin.post(url("desk", agenda.pk), {"day": day.isoformat(), "action": "remove"})
    assert response.status_code == 302
    assert {(s.capacity, s.added) for s in Slot.objects.filter(agenda=agenda, day=day)} == {(2, 0)}
    response = admin.post(url("desk", agenda.pk), {"day": day.isoformat(), "action": "remove"})
    assert response.status_code == 400
    assert shown(response, "No place was added to every slot of this day: none to remove.")
    assert {(s.capacity, s.added) for s in Slot.objects.filter(agenda=agenda, day=day)} == {(2, 0)}


def test_bulk_close_keeps_appointments_and_takes_no_new_booking(admin, agenda, citizen):
    day = a_working_day(agenda)
    nine, ten = slot_at(agenda, day, 9), slot_at(agenda, day, 10)
    appointment = booked(agenda, ten)
    response = admin.post(
        url("slots_bulk", agenda.pk),
        {"action": "close", "slots": [nine.pk, ten.pk], "day": day.isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert appointment.reference in text(response)
    nine.refresh_from_db()
    ten.refresh_from_db()
    assert (nine.is_open, nine.manual, ten.is_open, ten.manual) == (False, True, False, True)
    assert Appointment.objects.get(pk=appointment.pk).status == "booked" and ten.booked == 1
    with pytest.raises(booking.Refused):
        book(agenda, nine, email="late@example.org")
    # rules applied again leave slots closed by hand closed
    opening.apply(agenda)
    nine.refresh_from_db()
    assert nine.is_open is False

    response = admin.post(url("slots_bulk", agenda.pk), {"action": "open", "slots": [nine.pk]})
    assert response.status_code == 302
    nine.refresh_from_db()
    assert nine.is_open is True
    assert booked(agenda, nine, email="late@example.org").status == "booked"


def test_bad_slot_input_gets_a_message_never_a_500(admin, agenda, default_site):
    other_agenda = Agenda.objects.create(
        service=agenda.service,
        location=Location.objects.create(site=default_site, name="Annex", address="2 rue"),
    )
    foreign = Slot.objects.create(
        agenda=other_agenda,
        starts_at=dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(2030, 1, 7, 10, tzinfo=dt.UTC),
        day=dt.date(2030, 1, 7),
        capacity=1,
    )
    assert admin.get(url("slots", agenda.pk), {"day": "yesterday"}).status_code == 400
    response = admin.post(url("slots_bulk", agenda.pk), {"action": "close", "slots": [foreign.pk]})
    assert response.status_code == 400
    foreign.refresh_from_db()
    assert foreign.is_open
    assert (
        admin.post(url("slots_bulk", agenda.pk), {"action": "melt", "slots": ["x"]}).status_code
        == 400
    )
    assert admin.post(url("desk", agenda.pk), {"day": "31/02", "action": "add"}).status_code == 400
    response = admin.post(url("desk", agenda.pk), {"day": "2001-01-01", "action": "add"})
    assert response.status_code == 400 and shown(response, "This day is past.")
    response = admin.post(url("closing_add", agenda.pk), {"date": "2001-01-01"})
    assert response.status_code == 400 and not ClosingDay.objects.exists()
    response = admin.post(
        url("closing_add", agenda.pk), {"date": "2030-01-10", "until": "2030-01-01"}
    )
    assert response.status_code == 400 and shown(
        response, "The last day comes before the first one."
    )
    assert admin.get(url("rule_delete", agenda.pk, "nothing", 1)).status_code == 404
    assert admin.get(url("week", agenda.pk, 999999)).status_code == 404
    week = agenda.week_rules.get()
    assert admin.get(url("week", other_agenda.pk, week.pk)).status_code == 404


def test_slots_page_shows_the_week(admin, agenda):
    day = a_working_day(agenda)
    book(agenda, slot_at(agenda, day, 9, 20))
    response = admin.get(url("slots", agenda.pk), {"day": day.isoformat(), "span": "week"})
    assert response.status_code == 200
    page = text(response)
    assert "09:20" in page and "Camille Martin" in page
    slot_count = Slot.objects.filter(
        agenda=agenda, day__range=(day - dt.timedelta(days=1), day + dt.timedelta(days=5))
    ).count()
    assert page.count('name="slots"') == slot_count


def test_the_rule_pages_post_back_as_they_show(admin, agenda):
    """What the week and day pages render, posted back unchanged, changes nothing."""
    week = agenda.week_rules.get()
    before = slot_state(agenda)
    page = admin.get(url("week", agenda.pk, week.pk))
    # the page's forms: the search form of Wagtail's header may come first
    values = next(
        form_values(page, index)
        for index in range(5)
        if "ranges-TOTAL_FORMS" in form_values(page, index)
    )
    assert values["ranges-TOTAL_FORMS"] == ["7"] and values["ranges-INITIAL_FORMS"] == ["5"]
    response = admin.post(url("week", agenda.pk, week.pk), values)
    assert response.status_code == 302, text(response)
    assert week.ranges.count() == 5 and slot_state(agenda) == before
    assert shown(admin.get(response["Location"]), "The slots were already as the rules say.")

    # the same page, one line's end moved and a Saturday morning added in a blank line
    values["ranges-0-ends_at"] = ["11:00"]
    values.update(
        {
            "ranges-5-weekday": ["5"],
            "ranges-5-starts_at": ["09:00"],
            "ranges-5-ends_at": ["10:00"],
            "ranges-5-slot_minutes": ["30"],
            "ranges-5-capacity": ["1"],
        }
    )
    response = admin.post(url("week", agenda.pk, week.pk), values)
    assert response.status_code == 302
    assert week.ranges.count() == 6
    saturday = a_working_day(agenda) + dt.timedelta(days=4)
    assert Slot.objects.filter(agenda=agenda, day=saturday).count() == 2


def test_hours_received_by_some_resources_give_their_places_and_their_desk(admin, agenda):
    """Desk 2 alone receives on Tuesday mornings: those slots have its places, and its
    appointments are given to it; taking it away is refused while one is booked."""
    week = agenda.week_rules.get()
    desk_1, desk_2 = agenda.resources.order_by("name")
    page = admin.get(url("week", agenda.pk, week.pk))
    assert 'name="ranges-0-resources"' in text(page) and desk_2.name in text(page)
    values = next(
        form_values(page, index)
        for index in range(5)
        if "ranges-TOTAL_FORMS" in form_values(page, index)
    )
    assert values["ranges-1-weekday"] == ["1"]  # Tuesday's line
    values["ranges-1-resources"] = [str(desk_2.pk)]
    response = admin.post(url("week", agenda.pk, week.pk), values)
    assert response.status_code == 302, text(response)
    tuesday = a_working_day(agenda)  # a Tuesday
    assert {s.capacity for s in Slot.objects.filter(agenda=agenda, day=tuesday)} == {1}
    wednesday = tuesday + dt.timedelta(days=1)
    assert {s.capacity for s in Slot.objects.filter(agenda=agenda, day=wednesday)} == {2}

    appointment = booked(agenda, slot_at(agenda, tuesday, 9))
    assert appointment.resource == desk_2  # desk 1, free, does not receive then
    other = booked(agenda, slot_at(agenda, wednesday, 9), email="dominique@example.org")
    assert other.resource == desk_1  # the least busy of both

    response = admin.post(
        url("resource", agenda.pk, desk_2.pk),
        {"name": desk_2.name, "kind": "desk", "places": "1"},  # "active" unticked
    )
    assert response.status_code == 409 and appointment.reference in text(response)
    desk_2.refresh_from_db()
    assert desk_2.active

    other_agenda = identity_cards(agenda.service.site, slug="passport", title="Passport")
    stranger = other_agenda.resources.first()
    values["ranges-1-resources"] = [str(stranger.pk)]
    response = admin.post(url("week", agenda.pk, week.pk), values)
    assert response.status_code == 400  # another agenda's desk is not a choice
    assert list(week.ranges.get(weekday=1).resources.all()) == [desk_2]


def test_a_workgroup_administrator_gives_services_to_their_workgroups_only(
    client, agent, workgroup, other_workgroup, default_site
):
    client.force_login(grant(agent, RIGHT))
    page = text(client.get(url("service_add")))
    assert workgroup.name in page and other_workgroup.name not in page
    response = client.post(url("service_add"), service_data(workgroup=str(other_workgroup.pk)))
    assert response.status_code == 400 and not Service.objects.exists()
    response = client.post(url("service_add"), service_data())
    assert response.status_code == 400 and not Service.objects.exists()
    response = client.post(url("service_add"), service_data(workgroup=str(workgroup.pk)))
    assert response.status_code == 302
    assert Service.objects.get().workgroup == workgroup


@pytest.mark.django_db(transaction=True)
def test_removing_a_desk_and_booking_the_last_place_at_once_never_overbook(
    default_site, site_admin
):
    """On PostgreSQL, from separate connections: either the place is removed and the booking
    refused, or the booking takes it and the removal is refused; never both."""
    import threading

    from appointments_samples import identity_cards
    from django.db import connection, connections
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is PostgreSQL's")
    agenda = identity_cards(default_site)
    day = a_working_day(agenda)
    slot = slot_at(agenda, day, 10)
    Slot.objects.filter(agenda=agenda, day=day).update(capacity=F("capacity") + 1, added=1)
    booked(agenda, slot, email="one@example.org")
    booked(agenda, slot, email="two@example.org")
    client = Client()
    client.force_login(site_admin)
    start = threading.Barrier(2)
    outcome = {}

    def remove():
        try:
            start.wait()
            outcome["remove"] = client.post(
                url("desk", agenda.pk), {"day": day.isoformat(), "action": "remove"}
            ).status_code
        finally:
            connections.close_all()

    def take():
        try:
            start.wait()
            try:
                booked(agenda, Slot.objects.get(pk=slot.pk), email="three@example.org")
                outcome["book"] = "booked"
            except booking.Refused:
                outcome["book"] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=remove), threading.Thread(target=take)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    slot.refresh_from_db()
    assert slot.booked <= slot.capacity
    if outcome["book"] == "booked":
        assert outcome["remove"] == 409 and (slot.capacity, slot.booked, slot.added) == (3, 3, 1)
    else:
        assert outcome["remove"] == 302 and (slot.capacity, slot.booked, slot.added) == (2, 2, 0)


def test_slot_times_are_shown_in_the_agendas_time_zone(admin, agenda):
    import zoneinfo

    day = a_working_day(agenda)
    slot = slot_at(agenda, day, 10)
    Agenda.objects.filter(pk=agenda.pk).update(time_zone="Asia/Tokyo")
    page = text(admin.get(url("slots", agenda.pk), {"day": day.isoformat()}))
    tokyo = slot.starts_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert f">{tokyo:%H:%M}–" in page and ">10:00–" not in page
