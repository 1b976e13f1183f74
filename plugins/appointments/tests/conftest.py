"""Fixtures of Appointments' tests; Lutetia's (personas, sites, browser) come from its test kit."""

import pytest
from django.core.cache import cache
from django.utils import translation

from lutetia.plugins import get_plugin


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (plugins' state, rate limits)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    """Messages raised to the code are read in English here; pages come in the site's language."""
    with translation.override("en"):
        yield


@pytest.fixture
def plugin():
    """The plugin's config, as Lutetia discovered it through its entry point."""
    config = get_plugin("appointments")
    assert config is not None, "the plugin is not installed: pip install -e plugins/appointments"
    return config


@pytest.fixture
def agenda(default_site):
    """The identity-card service's agenda at the town hall (Metz: Moselle's holidays)."""
    from appointments_samples import identity_cards

    return identity_cards(default_site)
