"""Sign-in through an OpenID Connect provider, end to end against a real one.

The provider is panva/oidc-provider started by the ``oidc_provider`` fixture
(`lutetia.testing.oidc`); the citizen's browser is an HTTP client (`Visitor`, one cookie jar) that
follows redirects between Lutetia's live server and the provider, submitting the forms it is
shown. Everything between Lutetia and the provider (discovery, token, JWKS, userinfo) is real
HTTP too.
"""

from __future__ import annotations

import threading
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core import mail

from lutetia.conf import ConfigError
from lutetia.conf.django import oidc_origins, oidc_providers
from lutetia.testing.pytest_plugin import PASSWORD

User = get_user_model()


# --- configuration -----------------------------------------------------------------------


def _table(**extra):
    return {
        "id": "franceconnect",
        "name": "FranceConnect",
        "server_url": "https://oidc.franceconnect.gouv.fr/api/v2/",
        "client_id": "abc",
        "client_secret": "s3cret",
        **extra,
    }


def test_a_provider_table_becomes_an_allauth_openid_connect_app():
    settings = oidc_providers(
        {"oidc_providers": [_table(auth_params={"acr_values": "eidas1"}, scope="openid email")]}
    )
    (app,) = settings["openid_connect"]["APPS"]
    assert app["provider_id"] == "franceconnect"
    assert app["client_id"] == "abc"
    assert app["secret"] == "s3cret"
    # The issuer, without its trailing slash: allauth appends /.well-known/openid-configuration.
    assert app["settings"]["server_url"] == "https://oidc.franceconnect.gouv.fr/api/v2"
    assert app["settings"]["token_auth_method"] == "client_secret_basic"
    assert app["settings"]["scope"] == ["openid", "email"]
    assert app["settings"]["oauth_pkce_enabled"] is True  # allauth's key (not "pkce_enabled")
    assert app["settings"]["auth_params"] == {"acr_values": "eidas1"}
    assert "verified_email" not in app["settings"]  # only the email_verified claim counts


def test_pkce_can_be_turned_off_for_one_provider_and_openid_is_always_asked():
    settings = oidc_providers({"oidc_providers": [_table(pkce=False, scope=["email"])]})
    app_settings = settings["openid_connect"]["APPS"][0]["settings"]
    assert app_settings["oauth_pkce_enabled"] is False
    assert app_settings["scope"] == ["openid", "email"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"client_id": ""}, "lacks client_id"),
        ({"secret": "x"}, "unknown keys secret"),
        ({"id": "France Connect"}, "short lower-case slug"),
        ({"server_url": "oidc.example.org"}, r"not an http\(s\) URL"),
        ({"token_auth_method": "private_key_jwt"}, "not supported"),
        ({"auth_params": "acr_values=eidas1"}, "auth_params must be a table"),
    ],
)
def test_a_wrong_provider_table_stops_the_start_with_a_clear_message(table, message):
    with pytest.raises(ConfigError, match=message) as error:
        oidc_providers({"oidc_providers": [_table(**table)]})
    assert "LUTETIA_OIDC_PROVIDERS: provider #1" in str(error.value)


def test_two_providers_cannot_share_an_id():
    with pytest.raises(ConfigError, match="used twice"):
        oidc_providers({"oidc_providers": [_table(), _table(name="Other")]})


def test_the_providers_origins_are_allowed_as_form_targets_once_each():
    config = {
        "oidc_providers": [
            _table(),
            _table(id="fc-plus", server_url="https://oidc.franceconnect.gouv.fr/api/v2/plus"),
            _table(id="city", server_url="https://id.example.org/realms/city"),
        ]
    }
    assert oidc_origins(config) == ["https://oidc.franceconnect.gouv.fr", "https://id.example.org"]


# --- a browser over HTTP -----------------------------------------------------------------


class _Forms(HTMLParser):
    """The forms of a page (action, method, the values they would send) and its links."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": {},
                "radios": [],
            }
            self.forms.append(self._form)
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "input" and self._form is not None and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind == "radio":
                self._form["radios"].append(attrs.get("value"))
            elif kind not in ("submit", "button", "checkbox"):
                self._form["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def forms_of(response) -> _Forms:
    parser = _Forms()
    parser.feed(response.text)
    return parser


class Visitor:
    """A citizen's browser over HTTP: one cookie jar for every site, redirects followed, forms
    sent. (Not named "browser": that fixture name makes a test a Playwright browser test.)"""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()

    def get(self, url, **kwargs):
        return self.http.get(urljoin(self.base_url, url), timeout=20, **kwargs)

    def submit(self, page, action_contains: str = "", *, follow: bool = True, **fields):
        """Send the first POST form of ``page`` whose action holds ``action_contains``."""
        for form in forms_of(page).forms:
            if form["method"] == "post" and action_contains in form["action"]:
                data = {**form["fields"], **fields}
                url = urljoin(page.url, form["action"])
                return self.http.post(url, data=data, timeout=20, allow_redirects=follow)
        raise AssertionError(f"no POST form to {action_contains!r} on {page.url}:\n{page.text}")

    def is_signed_in(self) -> bool:
        response = self.get("/account/", allow_redirects=False)
        return response.status_code == 200


@pytest.fixture
def provider(oidc_provider, settings):
    """The test provider, offered on Lutetia's sign-in page."""
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    return oidc_provider


@pytest.fixture
def new_visitor(live_server):
    """Make visitors (several citizens, or one on two devices), closed after the test: an open
    keep-alive connection holds a live-server thread, and that thread a database connection
    that would stop PostgreSQL's test database from being dropped."""
    visitors = []

    def make():
        visitors.append(Visitor(live_server.url))
        return visitors[-1]

    yield make
    for visitor in visitors:
        visitor.http.close()
    # The server notices the closed connections in its own threads: wait for them to end (and
    # close their database connections) before the database is emptied or dropped.
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=5)


@pytest.fixture
def visitor(new_visitor):
    return new_visitor()


def go_to_provider(visitor, provider, page, process_path="/login/"):
    """Press the provider's button on ``page``: the visitor lands on the provider."""
    response = visitor.submit(page, f"/account/oidc/{provider.provider_id}{process_path}")
    assert response.status_code == 200, response.text
    assert response.url.startswith(provider.issuer + "/interaction/"), response.url
    return response


def sign_in_at_provider(visitor, provider, page, account: str):
    """At the provider: sign in as ``account``, accept to share the identity; back at Lutetia."""
    response = go_to_provider(visitor, provider, page)
    response = visitor.submit(response, login=account, password="anything")
    assert response.url.startswith(provider.issuer + "/interaction/"), response.text
    response = visitor.submit(response)  # consent: share my identity with Lutetia
    assert response.url.startswith(visitor.base_url), response.url
    return response


# --- sign-in -----------------------------------------------------------------------------


def test_the_sign_in_page_offers_the_provider_as_a_button_that_posts(provider, visitor):
    page = visitor.get("/account/login/")
    assert page.status_code == 200
    (form,) = [f for f in forms_of(page).forms if "/account/oidc/" in f["action"]]
    assert form["method"] == "post"
    assert form["action"] == f"/account/oidc/{provider.provider_id}/login/?process=login"
    assert "csrfmiddlewaretoken" in form["fields"]
    assert f"Sign in with {provider.name}" in page.text or provider.name in page.text


def test_a_new_citizen_signs_in_through_the_provider_and_gets_an_account_from_the_claims(
    provider, visitor
):
    claims = provider.accounts["marianne"]
    response = sign_in_at_provider(visitor, provider, visitor.get("/account/login/"), "marianne")

    assert response.status_code == 200
    assert urlsplit(response.url).path == "/account/"
    assert visitor.is_signed_in()
    user = User.objects.get(email=claims["email"])
    assert (user.first_name, user.last_name) == (claims["given_name"], claims["family_name"])
    assert user.language == "fr"  # from locale fr-FR
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified  # email_verified is true
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == (provider.provider_id, "marianne")
    assert account.extra_data["userinfo"]["birthdate"] == claims["birthdate"]


def test_a_returning_citizen_finds_the_same_account_and_keeps_what_they_edited(
    provider, visitor, new_visitor
):
    sign_in_at_provider(visitor, provider, visitor.get("/account/login/"), "jean")
    user = User.objects.get(email=provider.accounts["jean"]["email"])
    user.first_name = "Jean-Baptiste"  # corrected by the citizen
    user.last_name = ""  # emptied: the provider may fill it again
    user.save()

    again = new_visitor()  # another day, another device
    response = sign_in_at_provider(again, provider, again.get("/account/login/"), "jean")

    # Jean's provider says "locale": "en": his account page, in English.
    assert urlsplit(response.url).path == "/en/account/"
    assert again.is_signed_in()
    assert User.objects.count() == 1
    assert SocialAccount.objects.count() == 1
    user.refresh_from_db()
    assert user.first_name == "Jean-Baptiste"
    assert user.last_name == provider.accounts["jean"]["family_name"]


def test_an_address_the_provider_has_not_verified_must_be_confirmed_first(provider, visitor):
    claims = provider.accounts["unverified"]
    response = sign_in_at_provider(visitor, provider, visitor.get("/account/login/"), "unverified")

    assert not visitor.is_signed_in()
    user = User.objects.get(email=claims["email"])
    assert not EmailAddress.objects.get(user=user).verified
    assert [message.to for message in mail.outbox] == [[claims["email"]]]
    assert response.status_code == 200


def test_a_verified_address_already_used_here_is_not_joined_and_the_citizen_is_told_why(
    provider, visitor, citizen
):
    # The provider vouches for citizen@example.org, which already has a password account
    # here: signing in with it must not open that account (account takeover).
    response = sign_in_at_provider(visitor, provider, visitor.get("/account/login/"), "lookalike")

    assert response.status_code == 409
    assert "Vous avez déjà un compte" in response.text
    assert "citizen@example.org" in response.text
    assert not visitor.is_signed_in()
    assert not SocialAccount.objects.exists()
    assert User.objects.count() == 1
    citizen.refresh_from_db()
    assert (citizen.last_name, citizen.has_usable_password()) == ("Citoyenne", True)


def test_an_unverified_address_already_used_here_only_gets_its_owner_an_email(
    provider, visitor, other_citizen
):
    # Unverified, the address may not be the person's: nothing may say it has an account
    # (ACCOUNT_PREVENT_ENUMERATION); allauth answers as for a new sign-up and writes to the
    # address's owner.
    response = sign_in_at_provider(visitor, provider, visitor.get("/account/login/"), "squatter")

    assert response.status_code == 200
    assert "Vous avez déjà un compte" not in response.text
    assert not visitor.is_signed_in()
    assert not SocialAccount.objects.exists()
    assert User.objects.count() == 1
    assert [message.to for message in mail.outbox] == [[other_citizen.email]]


def test_a_provider_that_gives_no_address_leads_to_a_short_form_asking_for_one(provider, visitor):
    response = sign_in_at_provider(visitor, provider, visitor.get("/account/login/"), "anonymous")

    assert urlsplit(response.url).path == "/account/3rdparty/signup/"
    assert "Créez votre compte" in response.text
    assert not User.objects.exists()
    response = visitor.submit(response, "/account/3rdparty/signup/", email="alix@example.org")

    # A typed address is confirmed by e-mail before the first sign-in.
    assert response.status_code == 200
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name) == ("alix@example.org", "Alix", "Sansmail")
    assert SocialAccount.objects.get(user=user).uid == "anonymous"
    assert not EmailAddress.objects.get(user=user).verified
    assert [message.to for message in mail.outbox] == [["alix@example.org"]]
    assert not visitor.is_signed_in()


# --- connect and disconnect ----------------------------------------------------------------


def sign_in_with_password(visitor, email):
    page = visitor.get("/account/login/")
    response = visitor.submit(page, "/account/login/", login=email, password=PASSWORD)
    assert visitor.is_signed_in(), response.text
    return response


def test_a_citizen_with_a_password_connects_the_provider_then_disconnects_it(
    provider, visitor, citizen, new_visitor
):
    sign_in_with_password(visitor, citizen.email)
    page = visitor.get("/account/3rdparty/")
    assert page.status_code == 200

    response = go_to_provider(visitor, provider, page, "/login/")
    response = visitor.submit(response, login="jean", password="anything")
    response = visitor.submit(response)  # consent
    # Connecting a way to sign in is sensitive: the password is asked again first
    # (ACCOUNT_REAUTHENTICATION_REQUIRED), then the connection resumes.
    assert urlsplit(response.url).path == "/account/reauthenticate/"
    assert not SocialAccount.objects.exists()
    response = visitor.submit(response, "/account/reauthenticate/", password=PASSWORD)

    assert urlsplit(response.url).path == "/account/3rdparty/"
    assert f"{provider.name} est associé" in response.text
    account = SocialAccount.objects.get(user=citizen)
    assert account.uid == "jean"
    citizen.refresh_from_db()
    assert citizen.email == "citizen@example.org"  # the provider does not change it
    assert citizen.first_name == "Camille"

    # From now on the provider opens this account.
    other = new_visitor()
    sign_in_at_provider(other, provider, other.get("/account/login/"), "jean")
    assert other.is_signed_in()
    assert other.get("/account/").text.count(citizen.email) >= 1

    page = visitor.get("/account/3rdparty/")
    (form,) = [f for f in forms_of(page).forms if f["radios"]]
    assert form["radios"] == [str(account.pk)]
    response = visitor.submit(page, "/account/3rdparty/", account=str(account.pk))

    assert response.status_code == 200
    assert "vous ne pouvez plus l’utiliser pour vous connecter" in response.text
    assert not SocialAccount.objects.exists()
    assert citizen.has_usable_password()


def test_disconnecting_the_only_way_to_sign_in_is_refused_with_the_reason(provider, visitor):
    sign_in_at_provider(visitor, provider, visitor.get("/account/login/"), "marianne")
    account = SocialAccount.objects.get()

    page = visitor.get("/account/3rdparty/")
    response = visitor.submit(page, "/account/3rdparty/", account=str(account.pk))

    assert response.status_code == 200
    assert "choisissez un mot de passe pour votre compte" in response.text
    assert SocialAccount.objects.filter(pk=account.pk).exists()


# --- bad input -----------------------------------------------------------------------------


def test_a_callback_with_a_state_we_never_issued_gets_a_clear_page_and_creates_nothing(
    provider, visitor
):
    # A real sign-in up to the provider's answer, whose state is then swapped.
    response = go_to_provider(visitor, provider, visitor.get("/account/login/"))
    response = visitor.submit(response, login="marianne", password="anything")
    consent = forms_of(response).forms[0]
    answer = visitor.http.post(
        urljoin(response.url, consent["action"]),
        data=consent["fields"],
        allow_redirects=False,
        timeout=20,
    )
    # Follow the provider's redirects up to (not into) our callback.
    while not answer.headers["Location"].startswith(visitor.base_url):
        answer = visitor.http.get(
            urljoin(answer.url, answer.headers["Location"]), allow_redirects=False, timeout=20
        )
    callback = urlsplit(answer.headers["Location"])
    params = {key: values[0] for key, values in parse_qs(callback.query).items()}
    assert params["code"] and params["state"]
    params["state"] = "forged-" + params["state"][:8]

    response = visitor.get(callback.path, params=params)

    assert response.status_code == 401
    assert "La connexion n’a pas abouti" in response.text
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()
    assert not visitor.is_signed_in()


def test_a_callback_without_any_state_is_refused_too(provider, visitor):
    response = visitor.get(f"/account/oidc/{provider.provider_id}/login/callback/?code=abc")
    assert response.status_code == 401
    assert "La connexion n’a pas abouti" in response.text
    assert not User.objects.exists()


def test_refusing_to_share_the_identity_at_the_provider_creates_nothing(provider, visitor):
    response = go_to_provider(visitor, provider, visitor.get("/account/login/"))
    response = visitor.submit(response, login="marianne", password="anything")
    (abort,) = [link for link in forms_of(response).links if link.endswith("/abort")]

    response = visitor.get(urljoin(response.url, abort))

    assert response.status_code == 200
    assert urlsplit(response.url).path == "/account/3rdparty/login/cancelled/"
    assert "Connexion annulée" in response.text
    assert not User.objects.exists()
    assert not visitor.is_signed_in()


def test_a_provider_error_other_than_a_refusal_gets_the_error_page(provider, visitor):
    response = go_to_provider(visitor, provider, visitor.get("/account/login/"))
    (authorize,) = [r for r in response.history if r.url.startswith(provider.issuer + "/auth?")]
    state = parse_qs(urlsplit(authorize.url).query)["state"][0]

    response = visitor.get(
        f"/account/oidc/{provider.provider_id}/login/callback/",
        params={"error": "temporarily_unavailable", "state": state},
    )

    assert response.status_code == 401
    assert "La connexion n’a pas abouti" in response.text
    assert not User.objects.exists()


# --- languages -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "hu"])
def test_the_callback_given_to_providers_is_the_same_in_every_language(language):
    from django.urls import reverse
    from django.utils import translation

    with translation.override(language):
        url = reverse("openid_connect_callback", kwargs={"provider_id": "testid"})
    assert url == "/account/oidc/testid/login/callback/"


def test_a_citizen_browsing_in_english_signs_in_through_the_provider(provider, visitor):
    page = visitor.get("/en/account/login/")
    response = visitor.submit(page, "/oidc/testid/login/", follow=False)
    authorize = urlsplit(response.headers["Location"])
    assert parse_qs(authorize.query)["redirect_uri"] == provider.redirect_uris

    response = visitor.get(response.headers["Location"])
    response = visitor.submit(response, login="jean", password="anything")
    response = visitor.submit(response)  # consent

    assert response.status_code == 200
    assert visitor.is_signed_in()
    assert User.objects.get().language == "en"
