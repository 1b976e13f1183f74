"""Contact is a well-formed plugin: discovered, checked, served, switched off."""

import pytest
from django.core import checks
from django.urls import reverse
from django.utils import translation

from lutetia.plugins import set_enabled
from lutetia.site.services import services_for


def test_it_is_discovered_with_its_metadata(plugin):
    assert plugin.name == "lutetia_contact"
    with translation.override("en"):
        assert str(plugin.verbose_name) == "Contact"
    assert plugin.version == "0.1.0"
    assert plugin.category == "service"
    assert plugin.compatibility == ">=0.1,<1"
    assert plugin.description


def test_it_passes_the_system_checks(plugin):
    found = checks.run_checks(tags=["lutetia"])
    assert [e.msg for e in found if e.obj is plugin or "contact" in e.msg] == []


@pytest.mark.django_db
def test_its_form_answers_until_it_is_switched_off(client, default_site):
    url = reverse("contact:index")
    assert url == "/services/contact/"
    assert client.get(url).status_code == 200

    set_enabled(default_site, "contact", False)
    assert client.get(url).status_code == 404
    assert client.get(reverse("contact:sent")).status_code == 404


@pytest.mark.django_db
def test_it_offers_its_service_in_the_directory_until_it_is_switched_off(default_site):
    offered = {service.id: service for service in services_for(default_site)}
    with translation.override("en"):
        assert str(offered["contact:write"].title) == "Contact the town hall"
        assert str(offered["contact:write"].category) == "Town hall"
    assert offered["contact:write"].url == "/services/contact/"

    set_enabled(default_site, "contact", False)
    assert "contact:write" not in [service.id for service in services_for(default_site)]
