"""Appointments is a well-formed plugin: discovered, checked, served, switched off."""

import pytest
from django.core import checks
from django.urls import reverse

from lutetia.plugins import set_enabled
from lutetia.site.services import services_for


def test_it_is_discovered_with_its_metadata(plugin):
    assert plugin.name == "lutetia_appointments"
    assert plugin.version and plugin.description


def test_it_passes_the_system_checks(plugin):
    found = checks.run_checks(tags=["lutetia"])
    assert [e.msg for e in found if e.obj is plugin or "appointments" in e.msg] == []


@pytest.mark.django_db
def test_its_front_page_answers_until_it_is_switched_off(client, default_site):
    url = reverse("appointments:index")
    assert url == "/services/appointments/"
    assert client.get(url).status_code == 200

    set_enabled(default_site, "appointments", False)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_it_offers_its_service_in_the_directory(default_site):
    assert "appointments:index" in [service.id for service in services_for(default_site)]

    set_enabled(default_site, "appointments", False)
    assert "appointments:index" not in [service.id for service in services_for(default_site)]
