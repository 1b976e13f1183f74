"""What every request reads of its site comes from the cache (the site, its settings, the
header and footer), and a change shows at once, in every process; one rolled back, never."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from test_page_cache import home  # noqa: F401 (a fixture: the site's published home page)
from wagtail.models import Site

from lutetia.site.models import SiteIdentity

pytestmark = pytest.mark.django_db


def page(client, **extra):
    """The home page, rendered (a query string: the whole-page cache does not answer it)."""
    response = client.get("/", {"fresh": "1"}, **extra)
    assert response.status_code == 200
    return response.content.decode()


def tables_read(queries) -> str:
    return " ".join(query["sql"] for query in queries)


def test_a_page_reads_its_site_settings_and_header_from_the_cache(client, home):  # noqa: F811
    page(client)  # kept
    with CaptureQueriesContext(connection) as queries:
        page(client)
    read = tables_read(queries)
    for table in (
        "wagtailcore_site",
        "lutetia_site_siteidentity",
        "lutetia_site_navigation",
        "lutetia_site_menuitem",
        "lutetia_ui_themesettings",
    ):
        assert table not in read
    assert read.count("SELECT generation") == 1  # once per request


def test_a_changed_setting_shows_at_once(client, home):  # noqa: F811
    site = Site.objects.get(is_default_site=True)
    assert "Ville de Lutèce" not in page(client)
    identity = SiteIdentity.for_site(site)
    identity.name = "Ville de Lutèce"
    identity.save()
    assert "Ville de Lutèce" in page(client)


def test_a_change_rolled_back_is_never_shown(client, home):  # noqa: F811
    site = Site.objects.get(is_default_site=True)
    before = SiteIdentity.for_site(site).name
    with transaction.atomic():
        identity = SiteIdentity.for_site(site)
        identity.name = "Brouillon jamais validé"
        identity.save()
        assert "Brouillon jamais validé" in page(client)  # kept under the new generation
        transaction.set_rollback(True)
    shown = page(client)
    assert "Brouillon jamais validé" not in shown
    assert before in shown
    # The next change gets a generation of its own, not the rolled-back one again.
    identity = SiteIdentity.for_site(site)
    identity.tagline = "Une devise validée"
    identity.save()
    shown = page(client)
    assert "Une devise validée" in shown and "Brouillon jamais validé" not in shown


@override_settings(ALLOWED_HOSTS=["testserver", "annexe.example.org"])
def test_a_site_added_for_a_host_answers_it_at_once(client, home):  # noqa: F811
    default = SiteIdentity.for_site(Site.objects.get(is_default_site=True))
    default.name = "Mairie centrale"
    default.save()
    # No site of its own yet: the default one answers, and is kept for that host.
    assert "Mairie centrale" in page(client, HTTP_HOST="annexe.example.org")
    annexe = Site.objects.create(hostname="annexe.example.org", root_page=home)
    identity = SiteIdentity.for_site(annexe)
    identity.name = "Mairie annexe"
    identity.save()
    assert "Mairie annexe" in page(client, HTTP_HOST="annexe.example.org")


def test_a_none_computed_is_kept_unless_told_not_to():
    from lutetia.site.current import kept

    calls = []

    def missing():
        calls.append(1)

    assert kept("test:absent", missing) is None
    assert kept("test:absent", missing) is None
    assert len(calls) == 1  # kept: a missing site is not looked up again
    assert kept("test:made-up", missing, keep_none=False) is None
    assert kept("test:made-up", missing, keep_none=False) is None
    assert len(calls) == 3  # a made-up key from a URL fills no cache
