"""Every front-office page of the demo renders under every installed theme, in its framework."""

from __future__ import annotations

import re

import pytest
from wagtail.models import Site

from lutetia.testing.a11y import front_office_urls
from lutetia.ui.models import ThemeSettings
from lutetia.ui.themes import themes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_city")]

CLASSES = re.compile(r'class="([^"]*)"')


def classes_of(body: str) -> set[str]:
    return {name for value in CLASSES.findall(body) for name in value.split()}


def test_every_installed_theme_says_how_to_recognise_its_pages():
    assert "bootstrap" in themes
    signatures = [theme.signature_class for _id, theme in themes.items()]
    assert all(signatures) and len(set(signatures)) == len(signatures)


@pytest.mark.parametrize("theme_id", sorted(themes))
def test_every_page_renders_in_the_site_s_theme_without_a_restart(client, theme_id):
    site = Site.objects.get(is_default_site=True)
    choice = ThemeSettings.for_site(site)
    choice.theme = theme_id
    choice.save()  # the anonymous page cache is emptied: the next page wears the new theme
    theme = themes[theme_id]
    others = {t.signature_class for _id, t in themes.items() if t is not theme}

    seen = 0
    for url in front_office_urls():
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        assert response.status_code in (200, 404), url
        used = classes_of(response.content.decode())
        assert theme.signature_class in used, url
        assert not (others & used), (url, others & used)
        assert theme.layout in [t.name for t in response.templates], url
        seen += 1
    assert seen > 20
