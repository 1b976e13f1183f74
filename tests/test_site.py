"""The front-office site on the demo city: pages, blocks, menus, search, errors, sitemap."""

from __future__ import annotations

import re
from xml.etree import ElementTree  # our own sitemap, not untrusted input

import pytest
from django.test import override_settings
from wagtail.models import Locale, Page, Site

from lutetia.plugins import set_enabled
from lutetia.site.models import (
    ContentPage,
    FooterLink,
    MenuItem,
    Navigation,
    NewsPage,
    SiteIdentity,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_city")]


@pytest.fixture
def site():
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home(site):
    return site.root_page.specific


def html(response) -> str:
    return response.content.decode()


def links(body: str) -> list[tuple[str, str]]:
    """(href, text) of every link, whatever classes or attributes the theme gives it."""
    return [
        (href, re.sub(r"<[^>]+>|\s+", " ", text).strip())
        for href, text in re.findall(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', body, re.S)
    ]


def has_link(body: str, href: str, text: str) -> bool:
    """Whether ``body`` links ``href`` with a text starting with ``text`` (a theme may add
    visually hidden words, such as "opens another site")."""
    return any(h == href and t.startswith(text) for h, t in links(body))


def nav(body: str, label: str) -> str:
    """The inside of the <nav> named ``label``."""
    found = re.search(rf'<nav\b[^>]*aria-label="{re.escape(label)}"[^>]*>(.*?)</nav>', body, re.S)
    assert found, f"no <nav> named {label!r}"
    return found.group(1)


def headings(body: str, level: int) -> list[str]:
    """The text of every heading of ``level``."""
    return [
        re.sub(r"<[^>]+>|\s+", " ", text).strip()
        for text in re.findall(rf"<h{level}\b[^>]*>(.*?)</h{level}>", body, re.S)
    ]


# --- pages and languages ------------------------------------------------------------------------


def test_the_french_home_page_is_served_at_the_root_with_an_english_alternate(client):
    response = client.get("/")
    assert response.status_code == 200
    body = html(response)
    assert '<html lang="fr">' in body
    assert "<h1>Bienvenue à Beaumont-sur-Loire</h1>" in body
    assert re.search(r'<link rel="alternate" hreflang="en" href="http://testserver/en/">', body)
    assert re.search(r'<link rel="alternate" hreflang="fr" href="http://testserver/">', body)


def test_the_english_home_page_is_served_under_en_with_a_french_alternate(client):
    body = html(client.get("/en/"))
    assert '<html lang="en">' in body
    assert "<h1>Welcome to Beaumont-sur-Loire</h1>" in body
    assert '<link rel="alternate" hreflang="fr" href="http://testserver/">' in body


def test_the_language_switcher_leads_to_the_translation_of_the_page(client):
    body = html(client.get("/demarches/etat-civil/"))
    assert 'href="/en/procedures/civil-status/" hreflang="en"' in body
    # No Hungarian translation: the Hungarian home page rather than a 404.
    assert 'href="/hu/" hreflang="hu"' in body


def test_a_page_without_a_translation_keeps_its_own_language_inside_main(client):
    body = html(client.get("/hu/"))
    assert '<html lang="hu">' in body
    assert re.search(r'<main id="content"[^>]*\slang="fr"', body)


def test_a_content_page_renders_each_block_type(client, home):
    civil_status = ContentPage.objects.get(slug="etat-civil")
    page = ContentPage(
        title="Tous les blocs",
        slug="tous-les-blocs",
        intro="Une page d'essai.",
        body=[
            {"type": "text", "value": "<p>Un paragraphe de texte riche.</p>"},
            {
                "type": "call_to_action",
                "value": {
                    "title": "Agir maintenant",
                    "text": "Un appel à l'action.",
                    "link": {"page": civil_status.pk, "url": "", "label": "Aller à l'état civil"},
                },
            },
            {
                "type": "cards",
                "value": {
                    "heading": "Des cartes",
                    "cards": [
                        {
                            "title": "Carte liée",
                            "text": "",
                            "image": None,
                            "link": {"page": None, "url": "https://example.org/", "label": ""},
                        },
                        {
                            "title": "Carte seule",
                            "text": "Sans lien.",
                            "image": None,
                            "link": {"page": None, "url": "", "label": ""},
                        },
                    ],
                },
            },
            {"type": "services", "value": {"heading": "Des services", "category": ""}},
            {"type": "news", "value": {"heading": "Des nouvelles", "count": 2}},
            {
                "type": "faq",
                "value": {
                    "heading": "Des questions",
                    "questions": [{"question": "Pourquoi ?", "answer": "<p>Parce que.</p>"}],
                },
            },
            {
                "type": "contact",
                "value": {
                    "title": "Un service",
                    "address": "1 rue Haute",
                    "phone": "02 61 91 00 01",
                    "email": "service@beaumont.example",
                    "opening_hours": "Le matin",
                },
            },
        ],
    )
    home.add_child(instance=page)
    page.save_revision().publish()

    body = html(client.get("/tous-les-blocs/"))
    assert "<p>Un paragraphe de texte riche.</p>" in body
    assert has_link(body, "/demarches/etat-civil/", "Aller à l&#x27;état civil")
    assert has_link(body, "https://example.org/", "Carte liée")
    assert "Carte seule" in headings(body, 3)  # under the block's heading, h2
    assert has_link(body, "/services/dummy/", "Dummy service")
    assert "Dummy service" in headings(body, 3)
    assert body.count("/actualites/") >= 2
    # The question is the accordion's title (in an h3 under the block's h2), the answer in it.
    assert "Pourquoi ?" in headings(body, 3) or ("<summary" in body and "Pourquoi ?" in body)
    assert "<p>Parce que.</p>" in body
    assert 'href="tel:0261910001"' in body and "service@beaumont.example" in body
    assert body.count("<h1") == 1


def test_a_link_to_a_page_follows_the_visitors_language(client):
    # The English home page's call to action points at the French page, as copied.
    body = html(client.get("/en/"))
    assert has_link(
        body, "/en/living-in-beaumont/participatory-budget/", "Discover the participatory budget"
    )


def test_the_news_list_shows_the_news_of_the_pages_language_only(client):
    french = html(client.get("/"))
    english = html(client.get("/en/"))
    assert "Le marché de producteurs revient sur les quais" in french
    assert "The farmers&#x27; market is back on the riverside" in english
    assert "Le marché de producteurs" not in english


def test_the_breadcrumb_leads_back_to_the_home_page(client):
    body = html(client.get("/demarches/etat-civil/"))
    crumbs = nav(body, "Vous êtes ici")
    assert re.findall(r'href="([^"]+)"', crumbs) == ["/", "/demarches/"]
    assert re.search(r'<li\b[^>]*aria-current="page"[^>]*>État civil</li>', crumbs)


def test_the_home_page_has_no_breadcrumb(client):
    assert 'aria-label="Vous êtes ici"' not in html(client.get("/"))


def test_every_demo_page_is_accessible_by_construction_and_cacheable(client):
    for page in Page.objects.live().filter(depth__gt=1).specific():
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        body = html(response)
        assert body.count("<h1") == 1, page.url
        assert "#content" in dict(links(body)), page.url  # the skip link
        assert '<main id="content"' in body
        assert "csrfmiddlewaretoken" not in body, page.url
        for label in re.findall(r'<nav[^>]*aria-label="([^"]*)"', body):
            assert label, page.url


# --- menus and footer ---------------------------------------------------------------------------


def test_the_menu_and_footer_render_from_the_navigation_setting(client, site):
    navigation = Navigation.for_site(site)
    navigation.menu_items.all().delete()
    navigation.footer_links.all().delete()
    MenuItem.objects.create(
        navigation=navigation, sort_order=0, link_page=ContentPage.objects.get(slug="mairie")
    )
    MenuItem.objects.create(
        navigation=navigation, sort_order=1, service="dummy:hello", label="Essai"
    )
    FooterLink.objects.create(
        navigation=navigation, sort_order=0, link_url="https://example.org/plan", label="Plan"
    )

    body = html(client.get("/"))
    assert links(nav(body, "Menu principal")) == [
        ("/mairie/", "La mairie"),
        ("/services/dummy/", "Essai"),
    ]
    assert has_link(body, "https://example.org/plan", "Plan")
    # In English, a page entry shows the translated title.
    assert has_link(html(client.get("/en/")), "/en/town-hall/", "Town hall")


def test_a_menu_entry_of_a_switched_off_plugin_vanishes(client, site):
    navigation = Navigation.for_site(site)
    MenuItem.objects.create(
        navigation=navigation, sort_order=9, service="dummy:hello", label="Essai"
    )
    assert "/services/dummy/" in html(client.get("/mairie/"))

    set_enabled(site, "dummy", False)

    assert "/services/dummy/" not in html(client.get("/mairie/"))


def test_the_site_settings_screens_open_for_a_site_admin(client, site, site_admin):
    client.force_login(site_admin)
    identity = client.get(f"/admin/settings/lutetia_site/siteidentity/{site.pk}/")
    assert identity.status_code == 200
    assert "Ville de Beaumont-sur-Loire" in html(identity)
    navigation = client.get(f"/admin/settings/lutetia_site/navigation/{site.pk}/")
    assert navigation.status_code == 200
    assert '<option value="dummy:hello">' in html(navigation)


def test_the_service_of_a_menu_entry_is_chosen_among_the_services_offered(client, site, site_admin):
    client.force_login(site_admin)
    set_enabled(site, "dummy", False)
    assert 'value="dummy:hello"' not in html(
        client.get(f"/admin/settings/lutetia_site/navigation/{site.pk}/")
    )
    set_enabled(site, "dummy", True)
    navigation = Navigation.for_site(site)
    navigation.menu_items.all().delete()
    navigation.footer_links.all().delete()

    def post(service):
        return client.post(
            f"/admin/settings/lutetia_site/navigation/{site.pk}/",
            {
                "menu_items-TOTAL_FORMS": "1",
                "menu_items-INITIAL_FORMS": "0",
                "menu_items-MIN_NUM_FORMS": "0",
                "menu_items-MAX_NUM_FORMS": "1000",
                "menu_items-0-label": "Essai",
                "menu_items-0-link_page": "",
                "menu_items-0-service": service,
                "menu_items-0-link_url": "",
                "menu_items-0-ORDER": "1",
                "menu_items-0-id": "",
                "menu_items-0-DELETE": "",
                "footer_links-TOTAL_FORMS": "0",
                "footer_links-INITIAL_FORMS": "0",
                "footer_links-MIN_NUM_FORMS": "0",
                "footer_links-MAX_NUM_FORMS": "1000",
            },
        )

    refused = post("forms:not-installed")
    assert refused.status_code == 200
    assert not MenuItem.objects.filter(navigation=navigation).exists()

    accepted = post("dummy:hello")
    assert accepted.status_code == 302
    assert MenuItem.objects.get(navigation=navigation).service == "dummy:hello"


# --- search -------------------------------------------------------------------------------------


def test_the_search_finds_a_demo_page_by_a_word_of_its_body_with_a_count(client):
    response = client.get("/search/", {"q": "benne"})
    assert response.status_code == 200
    results = response.context["results"]
    assert results.paginator.count == 1
    assert [page.title for page in results] == ["Déchets et encombrants"]
    # Each result is a heading (under the count, h2) linking to the page.
    body = html(response)
    assert "Déchets et encombrants" in headings(body, 3)
    assert any(
        href.endswith("/dechets-encombrants/") and text == "Déchets et encombrants"
        for href, text in links(body)
    )


def test_the_search_keeps_to_the_current_language(client):
    english = client.get("/en/search/", {"q": "lorry"}).context["results"]
    assert [page.title for page in english] == ["Waste and bulky items"]
    assert client.get("/search/", {"q": "lorry"}).context["results"].paginator.count == 0
    assert client.get("/en/search/", {"q": "benne"}).context["results"].paginator.count == 0


def test_an_empty_search_shows_the_form_and_no_results(client):
    response = client.get("/search/", {"q": "   "})
    assert response.status_code == 200
    assert response.context["results"] is None
    assert 'id="search-page-q"' in html(response)
    assert client.get("/search/").status_code == 200


def test_a_too_long_search_is_shortened_rather_than_refused(client):
    response = client.get("/search/", {"q": "benne " * 100})
    assert response.status_code == 200
    assert len(response.context["query"]) <= 200
    assert response.context["truncated"] is True
    assert response.context["results"].paginator.count == 1


@pytest.mark.parametrize("query", ['"', "*", "AND", "(", "déchet' OR 1=1 --", "NEAR(", "%"])
def test_a_search_with_odd_characters_does_not_fail(client, query):
    assert client.get("/search/", {"q": query}).status_code == 200


# --- service directory --------------------------------------------------------------------------


def test_the_service_directory_lists_the_services_of_the_switched_on_plugins(client):
    body = html(client.get("/services-en-ligne/"))
    assert "Tests" in headings(body, 2)
    assert has_link(body, "/services/dummy/", "Dummy service")


def test_the_service_directory_forgets_a_switched_off_plugin_at_once(client, site):
    client.get("/services-en-ligne/")  # cached
    set_enabled(site, "dummy", False)
    body = html(client.get("/services-en-ligne/"))
    assert "Dummy service" not in body


# --- errors, sitemap, robots ----------------------------------------------------------------------


@override_settings(DEBUG=False)
@pytest.mark.parametrize(("url", "home_url"), [("/nulle-part/", "/"), ("/en/nowhere/", "/en/")])
def test_an_unknown_address_gets_the_themed_404_page(client, url, home_url):
    response = client.get(url)
    assert response.status_code == 404
    body = html(response)
    assert "Ville de Beaumont-sur-Loire" in body
    assert f'<a href="{home_url}">' in body
    assert body.count("<h1") == 1


@override_settings(DEBUG=False)
def test_a_failing_page_gets_the_500_page_without_a_traceback(client, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("the database caught fire")

    monkeypatch.setattr(ContentPage, "get_context", broken)
    client.raise_request_exception = False
    response = client.get("/demarches/etat-civil/")
    assert response.status_code == 500
    body = html(response)
    assert "Traceback" not in body and "caught fire" not in body
    assert "<h1>" in body
    assert 'href="/"' in body


def test_the_sitemap_lists_the_live_pages_in_every_language_with_absolute_urls(client, home):
    draft = ContentPage(title="Brouillon", slug="brouillon", live=False)
    home.add_child(instance=draft)

    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    tree = ElementTree.fromstring(response.content)  # noqa: S314
    locations = [
        node.text for node in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert all(re.match(r"https?://[^/]+/", location) for location in locations)
    paths = {re.sub(r"^https?://[^/]+", "", location) for location in locations}
    assert {"/", "/en/", "/demarches/etat-civil/", "/en/procedures/civil-status/"} <= paths
    assert "/brouillon/" not in paths
    live = Page.objects.live().public().filter(depth__gt=1).count()
    assert len(paths) == live


def test_robots_txt_points_at_the_sitemap_and_keeps_robots_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_the_news_index_lists_its_news_newest_first(client):
    body = html(client.get("/actualites/"))
    titles = [text for href, text in links(body) if re.fullmatch(r"/actualites/[^/]+/", href)]
    expected = list(
        NewsPage.objects.live()
        .filter(locale=Locale.objects.get(language_code="fr"))
        .order_by("-date")
        .values_list("title", flat=True)
    )
    assert [t.replace("&#x27;", "'") for t in titles] == expected


def test_the_header_shows_the_site_identity(client, site):
    identity = SiteIdentity.for_site(site)
    identity.tagline = "Une ville au bord de l'eau"
    identity.save()
    body = html(client.get("/"))
    assert "Une ville au bord de l&#x27;eau" in body
    assert 'href="mailto:mairie@beaumont.example"' in body


def test_content_images_are_served_and_other_uploads_never_are(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "logo.max-165x165.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "passport.pdf").write_bytes(b"%PDF-1.4 private")

    assert client.get("/media/images/logo.max-165x165.png").status_code == 200
    assert client.get("/media/uploads/passport.pdf").status_code == 404
    assert client.get("/media/images/../uploads/passport.pdf").status_code == 404
    assert client.get("/media/images/missing.png").status_code == 404
