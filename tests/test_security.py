"""The security baseline a city's security officer checks with a browser's developer tools."""

import json
import subprocess
import sys

import pytest
from django.test import override_settings

from lutetia.testing.pytest_plugin import PASSWORD

pytestmark = pytest.mark.django_db


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_baseline_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]
    return policy


def test_a_front_office_page_carries_the_security_headers(client, default_site):
    response = client.get("/")

    assert response.status_code == 200
    policy = assert_baseline_headers(response)
    assert policy["style-src"] == ["'self'"]


def test_a_back_office_page_carries_the_security_headers(client, site_admin):
    client.force_login(site_admin)

    response = client.get("/admin/")

    assert response.status_code == 200
    policy = assert_baseline_headers(response)
    # Wagtail's admin sets style attributes; scripts stay strict.
    assert "'unsafe-inline'" in policy["style-src"]


def test_error_pages_and_the_sign_in_page_carry_them_too(client, default_site):
    assert_baseline_headers(client.get("/no-such-page/"))
    assert_baseline_headers(client.get("/account/login/"))


def test_the_back_office_has_no_inline_script(client, site_admin, default_site):
    """Wagtail's inline scripts are replaced by data blocks: a page editor with inline panels
    and date fields renders without any executable inline <script>."""
    client.force_login(site_admin)

    html = client.get(f"/admin/pages/{default_site.root_page_id}/edit/").content.decode()
    html += client.get("/admin/settings/lutetia_site/navigation/", follow=True).content.decode()

    assert "<script>" not in html
    assert 'data-lutetia-init="InlinePanel"' in html
    assert "lutetia_ui/admin/csp-init.js" in html


def test_openid_providers_may_receive_the_sign_in_form():
    from lutetia.ops.security import content_security_policy

    policy = content_security_policy(
        back_office=False, form_action=["https://app.franceconnect.gouv.fr"]
    )

    assert directives(policy)["form-action"] == ["'self'", "https://app.franceconnect.gouv.fr"]


def sign_in(client, user, **extra):
    return client.post("/account/login/", {"login": user.email, "password": PASSWORD}, **extra)


def test_the_session_cookie_is_http_only_same_site_and_expires(client, citizen):
    response = sign_in(client, citizen)

    cookie = response.cookies["sessionid"]
    assert response.status_code == 302
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # development mode, plain HTTP
    # Gone when the browser closes (a town-hall kiosk), and at the latest after 8 hours.
    assert cookie["max-age"] == ""
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 8 * 60 * 60


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_secure_cookies_are_marked_secure(client, citizen):
    response = sign_in(client, citizen, secure=True)

    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/healthz", secure=True, headers={"host": "demarches.example.org"})
print(json.dumps({
    "hsts": response.headers.get("Strict-Transport-Security"),
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "status": response.status_code,
}))
"""


def test_production_mode_sends_hsts_and_secure_cookies(tmp_path):
    """Production settings as a city deploys them, in a fresh interpreter."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "lutetia.settings",
        "LUTETIA_MODE": "production",
        "LUTETIA_SECRET_KEY": "x" * 64,
        "LUTETIA_DATA_DIR": str(tmp_path),
        "LUTETIA_ALLOWED_HOSTS": "demarches.example.org",
    }

    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert seen["hsts"].startswith("max-age=31536000")
    assert "includeSubDomains" in seen["hsts"]
    assert seen["session_secure"] and seen["csrf_secure"]


def test_a_forged_csrf_token_is_refused_clearly_logged_and_changes_nothing(default_site, citizen):
    from django.test import Client

    from lutetia.audit.models import AuditEntry

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(citizen)
    browser.get("/en/account/")  # a real visit sets the CSRF cookie

    response = browser.post(
        "/en/account/",
        {"first_name": "Mallory", "last_name": "X", "language": "en", "time_zone": "UTC"},
        HTTP_X_CSRFTOKEN="forged" * 6,
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert "The form could not be sent" in page and "Nothing was saved." in page
    assert_baseline_headers(response)
    citizen.refresh_from_db()
    assert citizen.first_name != "Mallory"
    entry = AuditEntry.objects.get(action="auth.csrf_failed")
    assert (entry.outcome, entry.actor_id) == ("denied", str(citizen.pk))
    assert "/en/account/" in entry.details


def test_the_csrf_refusal_speaks_the_visitor_s_language(client, default_site):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/account/login/", {"login": "a@b.example"})

    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="fr"' in page
    assert "Le formulaire n’a pas pu être envoyé" in page
