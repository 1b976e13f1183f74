"""The access log: what an entry says, where it comes from, what is recorded by itself."""

from __future__ import annotations

import hashlib
import json
import logging

import pytest
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from lutetia import audit
from lutetia.audit.context import client_ip
from lutetia.audit.middleware import AuditContextMiddleware
from lutetia.audit.models import AuditEntry
from lutetia.ops.logging import JsonFormatter
from lutetia.ops.middleware import RequestIdMiddleware
from lutetia.testing.pytest_plugin import PASSWORD

pytestmark = pytest.mark.django_db

ALL = frozenset({"auth", "admin", "personal_data", "front", "system"})


def serve(request, action="test.done", **kwargs):
    """Run ``request`` through the request-id and audit middlewares; the view records."""
    recorded = []

    def view(request):
        recorded.append(audit.record(None, action, **kwargs))
        return HttpResponse("ok")

    RequestIdMiddleware(AuditContextMiddleware(view))(request)
    return recorded[0]


def a_request(path="/services/contact/", user=None, session_key=None, **meta):
    request = RequestFactory().post(path, **meta)
    request.user = user or AnonymousUser()
    request.session = SessionStore(session_key=session_key)
    return request


def entries(action=None):
    found = AuditEntry.objects.order_by("id")
    return list(found.filter(action=action) if action else found)


# --- what an entry says ----------------------------------------------------------------------


def test_an_entry_says_who_did_what_to_what_from_where(citizen, default_site):
    request = a_request(
        user=citizen,
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Firefox/140.0 " + "x" * 500,
        HTTP_X_REQUEST_ID="req-0123456789",
    )

    entry = serve(request, "contact.message_sent", target=default_site, details={"n": 1})

    assert entry.timestamp.utcoffset().total_seconds() == 0
    assert (entry.actor_id, entry.actor_name, entry.role) == (
        str(citizen.pk),
        "citizen@example.org",
        "citizen",
    )
    assert (entry.action, entry.outcome, entry.origin, entry.category) == (
        "contact.message_sent",
        "success",
        "front",
        "front",
    )
    assert (entry.target_type, entry.target_id) == ("wagtailcore.site", str(default_site.pk))
    assert entry.ip == "203.0.113.7"
    assert entry.user_agent.startswith("Firefox/140.0") and len(entry.user_agent) == 300
    assert entry.request_id == "req-0123456789"
    assert entry.site_id == default_site.pk
    assert entry.details_dict == {"n": 1}
    assert len(entry.hash) == 64


def test_an_anonymous_visitor_is_known_by_a_hash_of_their_session_never_the_key(db):
    session = SessionStore()
    session.create()
    request = a_request(session_key=session.session_key, REMOTE_ADDR="198.51.100.4")

    entry = serve(request)

    assert entry.role == "anonymous" and entry.actor_id == "" and entry.actor_name == ""
    assert entry.session_hash == hashlib.sha256(session.session_key.encode()).hexdigest()
    row = AuditEntry.objects.filter(pk=entry.pk).values().get()
    assert not any(session.session_key in str(value) for value in row.values())


def test_the_address_is_the_connections_when_no_proxy_is_trusted(db):
    request = a_request(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="6.6.6.6")

    assert serve(request).ip == "192.0.2.1"


@override_settings(LUTETIA_TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_address_is_the_last_forwarded_one(db):
    forged_then_real = "6.6.6.6, 203.0.113.9"
    request = a_request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forged_then_real)

    assert client_ip(request) == "203.0.113.9"
    assert serve(request).ip == "203.0.113.9"


@override_settings(LUTETIA_TRUSTED_PROXY_COUNT=2)
def test_a_header_shorter_than_the_proxy_chain_is_not_believed(db):
    request = a_request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")

    assert serve(request).ip == "10.0.0.2"


@pytest.mark.parametrize(
    ("path", "origin", "category"),
    [("/admin/pages/", "back", "admin"), ("/api/v1/x", "api", "front"), ("/", "front", "front")],
)
def test_the_origin_and_default_category_follow_the_path(db, path, origin, category):
    entry = serve(a_request(path))

    assert (entry.origin, entry.category) == (origin, category)


def test_outside_a_request_the_system_acts(db):
    entry = audit.record(None, "jobs.cleanup_done")

    assert (entry.origin, entry.role, entry.category, entry.ip) == (
        "system",
        "system",
        "system",
        "",
    )


def test_roles_are_what_the_actor_was_at_the_time(site_admin, agent, citizen):
    roles = [audit.record(user, "test.done").role for user in (site_admin, agent, citizen)]

    assert roles == ["site_admin", "agent", "citizen"]
    assert str(entries("test.done")[0].get_role_display()) in {
        "site administrator",
        "administrateur du site",
    }


def test_an_unknown_outcome_is_a_programming_error(db):
    with pytest.raises(ValueError, match="outcome"):
        audit.record(None, "test.done", outcome="maybe")


# --- categories ------------------------------------------------------------------------------


@override_settings(LUTETIA_AUDIT_CATEGORIES=frozenset({"auth"}))
def test_a_category_switched_off_records_nothing(citizen, client):
    assert audit.record(None, "contact.message_sent", category="front") is None
    assert serve(a_request("/admin/pages/")) is None  # "admin", by origin
    assert audit.record(None, "personal_data.view") is None  # by prefix

    client.login(email=citizen.email, password=PASSWORD)

    assert [entry.action for entry in entries()] == ["auth.login"]


# --- when it is written ------------------------------------------------------------------------


def test_an_entry_recorded_in_a_use_case_is_there_once_it_commits(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            audit.record(None, "test.done")

    assert [entry.action for entry in entries("test.done")] == ["test.done"]


@pytest.mark.postgres
def test_on_postgresql_the_entry_waits_for_the_commit_so_the_chain_lock_is_brief(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            assert audit.record(None, "test.done") is None
            assert entries("test.done") == []

    assert len(entries("test.done")) == 1


@pytest.mark.sqlite
def test_on_sqlite_the_entry_joins_the_use_cases_transaction_and_logs_at_commit(
    db, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.INFO, logger="lutetia.audit"):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                assert audit.record(None, "test.done").pk is not None
                assert not [r for r in caplog.records if r.name == "lutetia.audit"]

    assert [r.action for r in caplog.records if r.name == "lutetia.audit"] == ["test.done"]


def test_a_use_case_rolled_back_leaves_no_entry_claiming_success(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.record(None, "test.done")
            raise RuntimeError("the booking failed")

    assert callbacks == []
    assert entries("test.done") == []


# --- the SIEM line -----------------------------------------------------------------------------


def test_each_entry_is_one_json_line_on_the_audit_logger(citizen, caplog):
    request = a_request(user=citizen, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox")

    with caplog.at_level(logging.INFO, logger="lutetia.audit"):
        entry = serve(request, "contact.message_sent", details={"topic": 3})

    (line,) = [r for r in caplog.records if r.name == "lutetia.audit"]
    fields = json.loads(JsonFormatter().format(line))
    assert fields["logger"] == "lutetia.audit"
    assert fields["event"] == "audit"
    assert fields["audit_id"] == entry.pk
    assert fields["action"] == "contact.message_sent"
    assert fields["outcome"] == "success"
    assert fields["actor"] == "citizen@example.org"
    assert fields["role"] == "citizen"
    assert fields["origin"] == "front"
    assert fields["ip"] == "203.0.113.7"
    assert fields["user_agent"] == "Firefox"
    assert fields["audit_request_id"] == entry.request_id
    assert json.loads(fields["details"]) == {"topic": 3}
    assert fields["hash"] == entry.hash


# --- recorded by itself: sign-in, sign-out, failures, account security -------------------------


def test_sign_in_and_sign_out_are_recorded(client, citizen):
    assert client.login(email=citizen.email, password=PASSWORD)
    client.logout()

    login, logout = entries()
    assert (login.action, login.category, login.outcome) == ("auth.login", "auth", "success")
    assert login.actor_name == logout.actor_name == "citizen@example.org"
    assert (login.target_type, login.target_id) == ("lutetia_accounts.user", str(citizen.pk))
    assert logout.action == "auth.logout"


def test_a_failed_sign_in_keeps_the_login_typed_and_never_the_password(citizen):
    request = a_request("/account/login/", REMOTE_ADDR="198.51.100.23")

    assert authenticate(request, email="citizen@example.org", password="Wrong-Guess-42") is None

    (failure,) = entries()
    assert (failure.action, failure.outcome, failure.role) == (
        "auth.login_failed",
        "denied",
        "anonymous",
    )
    assert failure.details_dict == {"login": "citizen@example.org"}
    assert (failure.target_type, failure.target_id) == ("lutetia_accounts.user", str(citizen.pk))
    assert failure.ip == "198.51.100.23"
    row = AuditEntry.objects.filter(pk=failure.pk).values().get()
    assert not any("Wrong-Guess-42" in str(value) for value in row.values())


def test_a_second_factor_added_or_failed_is_recorded(citizen):
    request = a_request("/account/2fa/", user=citizen)

    class Totp:
        type = "totp"

    mfa_signals.authenticator_added.send(
        sender=None, request=request, user=citizen, authenticator=Totp()
    )
    mfa_signals.authentication_failed.send(
        sender=None, request=request, user=citizen, authenticator=Totp()
    )

    added, failed = entries()
    assert (added.action, added.category, added.details_dict) == (
        "auth.mfa_added",
        "auth",
        {"type": "totp"},
    )
    assert (failed.action, failed.outcome) == ("auth.mfa_failed", "denied")


def test_rights_given_outside_the_back_office_are_recorded(
    citizen, django_capture_on_commit_callbacks
):
    investigators = Group.objects.create(name="Investigators")

    with django_capture_on_commit_callbacks(execute=True):
        citizen.groups.add(investigators)
        citizen.groups.clear()

    added, removed = entries()
    assert (added.action, added.category) == ("admin.user_groups_changed", "admin")
    assert added.details_dict["added"] == ["Investigators"]
    assert removed.details_dict["removed"] == ["Investigators"]
    assert removed.target_id == str(citizen.pk)
