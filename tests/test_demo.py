"""`lutetia demo`: the fictional town, built once, completed (never duplicated) on a second run."""

from __future__ import annotations

import io
import stat
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from wagtail.models import GroupPagePermission, Locale, Page, Revision, Site

from lutetia.site import demo
from lutetia.site.models import (
    ContentPage,
    FooterLink,
    HomePage,
    MenuItem,
    NewsPage,
    SiteIdentity,
)
from lutetia.site.signals import demo_requested


def counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "locales": Locale.objects.count(),
        "sites": Site.objects.count(),
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
        "page permissions": GroupPagePermission.objects.count(),
        "menu items": MenuItem.objects.count(),
        "footer links": FooterLink.objects.count(),
    }


def run_demo() -> str:
    out = io.StringIO()
    with translation.override("en"):  # the output is asserted in English
        call_command("demo", stdout=out)
    return out.getvalue()


@dataclass
class Demo:
    first_output: str
    second_output: str
    after_first: dict[str, int]
    after_second: dict[str, int]


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo built twice, once for the module, then rolled back (it takes seconds to build)."""
    data_dir = tmp_path_factory.mktemp("data")
    cache.clear()
    with django_db_blocker.unblock(), override_settings(DATA_DIR=data_dir):
        with transaction.atomic():
            first = run_demo()
            after_first = counts()
            second = run_demo()
            yield Demo(first, second, after_first, counts())
            transaction.set_rollback(True)
    cache.clear()


def test_a_second_run_creates_no_duplicates(demo_city):
    assert demo_city.after_first == demo_city.after_second
    assert demo_city.after_first["menu items"] == 5
    assert demo_city.after_first["footer links"] == 4


@pytest.mark.django_db
def test_it_replaces_wagtails_welcome_page_with_the_french_home_page(demo_city):
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert home.locale.language_code == "fr"
    assert home.live
    assert not Page.objects.filter(depth=2, content_type__model="page").exists()
    english = home.get_translation(Locale.objects.get(language_code="en"))
    assert english.live
    assert english.title == "Welcome to Beaumont-sur-Loire"


@pytest.mark.django_db
def test_it_creates_locales_and_a_dozen_content_pages_in_french_and_english(demo_city):
    assert set(Locale.objects.values_list("language_code", flat=True)) >= {"fr", "en", "hu"}
    french = ContentPage.objects.live().filter(locale__language_code="fr")
    assert french.count() >= 12
    for page in french:
        translation = page.get_translation_or_none(Locale.objects.get(language_code="en"))
        assert translation is not None and translation.live, page.title
        assert translation.slug != page.slug or page.slug == translation.slug.lower()
    assert NewsPage.objects.live().filter(locale__language_code="en").count() == 5
    titles = set(ContentPage.objects.values_list("title", flat=True))
    assert {"Accessibilité", "Mentions légales", "Données personnelles", "Nous contacter"} <= titles


@pytest.mark.django_db
def test_it_prints_how_to_sign_in_on_every_run(demo_city):
    admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/"
    path = demo.Path(settings.DATA_DIR) / demo.CREDENTIALS_FILE
    passwords = demo.read_credentials(path)
    assert set(passwords) == {email for email, *_rest in demo.ACCOUNTS}
    for output in (demo_city.first_output, demo_city.second_output):
        assert f"Open {admin_url} and sign in as" in output
        for email, password in passwords.items():
            assert email in output
            assert password in output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_the_printed_passwords_open_the_back_office(demo_city, client):
    passwords = demo.read_credentials(demo.Path(settings.DATA_DIR) / demo.CREDENTIALS_FILE)
    for email, _first, _last, role in demo.ACCOUNTS:
        assert client.login(username=email, password=passwords[email]), email
        user = get_user_model().objects.get(email=email)
        assert user.is_superuser == (role == "administrator")
        assert (user.groups.filter(name=demo.AGENTS_GROUP).exists()) == (role == "agent")
        assert client.get("/admin/").status_code == 200
        client.logout()


@pytest.mark.django_db
def test_an_agent_may_edit_the_demo_pages(demo_city, client):
    passwords = demo.read_credentials(demo.Path(settings.DATA_DIR) / demo.CREDENTIALS_FILE)
    email = next(email for email, *_rest, role in demo.ACCOUNTS if role == "agent")
    client.login(username=email, password=passwords[email])
    page = ContentPage.objects.get(slug="etat-civil")
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200


@pytest.mark.django_db
def test_a_second_run_keeps_what_an_administrator_changed(demo_city):
    page = ContentPage.objects.get(slug="etat-civil")
    page.title = "État civil et mariages"
    page.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    identity = SiteIdentity.for_site(site)
    identity.name = "Beaumont"
    identity.save()
    MenuItem.objects.filter(navigation__site=site).first().delete()

    run_demo()

    assert ContentPage.objects.get(pk=page.pk).title == "État civil et mariages"
    assert ContentPage.objects.filter(slug="etat-civil").count() == 1
    assert SiteIdentity.for_site(site).name == "Beaumont"
    assert MenuItem.objects.filter(navigation__site=site).count() == 4


@pytest.mark.django_db
def test_the_demo_pages_are_searchable_right_away(demo_city):
    french = Locale.objects.get(language_code="fr")
    found = Page.objects.live().filter(locale=french).search("benne")
    assert [page.title for page in found] == ["Déchets et encombrants"]


@pytest.mark.django_db
def test_plugins_are_asked_for_their_demo_data_with_the_site_and_the_output(demo_city):
    seen = []

    def receiver(sender, site, stdout, **kwargs):
        seen.append(site)
        stdout.write("plugin demo data added")

    demo_requested.connect(receiver, dispatch_uid="test-demo-requested")
    try:
        output = run_demo()
    finally:
        demo_requested.disconnect(dispatch_uid="test-demo-requested")
    assert seen == [Site.objects.get(is_default_site=True)]
    assert "plugin demo data added" in output


def test_no_demo_password_is_written_in_the_source():
    source = (demo.__file__, demo.__file__.replace("demo.py", "management/commands/demo.py"))
    for path in source:
        text = open(path, encoding="utf-8").read()
        assert 'set_password("' not in text and 'password="' not in text


@pytest.mark.django_db
def test_each_demo_agent_belongs_to_a_workgroup_and_topics_go_to_them(demo_city):
    from lutetia.accounts.models import Workgroup

    roads = Workgroup.objects.get(code="voirie")
    front_desk = Workgroup.objects.get(code="accueil")

    assert [user.email for user in roads.members.all()] == ["karim.benali@beaumont.example"]
    assert [user.email for user in front_desk.members.all()] == ["claire.martin@beaumont.example"]
    from lutetia_contact.models import ContactTopic

    assert ContactTopic.objects.get(label="Voirie et propreté").workgroup == roads
