"""The anonymous whole-page cache: hits, what bypasses it, and what empties it at once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from wagtail.models import Page, Site

from lutetia.plugins import set_enabled
from lutetia.site.models import (
    ContentPage,
    HomePage,
    MenuItem,
    Navigation,
    ServiceDirectoryPage,
    SiteIdentity,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_cache_on")]

HEADER = "X-Lutetia-Cache"


@pytest.fixture
def _cache_on():
    with override_settings(LUTETIA_PAGE_CACHE_SECONDS=60):
        yield


@pytest.fixture
def home():
    site = Site.objects.get(is_default_site=True)
    home = HomePage(title="Accueil de la ville", slug="accueil-test")
    Page.get_first_root_node().add_child(instance=home)
    home.save_revision().publish()
    site.root_page = home
    site.save()
    return home


def test_the_second_anonymous_visit_is_served_from_the_cache(client, home):
    first = client.get("/")
    assert first.status_code == 200
    assert first[HEADER] == "miss"
    second = client.get("/")
    assert second[HEADER] == "hit"
    assert second.content == first.content


def test_a_visitor_with_a_session_is_never_served_from_the_cache(client, home, citizen):
    client.get("/")  # stored
    client.cookies[settings.SESSION_COOKIE_NAME] = "any-session"
    response = client.get("/")
    assert response.status_code == 200
    assert response.get(HEADER) is None

    client.force_login(citizen)
    assert client.get("/").get(HEADER) is None


def test_a_signed_in_visitors_page_is_never_stored(client, home, citizen):
    client.force_login(citizen)
    client.get("/")
    client.logout()
    client.cookies.clear()
    assert client.get("/")[HEADER] == "miss"


def test_a_query_string_bypasses_the_cache(client, home):
    client.get("/")
    client.get("/")
    response = client.get("/", {"utm_source": "newsletter"})
    assert response.status_code == 200
    assert response.get(HEADER) is None


def test_publishing_a_page_changes_what_is_served_at_once(client, home):
    client.get("/")
    assert client.get("/")[HEADER] == "hit"

    home.title = "Une nouvelle page d'accueil"
    home.save_revision().publish()

    response = client.get("/")
    assert response[HEADER] == "miss"
    assert "Une nouvelle page d&#x27;accueil" in response.content.decode()


def test_unpublishing_a_page_takes_it_offline_at_once(client, home):
    page = ContentPage(title="Bientôt retirée", slug="bientot-retiree")
    home.add_child(instance=page)
    page.save_revision().publish()
    client.get("/bientot-retiree/")
    assert client.get("/bientot-retiree/")[HEADER] == "hit"

    page.unpublish()

    assert client.get("/bientot-retiree/").status_code == 404


def test_changing_the_menu_or_the_site_identity_empties_the_cache(client, home):
    site = Site.objects.get(is_default_site=True)
    client.get("/")
    MenuItem.objects.create(
        navigation=Navigation.for_site(site), link_url="https://example.org/", label="Ailleurs"
    )
    response = client.get("/")
    assert response[HEADER] == "miss"
    assert "Ailleurs" in response.content.decode()

    identity = SiteIdentity.for_site(site)
    identity.name = "Ville de Nouvelle-Rive"
    identity.save()
    assert "Ville de Nouvelle-Rive" in client.get("/").content.decode()


def test_switching_a_plugin_off_empties_the_cache(client, home):
    site = Site.objects.get(is_default_site=True)
    directory = ServiceDirectoryPage(title="Services en ligne", slug="services-en-ligne")
    home.add_child(instance=directory)
    directory.save_revision().publish()
    assert "Dummy service" in client.get("/services-en-ligne/").content.decode()

    set_enabled(site, "dummy", False)

    response = client.get("/services-en-ligne/")
    assert response[HEADER] == "miss"
    assert "Dummy service" not in response.content.decode()


def test_a_page_not_found_is_not_stored(client, home):
    client.get("/nulle-part/")
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert response.get(HEADER) is None


def test_each_language_has_its_own_cached_page(client, home):
    client.get("/")
    english = client.get("/en/")
    assert english.get(HEADER) != "hit"
    assert '<html lang="en">' in english.content.decode()
