"""Two-factor authentication (authenticator app, recovery codes), and the agents' obligation."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal import auth as totp_auth
from django.test import Client, override_settings

from lutetia.testing.pytest_plugin import PASSWORD
from lutetia.ui.themes import default_theme

pytestmark = pytest.mark.django_db

ACTIVATE = "/account/2fa/totp/activate/"


def sign_in(client, email, password=PASSWORD, **data):
    return client.post("/account/login/", {"login": email, "password": password, **data})


#: The authenticator app's clock, stopped for the test so that a code never straddles two
#: 30-second periods between computing it and posting it.
COUNTER = int(time.time()) // mfa_settings.TOTP_PERIOD


@pytest.fixture(autouse=True)
def _stopped_totp_clock(monkeypatch):
    monkeypatch.setattr(totp_auth, "yield_hotp_counters_from_time", lambda: iter([COUNTER]))


def totp_code(secret: str) -> str:
    """The code an authenticator app shows (computed with allauth's own helpers)."""
    return totp_auth.format_hotp_value(totp_auth.hotp_value(secret, COUNTER))


def activate_authenticator_app(client) -> str:
    """Go through the activation as a person would; returns the secret the page showed."""
    response = client.get(ACTIVATE)
    if response.status_code == 302 and "/reauthenticate/" in response["Location"]:
        # allauth asks for the password again before changing the second factor.
        confirm = client.get(response["Location"])
        assert confirm.status_code == 200
        response = client.post(response["Location"], {"password": PASSWORD})
        assert response["Location"] == ACTIVATE
        response = client.get(ACTIVATE)
    assert response.status_code == 200
    secret = client.session[totp_auth.SECRET_SESSION_KEY]
    html = response.content.decode()
    assert secret in html  # readable for who cannot scan the QR code
    assert 'src="data:image/svg+xml;base64,' in html

    done = client.post(ACTIVATE, {"code": totp_code(secret)})

    assert done.status_code == 302, done.content.decode()
    assert done["Location"] == "/account/2fa/recovery-codes/"
    return secret


def test_a_citizen_activates_an_authenticator_app_and_is_then_asked_for_its_code(
    client, default_site, citizen
):
    sign_in(client, citizen.email)
    secret = activate_authenticator_app(client)
    assert Authenticator.objects.filter(user=citizen, type=Authenticator.Type.TOTP).exists()
    codes = client.get("/account/2fa/recovery-codes/")
    assert codes.status_code == 200
    assert (
        "<textarea" in codes.content.decode() and 'for="recovery_codes"' in codes.content.decode()
    )
    # No inline script (the CSP would block it): the codes are plain text to copy.
    assert not re.search(r"<script(?![^>]*\bsrc=)", codes.content.decode())

    other = Client()
    response = sign_in(other, citizen.email)
    assert response["Location"] == "/account/2fa/authenticate/"
    assert "_auth_user_id" not in other.session  # not signed in with the password alone
    page = other.get("/en/account/2fa/authenticate/")
    assert page.status_code == 200
    assert re.search(r'<input[^>]*autocomplete="one-time-code"', page.content.decode())

    wrong = other.post("/en/account/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    assert "_auth_user_id" not in other.session

    right = other.post("/en/account/2fa/authenticate/", {"code": totp_code(secret)})
    assert right.status_code == 302
    assert other.session["_auth_user_id"] == str(citizen.pk)


def test_a_recovery_code_signs_in_once(client, default_site, citizen):
    sign_in(client, citizen.email)
    activate_authenticator_app(client)
    code = RecoveryCodes(
        Authenticator.objects.get(user=citizen, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]

    first = Client()
    sign_in(first, citizen.email)
    assert first.post("/account/2fa/authenticate/", {"code": code}).status_code == 302

    second = Client()
    sign_in(second, citizen.email)
    assert second.post("/account/2fa/authenticate/", {"code": code}).status_code == 200
    assert "_auth_user_id" not in second.session


def test_the_mfa_pages_are_themed(client, default_site, citizen):
    sign_in(client, citizen.email)

    response = client.get("/en/account/2fa/")
    html = response.content.decode()

    assert html.count("<h1") == 1
    assert default_theme().layout in [t.name for t in response.templates]
    assert 'href="/en/account/2fa/totp/activate/"' in html


@override_settings(LUTETIA_MFA_REQUIRED_FOR_AGENTS=True)
def test_an_agent_without_an_authenticator_app_is_sent_to_activate_one(client, default_site, agent):
    response = sign_in(client, agent.email)
    assert response["Location"] == "/admin/"

    refused = client.get("/admin/pages/")

    assert refused.status_code == 302
    assert refused["Location"] == ACTIVATE
    # The reason is said on the next page shown (allauth first asks for the password again).
    followed = client.get(ACTIVATE, follow=True)
    assert "exige l’authentification à deux facteurs" in followed.content.decode()

    activate_authenticator_app(client)
    codes = client.get("/account/2fa/recovery-codes/").content.decode()
    assert 'href="/admin/"' in codes  # "Continue to the back office"
    assert client.get("/admin/").status_code == 200


@override_settings(LUTETIA_MFA_REQUIRED_FOR_AGENTS=True)
def test_an_agent_with_an_authenticator_app_signs_in_with_its_code(client, default_site, agent):
    sign_in(client, agent.email)
    secret = activate_authenticator_app(client)

    browser = Client()
    response = sign_in(browser, agent.email, next="/admin/")
    assert response["Location"] == "/account/2fa/authenticate/"
    response = browser.post("/account/2fa/authenticate/", {"code": totp_code(secret)})

    assert response["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


@override_settings(LUTETIA_MFA_REQUIRED_FOR_AGENTS=True)
def test_the_obligation_leaves_citizens_and_signing_out_alone(client, default_site, agent, citizen):
    sign_in(client, agent.email)
    assert client.post("/admin/logout/")["Location"] == "/account/login/"

    sign_in(client, citizen.email)
    assert client.get("/account/").status_code == 200
    assert client.get("/admin/")["Location"] == "/account/login/?next=/admin/"


@override_settings(LUTETIA_MFA_REQUIRED_FOR_AGENTS=True)
def test_a_superuser_is_an_agent_for_the_obligation(client, default_site, site_admin):
    site_admin.is_staff = False
    site_admin.save()
    client.force_login(site_admin)

    assert client.get("/admin/")["Location"] == ACTIVATE


@override_settings(LUTETIA_MFA_REQUIRED_FOR_AGENTS=False)
def test_without_the_setting_agents_open_the_back_office_with_a_password(
    client, default_site, agent
):
    sign_in(client, agent.email)

    assert client.get("/admin/").status_code == 200
