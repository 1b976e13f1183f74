"""The back office and the access log: changes recorded, personal data views recorded, and the
viewer an investigator uses (itself recorded)."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse
from lutetia_contact.models import ContactMessage, ContactSettings, ContactTopic
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, streamfield

from lutetia import audit
from lutetia.accounts.models import Workgroup
from lutetia.audit.models import AuditEntry
from lutetia.audit.users import AuditedUserViewSet
from lutetia.testing.pytest_plugin import grant

pytestmark = pytest.mark.django_db

LOG = "/admin/access-log/"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """``with committing():`` runs, on leaving, the on-commit callbacks registered inside (the
    test's transaction never commits; back-office changes record at commit)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def actions():
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def last(action):
    return AuditEntry.objects.filter(action=action).order_by("-id").first()


# --- back-office changes ----------------------------------------------------------------------


def test_publishing_a_page_in_the_back_office_is_recorded(
    client, site_admin, default_site, committing
):
    client.force_login(site_admin)
    parent = default_site.root_page
    url = reverse("wagtailadmin_pages:add", args=["lutetia_site", "contentpage", parent.pk])
    data = nested_form_data(
        {
            "title": "Opening hours",
            "slug": "opening-hours",
            "intro": "",
            "body": streamfield([]),
            "action-publish": "publish",
        }
    )

    with committing():
        response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    page = Page.objects.get(slug="opening-hours")
    published = last("wagtail.publish")
    assert published is not None, actions()
    assert (published.category, published.origin, published.role) == ("admin", "back", "site_admin")
    assert (published.target_type, published.target_id) == ("wagtailcore.page", str(page.pk))
    assert published.target_label == "Opening hours"
    assert published.actor_name == site_admin.email
    assert last("wagtail.create") is not None


def test_editing_a_model_in_the_back_office_is_recorded(client, site_admin, workgroup, committing):
    client.force_login(site_admin)

    with committing():
        response = client.post(
            f"/admin/workgroups/edit/{workgroup.pk}/",
            {"name": "Town hall, 11th", "code": "mairie-11", "description": "", "members": []},
        )

    assert response.status_code == 302
    edited = last("wagtail.edit")
    assert (edited.target_type, edited.target_id) == (
        "lutetia_accounts.workgroup",
        str(workgroup.pk),
    )
    assert (edited.actor_name, edited.origin, edited.category) == (
        site_admin.email,
        "back",
        "admin",
    )
    assert Workgroup.objects.get().name == "Town hall, 11th"


# --- personal data views ----------------------------------------------------------------------


def admin_request(user, path="/admin/users/"):
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_opening_a_users_edit_page_records_a_personal_data_view(site_admin, citizen):
    # The viewset Wagtail builds when AuditedWagtailUsersConfig replaces wagtail.users; same
    # name as Wagtail's, so its links resolve against the URLs already mounted.
    view = AuditedUserViewSet("wagtailusers_users", url_prefix="users").edit_view
    request = admin_request(site_admin, f"/admin/users/edit/{citizen.pk}/")

    response = view(request, pk=str(citizen.pk))
    response.render()

    assert response.status_code == 200
    viewed = last("personal_data.view")
    assert (viewed.category, viewed.origin, viewed.actor_name) == (
        "personal_data",
        "back",
        site_admin.email,
    )
    assert (viewed.target_type, viewed.target_id) == ("lutetia_accounts.user", str(citizen.pk))


def test_the_helper_records_a_view_and_an_export_of_personal_data(agent, citizen):
    request = admin_request(agent, "/admin/contact_messages/")

    audit.personal_data_viewed(request, citizen, details={"tab": "identity"})
    audit.personal_data_exported(request, ContactMessage, count=12, details={"format": "csv"})

    viewed, exported = AuditEntry.objects.filter(category="personal_data").order_by("id")
    assert (viewed.action, viewed.role, viewed.details_dict) == (
        "personal_data.view",
        "agent",
        {"tab": "identity"},
    )
    assert (exported.action, exported.target_type, exported.details_dict) == (
        "personal_data.export",
        "contact.contactmessage",
        {"count": 12, "format": "csv"},
    )


# --- front office: a plugin's action ------------------------------------------------------------


def test_a_message_sent_from_the_contact_form_is_recorded(client, default_site, committing):
    topic = ContactTopic.objects.create(
        settings=ContactSettings.for_site(default_site), label="Civil status", sort_order=0
    )

    with committing():
        response = client.post(
            "/services/contact/",
            {
                "name": "Camille Citoyenne",
                "email": "camille@example.org",
                "topic": str(topic.pk),
                "message": "A birth certificate, please.",
                "consent": "on",
                "website": "",
            },
            REMOTE_ADDR="203.0.113.50",
        )

    assert response.status_code == 302
    message = ContactMessage.objects.get()
    sent = last("contact.message_sent")
    assert (sent.category, sent.origin, sent.role, sent.ip) == (
        "front",
        "front",
        "anonymous",
        "203.0.113.50",
    )
    assert (sent.target_type, sent.target_id) == ("contact.contactmessage", str(message.pk))
    assert "birth certificate" not in sent.details


# --- the viewer ---------------------------------------------------------------------------------


@pytest.fixture
def investigator(agent):
    return grant(agent, "lutetia_audit.view_auditentry")


@pytest.fixture
def some_entries(citizen, other_citizen):
    audit.record(citizen, "auth.login", citizen)
    audit.record(other_citizen, "auth.login_failed", other_citizen, outcome="denied")
    audit.record(citizen, "contact.message_sent", ("contact.contactmessage", "7"))


def test_an_agent_without_the_right_cannot_open_the_log_and_the_attempt_is_recorded(
    client, agent, some_entries
):
    client.force_login(agent)

    response = client.get(LOG)

    assert response.status_code in {302, 403}
    denied = last("audit.list_viewed")
    assert (denied.outcome, denied.actor_name) == ("denied", agent.email)
    assert client.get(f"{LOG}?export=csv").status_code in {302, 403}


def test_a_citizen_is_kept_out_of_the_log(client, citizen, some_entries):
    client.force_login(citizen)

    assert client.get(LOG).status_code in {302, 403}


def test_an_investigator_filters_the_log_and_the_visit_is_recorded(
    client, investigator, some_entries
):
    client.force_login(investigator)

    response = client.get(LOG, {"actor": "citizen@example.org", "action": "auth."})

    assert response.status_code == 200
    html = response.content.decode()
    assert "auth.login" in html
    assert "contact.message_sent" not in html  # another action
    # "citizen@example.org" matches other.citizen@example.org too: the actor filter is a search.
    visit = last("audit.list_viewed")
    assert (visit.outcome, visit.actor_name, visit.category) == (
        "success",
        investigator.email,
        "personal_data",
    )
    assert visit.details_dict["filters"] == {"actor": "citizen@example.org", "action": "auth."}


def test_the_filters_narrow_by_outcome_origin_target_and_dates(client, investigator, some_entries):
    client.force_login(investigator)

    denied = client.get(LOG, {"outcome": "denied"}).content.decode()
    by_target = client.get(
        LOG, {"target_type": "contact.contactmessage", "target_id": "7"}
    ).content.decode()
    tomorrow_on = client.get(LOG, {"timestamp_from": "2999-01-01"}).content.decode()

    assert "auth.login_failed" in denied and "contact.message_sent" not in denied
    assert "contact.message_sent" in by_target and "auth.login_failed" not in by_target
    assert "auth.login_failed" not in tomorrow_on


def test_an_investigator_opens_an_entry_and_that_is_recorded(client, investigator, some_entries):
    client.force_login(investigator)
    entry = AuditEntry.objects.get(action="auth.login_failed")

    response = client.get(reverse("access_log:inspect", args=[entry.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "other.citizen@example.org" in html and entry.hash in html
    opened = last("audit.entry_viewed")
    assert (opened.target_type, opened.target_id) == ("lutetia_audit.auditentry", str(entry.pk))


def test_nobody_edits_or_deletes_an_entry_not_even_a_site_admin(client, site_admin, some_entries):
    client.force_login(site_admin)
    entry = AuditEntry.objects.first()

    assert client.get(f"{LOG}edit/{entry.pk}/").status_code in {302, 403}
    assert client.post(f"{LOG}delete/{entry.pk}/").status_code in {302, 403}
    assert client.get(f"{LOG}new/").status_code in {302, 403}
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_csv_export_holds_the_entries_is_formula_safe_and_is_recorded(
    client, investigator, some_entries
):
    audit.record(None, "auth.login_failed", outcome="denied", details={"login": "=HYPERLINK(1)"})
    client.force_login(investigator)

    response = client.get(LOG, {"outcome": "denied", "export": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    # The back office speaks French (the site's language): so do the export's headers.
    assert {row["Action"] for row in rows} == {"auth.login_failed"}
    assert len(rows) == 2
    assert all(not row["Détails"].startswith("=") for row in rows)
    assert any(row["Auteur"] == "other.citizen@example.org" for row in rows)
    exported = last("audit.exported")
    assert exported.details_dict == {"format": "csv", "filters": {"outcome": "denied"}, "count": 2}
