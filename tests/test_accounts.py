"""Citizens' and agents' accounts: the pages, the header, sign-up to deletion, the back office."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation
from wagtail.models import Page, Site

from lutetia.accounts import services
from lutetia.site.models import HomePage
from lutetia.testing.pytest_plugin import PASSWORD
from lutetia.ui.themes import default_theme

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "a river of quiet lanterns"


def sign_in(client, email, password=PASSWORD, **data):
    return client.post("/account/login/", {"login": email, "password": password, **data})


def t(language, text):
    with translation.override(language):
        return translation.gettext(text)


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def input_tag(html: str, id_: str) -> str:
    """The opening tag of the input, select or textarea whose id is ``id_``."""
    return re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{id_}"[^>]*>', html).group(0)


def assert_accessible(response):
    """What every account page owes WCAG 2.1 AA that a test can read in the HTML."""
    html = response.content.decode()
    assert re.search(r'<html lang="(fr|en|hu)">', html)
    assert html.count("<h1") == 1, "exactly one h1"
    for landmark in ("<header", "<main", "<footer"):
        assert landmark in html
    assert re.search(r"<title>\s*\S", html)
    # A strict Content-Security-Policy is coming: no inline script or style anywhere.
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html)
    assert " style=" not in html and "<style" not in html
    # Every visible input, select and textarea has a label bound to it.
    for match in re.finditer(r"<(input|select|textarea)\b([^>]*)>", html):
        attributes = match.group(2)
        if re.search(r'type="(hidden|submit)"', attributes):
            continue
        found = re.search(r'\bid="([^"]+)"', attributes)
        assert found, f"a field without id: {match.group(0)}"
        assert f'for="{found.group(1)}"' in html, f"no label for {found.group(1)}"
    return html


# --- the pages ------------------------------------------------------------------------------

ANONYMOUS_PAGES = [
    "/account/login/",
    "/account/signup/",
    "/account/password/reset/",
    "/en/account/login/",
    "/hu/account/signup/",
]
SIGNED_IN_PAGES = [
    "/account/",
    "/en/account/",
    "/account/email/",
    "/account/password/change/",
    "/account/2fa/",
    "/account/delete/",
    "/account/reauthenticate/",
]


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_the_entrance_pages_are_themed_and_accessible(client, default_site, url):
    response = client.get(url)

    assert response.status_code == 200
    assert_accessible(response)
    assert default_theme().layout in [t.name for t in response.templates]


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_the_account_pages_are_themed_and_accessible(client, default_site, citizen, url):
    sign_in(client, citizen.email)

    response = client.get(url)

    assert response.status_code == 200
    assert_accessible(response)


def test_a_form_with_errors_says_so_in_the_title_and_a_summary_linked_to_the_fields(
    client, default_site
):
    response = client.post(
        "/en/account/signup/", {"email": "not-an-address", "password1": "x", "password2": "y"}
    )

    html = assert_accessible(response)
    assert re.search(r"<title>\s*Error:", html)
    summary = html[html.index("There is a problem") :]
    summary = summary[: summary.index("</ul>")]
    assert 'role="alert"' in html
    assert 'href="#id_email"' in summary
    assert 'href="#id_password1"' in summary
    # The field's own message is tied to it.
    email = input_tag(html, "id_email")
    assert 'aria-invalid="true"' in email
    assert re.search(r'aria-describedby="[^"]*id_email-error', email)
    assert 'id="id_email-error"' in html
    # Labels stay visible: no placeholder stands for them.
    assert "placeholder=" not in main_of(response)


def test_fields_carry_autocomplete_for_password_managers(client, default_site):
    login = client.get("/account/login/").content.decode()
    signup = client.get("/account/signup/").content.decode()

    assert re.search(r'<input[^>]*name="login"[^>]*autocomplete="email"', login)
    assert re.search(r'<input[^>]*name="password"[^>]*autocomplete="current-password"', login)
    assert re.search(r'<input[^>]*name="password1"[^>]*autocomplete="new-password"', signup)
    assert re.search(r'<input[^>]*name="email"[^>]*autocomplete="email"', signup)


def test_the_sign_in_page_offers_a_password_reset(client, default_site):
    html = client.get("/en/account/login/").content.decode()

    assert 'href="/en/account/password/reset/"' in html
    assert 'aria-describedby="id_password-hint"' in input_tag(html, "id_password")


# --- the header -----------------------------------------------------------------------------


@pytest.fixture
def home():
    site = Site.objects.get(is_default_site=True)
    home = HomePage(title="Accueil de la ville", slug="accueil-comptes")
    Page.get_first_root_node().add_child(instance=home)
    home.save_revision().publish()
    site.root_page = home
    site.save()
    return home


def header_of(response) -> str:
    html = response.content.decode()
    found = re.search(
        r'<nav\b[^>]*aria-label="(?:Your account|Votre compte)"[^>]*>(.*?)</nav>', html, re.S
    )
    return found.group(1)


def test_an_anonymous_visitor_sees_a_sign_in_link(client, home):
    header = header_of(client.get("/en/"))

    assert re.search(r'<a\b[^>]*href="/en/account/login/"[^>]*>Sign in</a>', header)
    assert "My account" not in header and "<form" not in header


def test_a_signed_in_person_sees_my_account_and_a_sign_out_button(client, home, citizen):
    sign_in(client, citizen.email)

    header = header_of(client.get("/en/"))

    assert re.search(r'<a\b[^>]*href="/en/account/"[^>]*>My account</a>', header)
    assert re.search(r'<form method="post" action="/en/account/logout/">', header)
    assert 'name="csrfmiddlewaretoken"' in header
    assert re.search(r'<button\b[^>]*type="submit"[^>]*>Sign out</button>', header)


def test_signing_out_is_a_post_with_a_csrf_token(home, citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)

    assert client.post("/account/logout/").status_code == 403  # no token
    token = client.get("/").cookies.get(settings.CSRF_COOKIE_NAME) or client.cookies.get(
        settings.CSRF_COOKIE_NAME
    )
    response = client.post("/account/logout/", {"csrfmiddlewaretoken": token.value})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


@override_settings(LUTETIA_PAGE_CACHE_SECONDS=60)
def test_the_page_cache_never_mixes_signed_in_and_anonymous_headers(home, citizen):
    anonymous, person = Client(), Client()
    assert anonymous.get("/")["X-Lutetia-Cache"] == "miss"
    assert anonymous.get("/")["X-Lutetia-Cache"] == "hit"

    sign_in(person, citizen.email)
    signed_in = person.get("/")
    assert signed_in.get("X-Lutetia-Cache") is None  # never from the cache
    assert "/account/logout/" in header_of(signed_in)

    # What the signed-in person saw was not stored for anyone else.
    again = Client().get("/")
    assert again["X-Lutetia-Cache"] == "hit"
    assert "/account/logout/" not in header_of(again)
    assert "/account/login/" in header_of(again)

    # Signed out, the person gets the anonymous page again (their cookie is gone).
    person.post("/account/logout/")
    assert (
        settings.SESSION_COOKIE_NAME not in person.cookies
        or not person.cookies[settings.SESSION_COOKIE_NAME].value
    )
    assert "/account/login/" in header_of(person.get("/"))


# --- sign-up, e-mail verification, sign-in ---------------------------------------------------


def test_a_citizen_signs_up_verifies_the_address_and_is_signed_in(client, default_site):
    response = client.post(
        "/en/account/signup/",
        {"email": "Camille@Example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/en/account/confirm-email/"
    user = User.objects.get(email__iexact="camille@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session  # not before the address is verified
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/account/confirm-email/\S+/", message.body).group(0)

    response = client.post(link.split("testserver", 1)[-1])

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(response["Location"]).status_code == 200


def test_an_unverified_citizen_cannot_sign_in_and_gets_a_new_link(client, default_site):
    services.create_user("new@example.org", NEW_PASSWORD, verified=False)

    response = sign_in(client, "new@example.org", NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/account/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("language", "password", "django_message"),
    [
        ("fr", "short", "Ce mot de passe est trop court"),
        ("hu", "short", "Ez a jelszó túl rövid"),
        ("fr", "123456789012345", "Ce mot de passe est entièrement numérique"),
        ("en", "password12345", "This password is too common"),
        ("en", "camille.dupont.example", "The password is too similar"),
    ],
)
def test_the_password_policy_applies_to_sign_up_with_translated_messages(
    client, default_site, language, password, django_message
):
    prefix = "" if language == "fr" else f"/{language}"

    response = client.post(
        f"{prefix}/account/signup/",
        {"email": "camille.dupont@example.org", "password1": password, "password2": password},
    )

    assert response.status_code == 200
    assert django_message in response.content.decode()
    assert not User.objects.filter(email="camille.dupont@example.org").exists()


def test_the_password_policy_applies_to_a_change_of_password(client, default_site, citizen):
    sign_in(client, citizen.email)

    response = client.post(
        "/en/account/password/change/",
        {"oldpassword": PASSWORD, "password1": "short", "password2": "short"},
    )

    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)

    response = client.post(
        "/en/account/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_signing_up_with_an_address_already_used_reveals_nothing(client, default_site, citizen):
    unknown = client.post(
        "/en/account/signup/",
        {"email": "someone.new@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    mail.outbox.clear()
    known = Client().post(
        "/en/account/signup/",
        {"email": citizen.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert User.objects.filter(email__iexact=citizen.email).count() == 1
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
    (message,) = mail.outbox  # the owner is told someone tried, in an e-mail only they read
    assert message.to == [citizen.email]
    assert "already" in message.body.lower()


def test_a_citizen_lands_on_their_account_page_in_their_language(client, default_site, citizen):
    citizen.language = "hu"
    citizen.save()

    response = sign_in(client, citizen.email)

    assert response.status_code == 302
    assert response["Location"] == "/hu/account/"


# --- my account -------------------------------------------------------------------------------


def test_my_account_shows_and_saves_names_language_and_time_zone(client, default_site, citizen):
    sign_in(client, citizen.email)
    page = client.get("/en/account/").content.decode()
    assert 'value="Camille"' in page
    for url in ("/en/account/email/", "/en/account/password/change/", "/en/account/2fa/"):
        assert f'href="{url}"' in page
    assert 'href="/en/account/delete/"' in page

    response = client.post(
        "/en/account/",
        {
            "first_name": "Camille ",
            "last_name": "Martin",
            "language": "hu",
            "time_zone": "America/Cayenne",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/hu/account/"  # the page comes back in the new language
    citizen.refresh_from_db()
    assert (citizen.first_name, citizen.last_name) == ("Camille", "Martin")
    assert (citizen.language, citizen.time_zone) == ("hu", "America/Cayenne")
    followed = client.get("/hu/account/").content.decode()
    assert 'role="status"' in followed  # "Your details were saved."


def test_my_account_refuses_an_unknown_time_zone_and_changes_nothing(client, default_site, citizen):
    sign_in(client, citizen.email)

    response = client.post(
        "/en/account/",
        {"first_name": "X", "last_name": "Y", "language": "xx", "time_zone": "Mars/Olympus"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose one of the time zones in the list." in html
    assert "Choose one of the languages in the list." in html
    citizen.refresh_from_db()
    assert citizen.first_name == "Camille"


def test_my_account_links_the_connected_providers_only_when_one_is_configured(
    client, default_site, citizen, settings
):
    sign_in(client, citizen.email)
    assert "/account/3rdparty/" not in client.get("/account/").content.decode()

    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "city",
                    "name": "City ID",
                    "client_id": "lutetia",
                    "secret": "s",
                    "settings": {"server_url": "https://id.example.org"},
                }
            ]
        }
    }
    assert 'href="/account/3rdparty/"' in client.get("/account/").content.decode()


def test_my_account_needs_signing_in(client, default_site):
    response = client.get("/en/account/")

    assert response.status_code == 302
    assert response["Location"] == "/en/account/login/?next=/en/account/"


def test_changing_the_address_sends_a_link_to_the_new_one_and_keeps_the_old_until_then(
    client, default_site, citizen
):
    sign_in(client, citizen.email)

    response = client.post("/en/account/email/", {"action_add": "", "email": "camille@new.example"})

    # allauth asks for the password again before a change of address ("Confirm access"),
    # then carries out the change that was asked.
    assert response["Location"] == "/en/account/reauthenticate/?next=%2Fen%2Faccount%2Femail%2F"
    assert not mail.outbox
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["camille@new.example"]
    citizen.refresh_from_db()
    assert citizen.email == "citizen@example.org"
    page = client.get("/en/account/email/").content.decode()
    assert "camille@new.example" in page
    assert " style=" not in page

    link = re.search(r"https?://\S+/account/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    client.post(link.split("testserver", 1)[-1])
    citizen.refresh_from_db()
    assert citizen.email == "camille@new.example"


# --- deleting the account ------------------------------------------------------------------


def test_a_wrong_password_deletes_nothing(client, default_site, citizen):
    sign_in(client, citizen.email)

    response = client.post("/en/account/delete/", {"password": "not my password"})

    assert response.status_code == 200
    assert "The password is not correct: your account was not deleted." in response.content.decode()
    assert User.objects.filter(pk=citizen.pk).exists()
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_a_citizen_deletes_their_account_and_is_signed_out(client, default_site, citizen):
    sign_in(client, citizen.email)
    page = client.get("/en/account/delete/")
    assert re.search(
        r'<input[^>]*type="password"[^>]*autocomplete="current-password"', page.content.decode()
    )

    response = client.post("/en/account/delete/", {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/en/account/deleted/"
    assert not User.objects.filter(pk=citizen.pk).exists()
    assert not EmailAddress.objects.filter(email__iexact=citizen.email).exists()
    assert "_auth_user_id" not in client.session
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    assert "Your account was deleted" in confirmation.content.decode()
    # The address is free again.
    assert sign_in(Client(), citizen.email).status_code == 200


def test_guessing_the_password_on_the_deletion_page_meets_the_lock_out(
    client, default_site, citizen
):
    sign_in(client, citizen.email)
    for _attempt in range(5):
        client.post("/en/account/delete/", {"password": "a guess"})

    response = client.post("/en/account/delete/", {"password": PASSWORD})

    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert User.objects.filter(pk=citizen.pk).exists()


def test_an_account_the_law_keeps_is_anonymised_instead(default_site, citizen, monkeypatch):
    from django.db.models import ProtectedError

    def refuse(*args, **kwargs):
        raise ProtectedError("kept by law", set())

    monkeypatch.setattr(User, "delete", refuse)
    EmailAddress.objects.filter(user=citizen).update(verified=True)

    assert services.delete_account(citizen) == "anonymised"

    citizen.refresh_from_db()
    assert not citizen.is_active
    assert citizen.email.endswith("@invalid")
    assert (citizen.first_name, citizen.last_name) == ("", "")
    assert not citizen.has_usable_password()
    assert not EmailAddress.objects.filter(user=citizen).exists()


def test_an_agent_cannot_delete_their_own_account(client, default_site, agent):
    client.force_login(agent)

    assert 'href="/account/delete/"' not in client.get("/account/").content.decode()
    response = client.post("/en/account/delete/", {"password": PASSWORD})

    assert response.status_code == 403
    assert User.objects.filter(pk=agent.pk).exists()


def test_times_are_shown_in_the_person_s_time_zone(rf, citizen):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from lutetia.site.middleware import TimeZoneMiddleware

    middleware = TimeZoneMiddleware(lambda request: timezone.get_current_timezone_name())
    request = rf.get("/")
    request.user = citizen
    citizen.time_zone = "America/Cayenne"
    assert middleware(request) == "America/Cayenne"
    citizen.time_zone = ""
    assert middleware(request) == settings.TIME_ZONE
    request.user = AnonymousUser()
    assert middleware(request) == settings.TIME_ZONE


# --- agents and the back office --------------------------------------------------------------


def test_an_anonymous_visitor_of_the_back_office_is_sent_to_the_sign_in_page(client, default_site):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/admin/"


def test_an_agent_signs_in_and_lands_back_in_the_back_office(client, default_site, agent):
    response = sign_in(client, agent.email, next="/admin/pages/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200


def test_an_agent_signing_in_from_the_header_lands_in_the_back_office(client, default_site, agent):
    response = sign_in(client, agent.email)

    assert response["Location"] == "/admin/"


def test_a_citizen_lands_on_their_account_page_and_is_refused_the_back_office(
    client, default_site, citizen
):
    response = sign_in(client, citizen.email)
    assert response["Location"] == "/account/"

    admin = client.get("/admin/")
    assert admin.status_code == 302
    refused = client.get(admin["Location"])

    assert refused.status_code == 403  # no redirect loop back to /admin/
    html = assert_accessible(refused)
    assert t("fr", "You do not have permission to access the admin.") in html


def test_wagtail_s_own_sign_in_and_password_reset_lead_to_allauth_s(client, default_site, agent):
    assert client.get("/admin/login/?next=/admin/pages/")["Location"] == (
        "/account/login/?next=%2Fadmin%2Fpages%2F"
    )
    # A password posted there signs nobody in: no way around the lock-out or the second factor.
    response = client.post("/admin/login/", {"username": agent.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/password_reset/")["Location"] == "/account/password/reset/"
    assert client.post("/admin/password_reset/", {"email": agent.email}).status_code == 302
    assert not mail.outbox


def test_signing_out_of_the_back_office_works(client, default_site, agent):
    sign_in(client, agent.email)

    response = client.post("/admin/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


# --- who can sign in at once ------------------------------------------------------------------


def test_create_user_gives_a_verified_address_that_signs_in(client, default_site):
    user = services.create_user("lea@example.org", NEW_PASSWORD, first_name="Léa")

    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("lea@example.org", True, True)
    assert sign_in(client, "lea@example.org", NEW_PASSWORD)["Location"] == "/account/"


def test_createsuperuser_makes_an_administrator_who_signs_in_at_once(client, default_site):
    call_command(
        "createsuperuser",
        interactive=False,
        email="root@example.org",
        first_name="Root",
        last_name="Admin",
        verbosity=0,
    )
    user = User.objects.get(email="root@example.org")
    user.set_password(NEW_PASSWORD)
    user.save()

    assert EmailAddress.objects.get(user=user).verified
    response = sign_in(client, "root@example.org", NEW_PASSWORD)
    assert response["Location"] == "/admin/"


def test_a_user_an_administrator_creates_in_the_back_office_signs_in_at_once(
    client, default_site, site_admin
):
    from django.contrib.auth.models import Group

    agents = Group.objects.create(name="Agents")
    admin = Client()
    admin.force_login(site_admin)
    response = admin.post(
        "/admin/users/new/",
        {
            "email": "new.agent@example.org",
            "first_name": "Nora",
            "last_name": "Agent",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "groups": [agents.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    user = User.objects.get(email="new.agent@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert sign_in(client, "new.agent@example.org", NEW_PASSWORD).status_code == 302


def test_the_demo_accounts_sign_in_through_the_sign_in_page(client, tmp_path, settings):
    from lutetia.site import demo

    settings.DATA_DIR = tmp_path
    call_command("demo", verbosity=0)
    passwords = demo.read_credentials(tmp_path / demo.CREDENTIALS_FILE)
    email = next(email for email, *_rest, role in demo.ACCOUNTS if role == "agent")

    response = sign_in(client, email, passwords[email])

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert "/account/login/" in demo.sign_in_instructions(
        demo.DemoResult(
            site=Site.objects.get(is_default_site=True),
            created_pages=[],
            page_count=0,
            accounts=[(email, "agent", passwords[email])],
            credentials_path=tmp_path / demo.CREDENTIALS_FILE,
        )
    )
