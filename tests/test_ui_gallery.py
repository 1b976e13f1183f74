"""Settings → Component gallery: every component in the active theme, for administrators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lutetia.ui.components import COMPONENTS
from lutetia.ui.themes import themes

pytestmark = pytest.mark.django_db

INSTALLED = sorted(themes)


@pytest.fixture(params=INSTALLED)
def site_theme(request, default_site):
    from lutetia.ui.models import ThemeSettings

    ThemeSettings.objects.update_or_create(site=default_site, defaults={"theme": request.param})
    return themes[request.param]


def test_an_administrator_sees_every_component_in_the_site_s_theme(client, site_admin, site_theme):
    client.force_login(site_admin)

    response = client.get(reverse("lutetia_ui_gallery:index"))

    assert response.status_code == 200
    page = response.content.decode()
    assert str(site_theme.verbose_name) in page
    for name in COMPONENTS:
        assert f'id="component-{name}"' in page
        assert reverse("lutetia_ui_gallery:preview", args=[name]) in page


def test_each_preview_shows_the_component_in_the_theme_s_layout(client, site_admin, site_theme):
    client.force_login(site_admin)

    for name in COMPONENTS:
        response = client.get(reverse("lutetia_ui_gallery:preview", args=[name]))
        assert response.status_code == 200, name
    assert client.get(reverse("lutetia_ui_gallery:preview", args=["nothing"])).status_code == 404


def test_the_gallery_is_for_administrators_only(client, agent, default_site):
    client.force_login(agent)

    assert client.get(reverse("lutetia_ui_gallery:index")).status_code in (302, 403)
    assert client.get(reverse("lutetia_ui_gallery:preview", args=["button"])).status_code in (
        302,
        403,
    )
