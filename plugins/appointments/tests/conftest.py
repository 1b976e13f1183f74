"""Fixtures of Appointments' tests; Lutetia's (personas, sites, browser) come from its test kit."""

import pytest
from django.core.cache import cache
from django.utils import translation

from lutetia.plugins import get_plugin
from lutetia.testing.pytest_plugin import grant


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


# --- the agents' screens (test_agents_admin.py, test_agent_notes.py) ------------------------------


@pytest.fixture
def desk(default_site, workgroup):
    """The identity-card agenda, its service given to the agent's workgroup."""
    from appointments_samples import identity_cards

    agenda = identity_cards(default_site)
    agenda.service.workgroup = workgroup
    agenda.service.save()
    return agenda


@pytest.fixture
def manager(agent):
    return grant(agent, "appointments.manage_appointments")


@pytest.fixture
def other_manager(agent_other_workgroup):
    return grant(agent_other_workgroup, "appointments.manage_appointments")


@pytest.fixture
def day(desk):
    from appointments_samples import a_working_day

    return a_working_day(desk)
