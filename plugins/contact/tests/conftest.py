"""Fixtures of Contact's tests; Lutetia's (personas, sites, cache reset) come from its test kit."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from lutetia.plugins import get_plugin
from lutetia.site.models import SiteIdentity


@pytest.fixture
def plugin():
    """The plugin's config, as Lutetia discovered it through its entry point."""
    config = get_plugin("contact")
    assert config is not None, "the plugin is not installed: pip install -e plugins/contact"
    return config


@pytest.fixture
def town_hall(default_site):
    """The default site, with its contact e-mail and the two topics of the demo city."""
    from lutetia_contact.models import ContactSettings, ContactTopic

    identity = SiteIdentity.for_site(default_site)
    identity.name = "Ville de Beaumont"
    identity.contact_email = "mairie@beaumont.example"
    identity.save()
    contact_settings = ContactSettings.for_site(default_site)
    ContactTopic.objects.create(settings=contact_settings, label="Civil status", sort_order=0)
    ContactTopic.objects.create(
        settings=contact_settings,
        label="Roads and cleanliness",
        email="voirie@beaumont.example",
        sort_order=1,
    )
    return default_site


@pytest.fixture
def in_language_of():
    """``in_language_of(response)`` gives ``t``: see `translator`."""
    return translator


def translator(response):
    """``t(text)``: ``text`` translated into the language the response is written in.

    Services under /services/ are outside the language-prefixed URLs, so they come in the
    site's default language (French): tests read the page's ``lang`` rather than assume it.
    """
    html = response.content.decode()
    language = re.search(r'<html lang="([^"]+)"', html).group(1)

    def t(text):
        with translation.override(language):
            return gettext(text)

    return t
