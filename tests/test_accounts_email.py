"""E-mail end to end: over a real SMTP connection, read back, the link followed."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from lutetia.testing import mail
from lutetia.testing.pytest_plugin import PASSWORD

smtp_sink = mail.smtp_sink  # the fixture, until the test kit's plugin offers it

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a river of quiet lanterns"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_citizen_signs_up_and_follows_the_link_received_by_smtp(client, default_site, smtp_sink):
    response = client.post(
        "/en/account/signup/",
        {"email": "camille@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302

    message = smtp_sink.wait_for(to="camille@example.org")

    assert message["To"] == "camille@example.org"
    assert message["From"]
    (link,) = [url for url in smtp_sink.links(message) if "/account/confirm-email/" in url]
    page = client.get(path_of(link))
    assert page.status_code == 200
    response = client.post(path_of(link))
    assert response.status_code == 302
    user = get_user_model().objects.get(email="camille@example.org")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(response["Location"]).status_code == 200


def test_the_verification_e_mail_is_written_in_the_visitor_s_language(
    client, default_site, smtp_sink
):
    client.post(
        "/hu/account/signup/",
        {"email": "janos@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    message = smtp_sink.wait_for(to="janos@example.org")

    assert "/hu/account/confirm-email/" in smtp_sink.text(message)
    with translation.override("hu"):
        assert message["Subject"] == translation.gettext("Please Confirm Your Email Address")


def test_a_citizen_resets_their_password_from_the_link_received_by_smtp(
    client, default_site, citizen, smtp_sink
):
    response = client.post("/en/account/password/reset/", {"email": citizen.email})
    assert response.status_code == 302

    message = smtp_sink.wait_for(to=citizen.email)
    (link,) = [url for url in smtp_sink.links(message) if "/password/reset/key/" in url]
    form = client.get(path_of(link), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert done.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert not citizen.check_password(PASSWORD)
    signed_in = client.post("/account/login/", {"login": citizen.email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    # The person is told by e-mail that the password changed.
    notice = smtp_sink.wait_for(to=citizen.email, count=2)
    assert "/password/reset/key/" not in smtp_sink.text(notice)
