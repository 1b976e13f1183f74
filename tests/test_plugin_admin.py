"""The back-office "Plugins" screen: who sees it, what it lists, switching plugins per site."""

from __future__ import annotations

import types

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from lutetia.plugins import enabled_labels, set_enabled
from lutetia.plugins.discovery import discover
from lutetia.plugins.models import PluginActivation

INDEX = "/admin/plugins/"


@pytest.fixture(autouse=True)
def _english(client):
    """Pages are asked for in English (changing LANGUAGE_CODE instead would leak into Wagtail's
    cached locale lookups and break later tests)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def login(client, user) -> None:
    """Sign ``user`` in with English as their back-office language (Wagtail's own preference)."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)


def toggle_url(label: str) -> str:
    return reverse("lutetia_plugins:toggle", args=[label])


@pytest.fixture
def admin_client(client, site_admin):
    login(client, site_admin)
    return client


@pytest.fixture
def other_site(default_site):
    from wagtail.models import Site

    return Site.objects.create(
        hostname="other.example.org",
        port=80,
        root_page=default_site.root_page,
        site_name="Other town",
    )


def test_the_screen_lives_at_admin_plugins():
    assert reverse("lutetia_plugins:index") == INDEX


@pytest.mark.django_db
def test_it_lists_the_installed_plugins_with_version_and_state(admin_client):
    response = admin_client.get(INDEX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="plugin-dummy"' in html and 'id="plugin-dummy_extra"' in html
    assert "0.1.0" in html and "0.2.0" in html
    assert "Exercises the plugin framework" in html
    assert "Switch Dummy off" in html  # on by default
    assert "Switch Dummy extra on" in html  # off by default
    assert "csrfmiddlewaretoken" in html
    assert 'id="id_site"' not in html  # one site: no selector
    assert 'id="plugin-problems"' not in html


@pytest.mark.django_db
def test_switching_a_plugin_off_hides_its_pages_and_keeps_its_data(
    admin_client, site_admin, default_site, django_capture_on_commit_callbacks
):
    from lutetia_dummy.models import Thing

    Thing.objects.create(name="kept")
    assert admin_client.get("/services/dummy/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):  # the access log writes at commit
        response = admin_client.post(
            toggle_url("dummy"), {"site": default_site.pk, "enabled": "0"}, follow=True
        )

    assert response.redirect_chain == [(f"{INDEX}?site={default_site.pk}", 302)]
    assert (
        "“Dummy” is now off for localhost [default]; its data is kept." in response.content.decode()
    )
    assert "Switch Dummy on" in response.content.decode()
    assert admin_client.get("/services/dummy/").status_code == 404
    assert Thing.objects.count() == 1
    activation = PluginActivation.objects.get(site=default_site, plugin="dummy")
    assert activation.enabled is False and activation.changed_by == site_admin

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(toggle_url("dummy"), {"site": default_site.pk, "enabled": "1"})
    assert admin_client.get("/services/dummy/").content == b"dummy service: 1 things"
    from lutetia.audit.models import AuditEntry

    logged = AuditEntry.objects.filter(target_type="plugin").order_by("pk")
    assert [(e.action, e.target_id, e.actor_id) for e in logged] == [
        ("plugins.disabled", "dummy", str(site_admin.pk)),
        ("plugins.enabled", "dummy", str(site_admin.pk)),
    ]


@pytest.mark.django_db
def test_a_refused_change_shows_the_reason_and_changes_nothing(admin_client, default_site):
    set_enabled(default_site, "dummy_extra", True)

    response = admin_client.post(
        toggle_url("dummy"), {"site": default_site.pk, "enabled": "0"}, follow=True
    )

    assert "“Dummy extra” needs “Dummy”: switch it off first." in response.content.decode()
    assert "dummy" in enabled_labels(default_site)


@pytest.mark.django_db
def test_with_several_sites_it_offers_a_selector_and_switches_one_site_only(
    admin_client, default_site, other_site
):
    response = admin_client.get(INDEX, {"site": other_site.pk})
    html = response.content.decode()
    assert 'id="id_site"' in html
    assert "Other town" in html
    assert f'name="site" value="{other_site.pk}"' in html

    admin_client.post(toggle_url("dummy"), {"site": other_site.pk, "enabled": "0"})

    assert "dummy" not in enabled_labels(other_site)
    assert "dummy" in enabled_labels(default_site)
    assert admin_client.get("/services/dummy/", HTTP_HOST="other.example.org").status_code == 404
    assert admin_client.get("/services/dummy/").status_code == 200


@pytest.mark.django_db
def test_an_unknown_site_answers_404(admin_client):
    assert admin_client.get(INDEX, {"site": "999"}).status_code == 404
    assert admin_client.get(INDEX, {"site": "nonsense"}).status_code == 404
    assert (
        admin_client.post(toggle_url("dummy"), {"site": "nonsense", "enabled": "0"}).status_code
        == 404
    )


@pytest.mark.django_db
def test_an_unknown_plugin_answers_404(admin_client, default_site):
    assert (
        admin_client.post(toggle_url("maps"), {"site": default_site.pk, "enabled": "1"}).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_toggle_url_accepts_only_post(admin_client):
    assert admin_client.get(toggle_url("dummy")).status_code == 405


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused(site_admin, default_site):
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    login(strict, site_admin)
    assert (
        strict.post(toggle_url("dummy"), {"site": default_site.pk, "enabled": "0"}).status_code
        == 403
    )
    assert "dummy" in enabled_labels(default_site)


@pytest.mark.django_db
def test_visitors_and_citizens_are_sent_to_the_login_page(client, citizen, default_site):
    response = client.get(INDEX)
    assert response.status_code == 302 and "/account/login/" in response["Location"]

    login(client, citizen)
    assert client.get(INDEX).status_code == 302
    assert (
        client.post(toggle_url("dummy"), {"site": default_site.pk, "enabled": "0"}).status_code
        == 302
    )
    assert "dummy" in enabled_labels(default_site)


@pytest.mark.django_db
def test_an_agent_without_the_right_is_turned_away_and_sees_no_menu_item(
    client, agent, default_site
):
    login(client, agent)
    # The view refuses (PermissionDenied); Wagtail's admin turns that into a redirect to the
    # dashboard with its "no permission" message.
    response = client.get(INDEX, follow=True)
    assert response.redirect_chain == [("/admin/", 302)]
    [message] = response.context["messages"]
    assert message.level_tag == "error"  # Wagtail's "you do not have permission", in its words
    response = client.post(toggle_url("dummy"), {"site": default_site.pk, "enabled": "0"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "dummy" in enabled_labels(default_site)
    assert INDEX not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_an_agent_with_the_right_sees_the_menu_item_and_may_switch(client, agent, default_site):
    agent.user_permissions.add(Permission.objects.get(codename="change_pluginactivation"))
    login(client, agent)

    assert INDEX in client.get("/admin/").content.decode()
    assert client.get(INDEX).status_code == 200
    client.post(toggle_url("dummy"), {"site": default_site.pk, "enabled": "0"})
    assert "dummy" not in enabled_labels(default_site)


@pytest.mark.django_db
def test_superusers_see_the_menu_item_under_settings(admin_client):
    assert INDEX in admin_client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_entry_points_that_failed_are_listed_for_the_administrator(admin_client):
    broken = types.SimpleNamespace(
        name="maps",
        value="lutetia_maps.apps:MapsConfig",
        dist=types.SimpleNamespace(name="lutetia-maps"),
    )
    real = list(discover())
    try:
        discover(refresh=True, source=lambda: [broken])
        html = admin_client.get(INDEX).content.decode()
    finally:
        discover(refresh=True)
    assert discover() == real
    assert 'id="plugin-problems"' in html
    assert "lutetia_maps.apps:MapsConfig" in html
    assert "lutetia-maps" in html
    assert "ModuleNotFoundError" in html
