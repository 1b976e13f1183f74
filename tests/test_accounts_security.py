"""Signing in safely: lock-out, throttles, no user enumeration, sessions, bad links."""

from __future__ import annotations

import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.models import Session
from django.core import mail, signing
from django.test import Client, override_settings
from django.utils import timezone, translation

from lutetia.accounts import services
from lutetia.testing.pytest_plugin import PASSWORD
from lutetia.ui.themes import default_theme

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "a river of quiet lanterns"
LOCKED = "Too many failed login attempts. Try again later."
MISMATCH = "The email address and/or password you specified are not correct."


def sign_in(client, email, password=PASSWORD, prefix=""):
    return client.post(f"{prefix}/account/login/", {"login": email, "password": password})


def t(language, text):
    with translation.override(language):
        return translation.gettext(text)


@pytest.fixture
def failures():
    """Every ``user_login_failed`` sent during the test: (credentials, extra arguments)."""
    received = []

    def receiver(sender, credentials, request=None, **kwargs):
        received.append((credentials, kwargs))

    user_login_failed.connect(receiver, dispatch_uid="test-accounts-failures")
    yield received
    user_login_failed.disconnect(dispatch_uid="test-accounts-failures")


# --- lock-out and throttles --------------------------------------------------------------------


@pytest.mark.parametrize(("language", "prefix"), [("fr", ""), ("en", "/en"), ("hu", "/hu")])
def test_after_five_failures_even_the_right_password_is_refused_with_a_clear_429(
    client, default_site, citizen, language, prefix
):
    for _attempt in range(5):
        response = sign_in(client, citizen.email, "wrong password", prefix)
        assert response.status_code == 200
        assert t(language, MISMATCH) in response.content.decode()

    response = sign_in(client, citizen.email, PASSWORD, prefix)

    assert response.status_code == 429
    html = response.content.decode()
    assert t(language, LOCKED) in html
    assert t(language, LOCKED) != LOCKED or language == "en"  # allauth's catalogue has it
    assert f'href="{prefix}/account/password/reset/"' in html  # the way out
    if language == "en":
        assert "signing in to this account is paused for 15 minutes" in html
    assert 'role="alert"' in html  # the error summary
    assert "_auth_user_id" not in client.session
    # Another account is not locked by this one's failures.
    other = services.create_user("other@example.org", NEW_PASSWORD)
    assert sign_in(Client(), other.email, NEW_PASSWORD).status_code == 302


def test_the_lock_out_ends_after_a_password_reset(client, default_site, citizen):
    for _attempt in range(5):
        sign_in(client, citizen.email, "wrong password")
    assert sign_in(client, citizen.email).status_code == 429

    client.post("/en/account/password/reset/", {"email": citizen.email})
    link = re.search(r"https?://testserver(\S+/password/reset/key/\S+/)", mail.outbox[-1].body)
    form = client.get(link.group(1), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert sign_in(Client(), citizen.email, NEW_PASSWORD).status_code == 302


def test_failed_sign_ins_reach_django_s_user_login_failed_without_the_password(
    client, default_site, citizen, failures
):
    sign_in(client, citizen.email, "wrong password")
    sign_in(client, "nobody@example.org", "wrong password")

    assert len(failures) == 2
    for credentials, _extra in failures:
        assert credentials["password"] == "********************"
    assert failures[0][0]["email"] == citizen.email
    assert failures[1][0]["email"] == "nobody@example.org"


def test_attempts_during_a_lock_out_are_reported_too(client, default_site, citizen, failures):
    for _attempt in range(5):
        sign_in(client, citizen.email, "wrong password")
    sign_in(client, citizen.email, PASSWORD)

    assert len(failures) == 6
    credentials, extra = failures[-1]
    assert extra["reason"] == "locked_out"
    assert all("reason" not in extra for _credentials, extra in failures[:-1])
    assert credentials["password"] == "********************"


@override_settings(ACCOUNT_RATE_LIMITS={**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"})
def test_too_many_sign_in_requests_get_a_themed_429_page(client, default_site, citizen):
    sign_in(client, citizen.email, "wrong")
    sign_in(client, citizen.email, "wrong")

    response = sign_in(client, citizen.email, PASSWORD, "/en")

    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Too many attempts</h1>" in html
    assert default_theme().layout in [t.name for t in response.templates]
    assert '<html lang="en">' in html


@override_settings(ACCOUNT_RATE_LIMITS={**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"})
def test_sign_up_is_throttled(client, default_site):
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post("/account/signup/", {**data, "email": "a@example.org"}).status_code == 302

    response = client.post("/account/signup/", {**data, "email": "b@example.org"})

    assert response.status_code == 429
    assert not User.objects.filter(email="b@example.org").exists()


def test_password_reset_is_throttled_per_address(client, default_site, citizen):
    for _attempt in range(3):
        assert client.post("/account/password/reset/", {"email": citizen.email}).status_code == 302

    response = client.post("/en/account/password/reset/", {"email": citizen.email})

    assert response.status_code == 429
    assert "<h1>Too many attempts</h1>" in response.content.decode()
    assert len(mail.outbox) == 3


# --- no user enumeration ----------------------------------------------------------------------


def test_sign_in_says_the_same_for_an_unknown_address_and_a_wrong_password(
    client, default_site, citizen
):
    def main(response):
        html = response.content.decode()
        html = html[html.index("<main") : html.index("</main>")]
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html).replace(
            citizen.email, "ADDRESS"
        )

    wrong_password = sign_in(client, citizen.email, "wrong password")
    unknown = sign_in(Client(), "nobody@example.org", "wrong password")

    assert wrong_password.status_code == unknown.status_code == 200
    assert main(wrong_password) == main(unknown).replace("nobody@example.org", "ADDRESS")


def test_password_reset_answers_the_same_whether_the_account_exists(client, default_site, citizen):
    known = client.post("/en/account/password/reset/", {"email": citizen.email})
    unknown = Client().post("/en/account/password/reset/", {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    to_citizen, to_nobody = mail.outbox
    assert to_citizen.to == [citizen.email]
    assert "/account/password/reset/key/" in to_citizen.body
    # The unknown address is told, at most, that there is no account for it.
    assert to_nobody.to == ["nobody@example.org"]
    assert "/account/password/reset/key/" not in to_nobody.body


# --- sessions ---------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_key(client, default_site, citizen):
    session = client.session
    session["visited"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key

    sign_in(client, citizen.email)

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["visited"] is True  # what the visitor had is kept


def test_the_session_lasts_eight_hours_at_most(client, default_site, citizen):
    response = sign_in(client, citizen.email)

    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""  # browser session
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    stored = Session.objects.get(session_key=client.session.session_key)
    lifetime = stored.expire_date - timezone.now()
    assert 8 * 3600 - 60 < lifetime.total_seconds() <= 8 * 3600

    # Eight hours later the session is over, whatever the browser keeps.
    Session.objects.filter(pk=stored.pk).update(expire_date=timezone.now())
    assert client.get("/account/").status_code == 302


@override_settings(ACCOUNT_SESSION_REMEMBER=True)
def test_a_remembered_session_cookie_expires_after_eight_hours(client, default_site, citizen):
    response = sign_in(client, citizen.email)

    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 60 * 60


def test_a_tampered_session_cookie_signs_nobody_in_and_breaks_nothing(
    client, default_site, citizen
):
    sign_in(client, citizen.email)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.cookies[settings.SESSION_COOKIE_NAME] = key[:-4] + "abcd"

    response = client.get("/en/account/")

    assert response.status_code == 302
    assert response["Location"] == "/en/account/login/?next=/en/account/"
    assert client.get(response["Location"]).status_code == 200
    assert Session.objects.filter(session_key=key).exists()  # the real session is untouched


# --- bad links --------------------------------------------------------------------------------


def sign_up(client, email="camille@example.org"):
    client.post(
        "/en/account/signup/",
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    return re.search(r"https?://testserver(\S+/confirm-email/\S+/)", mail.outbox[-1].body).group(1)


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_verification_link_is_refused_clearly(client, default_site, monkeypatch, method):
    link = sign_up(client)
    in_four_days = time.time() + 4 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: in_four_days)

    response = getattr(client, method)(link)

    assert response.status_code == 400
    assert "This email confirmation link expired or is invalid." in response.content.decode()
    assert not EmailAddress.objects.get(email="camille@example.org").verified


def test_an_unknown_verification_link_is_refused_in_the_visitor_s_language(client, default_site):
    response = client.post("/account/confirm-email/not-a-key/")

    assert response.status_code == 400
    text = t(
        "fr",
        "This email confirmation link expired or is invalid. Please "
        '<a href="%(email_url)s">issue a new email confirmation request</a>.',
    )
    assert text.split("<a")[0] in response.content.decode()


def test_a_reset_link_works_once(client, default_site, citizen):
    client.post("/en/account/password/reset/", {"email": citizen.email})
    link = re.search(
        r"https?://testserver(\S+/password/reset/key/\S+/)", mail.outbox[-1].body
    ).group(1)
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == 302

    reused = Client().get(link)

    assert reused.status_code == 400
    assert "The password reset link was invalid" in reused.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_a_forged_reset_link_is_refused_and_changes_nothing(client, default_site, citizen):
    response = client.get("/en/account/password/reset/key/1-forged-token/")

    assert response.status_code == 400
    assert "Bad Token" in response.content.decode()
    response = client.post(
        "/en/account/password/reset/key/1-forged-token/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_the_password_policy_applies_to_a_reset(client, default_site, citizen):
    client.post("/en/account/password/reset/", {"email": citizen.email})
    link = re.search(
        r"https?://testserver(\S+/password/reset/key/\S+/)", mail.outbox[-1].body
    ).group(1)
    form = client.get(link, follow=True)

    response = client.post(
        form.redirect_chain[-1][0], {"password1": "123456789012", "password2": "123456789012"}
    )

    assert response.status_code == 200
    assert "This password is entirely numeric." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
