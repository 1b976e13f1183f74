import pytest
from django.urls import reverse

from lutetia.plugins import enabled_labels, get_plugin, plugin_configs, set_enabled


def test_the_dummy_plugin_is_discovered_through_its_entry_point():
    plugin = get_plugin("dummy")
    assert plugin is not None
    assert plugin.version == "0.1.0"
    assert "dummy" in [cfg.label for cfg in plugin_configs()]


@pytest.mark.django_db
def test_a_switched_off_plugin_answers_404_and_keeps_its_data(client, default_site):
    from lutetia_dummy.models import Thing

    Thing.objects.create(name="kept")
    url = reverse("dummy:hello")
    assert client.get(url).content == b"dummy service: 1 things"

    set_enabled(default_site, "dummy", False)
    assert client.get(url).status_code == 404
    assert Thing.objects.count() == 1

    set_enabled(default_site, "dummy", True)
    assert client.get(url).status_code == 200
    assert "dummy" in enabled_labels(default_site)
