"""The plugin framework itself: registries, site-scoped signals, discovery, checks, requires."""

from __future__ import annotations

import types
from dataclasses import dataclass, field

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation

from lutetia.plugins import PluginConfig, Registry, SiteSignal, enabled_labels, set_enabled
from lutetia.plugins.checks import check_plugins, plugin_errors
from lutetia.plugins.discovery import discover, installable_apps, problems
from lutetia.plugins.models import PluginActivation
from lutetia.plugins.signals import plugin_state_changed


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the test kit empties the cache around each test)."""
    with translation.override("en"):
        yield


# --- Registry --------------------------------------------------------------------------------


class FieldType:
    verbose_name = "a field type"


def test_a_registry_records_items_by_id_in_registration_order():
    registry: Registry[type] = Registry("field types")

    @registry.register("short_text")
    class ShortText(FieldType):
        verbose_name = "Short text"

    @registry.register("date")
    class Date(FieldType):
        pass

    assert registry["short_text"] is ShortText  # the decorator returns the class itself
    assert list(registry) == ["short_text", "date"]
    assert "date" in registry and "time" not in registry
    assert len(registry) == 2
    assert registry.get("time") is None
    assert registry.choices() == [("short_text", "Short text"), ("date", "a field type")]


def test_a_registry_refuses_an_id_already_taken_and_says_by_what():
    registry: Registry[object] = Registry("workflow task types")
    registry.register("notify")(FieldType)
    registry.register("notify")(FieldType)  # the same object again: harmless (module re-import)

    with pytest.raises(ImproperlyConfigured) as refused:
        registry.register("notify")(object)
    message = str(refused.value)
    assert "workflow task types" in message
    assert "'notify' is already taken" in message
    assert "FieldType" in message
    assert registry["notify"] is FieldType


@pytest.mark.parametrize("bad_id", ["", "Short", "1st", "has space", "é", "a" * 65, None, 3])
def test_a_registry_refuses_an_invalid_id(bad_id):
    registry: Registry[object] = Registry("themes")
    with pytest.raises(ImproperlyConfigured, match="not a valid id"):
        registry.register(bad_id)


def test_a_missing_id_names_the_registry_and_an_item_can_be_unregistered():
    registry: Registry[object] = Registry("channels")
    registry.register("sms")(FieldType)
    with pytest.raises(KeyError, match="channels: no entry with id 'mail'"):
        registry["mail"]
    registry.unregister("sms")
    assert len(registry) == 0
    assert "empty" in repr(registry)


# --- Site-scoped signals ---------------------------------------------------------------------

something_happened = SiteSignal()


def core_receiver(sender, site=None, **kwargs):
    from lutetia_dummy.receivers import calls

    calls.append("core")
    return "core"


def failing_core_receiver(sender, site=None, **kwargs):
    raise RuntimeError("a core receiver failed")


@pytest.fixture
def calls():
    """Receivers of the two dummy plugins and of this (core) module, connected out of order."""
    from lutetia_dummy import receivers as dummy
    from lutetia_dummy_extra import receivers as extra

    dummy.calls.clear()
    # Connection order is deliberately not INSTALLED_APPS order: the signal must sort them.
    connected = [extra.record, core_receiver, dummy.record]
    for receiver in connected:
        something_happened.connect(receiver)
    yield dummy.calls
    for receiver in connected:
        something_happened.disconnect(receiver)
    something_happened.disconnect(failing_core_receiver)
    dummy.calls.clear()


@pytest.mark.django_db
def test_a_switched_off_plugins_receiver_does_not_run(calls, default_site):
    # dummy_extra is off by default: only the core and dummy hear the signal.
    responses = something_happened.send(sender=None, site=default_site)
    assert [response for _receiver, response in responses] == ["core", "dummy"]
    assert calls == ["core", "dummy.record"]


@pytest.mark.django_db
def test_receivers_run_core_first_then_plugins_in_installed_apps_order(calls, default_site):
    set_enabled(default_site, "dummy_extra", True)

    responses = something_happened.send(sender=None, site=default_site)

    assert [response for _receiver, response in responses] == ["core", "dummy", "dummy_extra"]


@pytest.mark.django_db
def test_core_receivers_run_even_when_every_plugin_is_off(calls, default_site):
    set_enabled(default_site, "dummy", False)
    assert something_happened.send(sender=None, site=default_site)[0][1] == "core"
    assert calls == ["core"]


def test_without_a_site_the_plugins_on_by_default_receive_the_signal(calls):
    assert [response for _r, response in something_happened.send(sender=None)] == ["core", "dummy"]


@pytest.mark.django_db
def test_send_robust_keeps_going_after_a_failing_receiver(calls, default_site):
    something_happened.connect(failing_core_receiver)
    responses = something_happened.send_robust(sender=None, site=default_site)
    values = [response for _receiver, response in responses]
    assert values[0] == "core"
    assert isinstance(values[1], RuntimeError)
    assert values[2] == "dummy"


# --- Discovery and system checks -------------------------------------------------------------


@dataclass(frozen=True)
class CraftedEntryPoint:
    """Quacks like importlib.metadata.EntryPoint, for `discover(source=...)`."""

    name: str
    value: str
    dist: types.SimpleNamespace = field(
        default_factory=lambda: types.SimpleNamespace(name="lutetia-crafted")
    )


DUMMY = CraftedEntryPoint(
    "dummy", "lutetia_dummy.apps:DummyConfig", types.SimpleNamespace(name="lutetia-dummy")
)


@pytest.fixture
def crafted(tmp_path, monkeypatch):
    """Discover crafted entry points (and packages written to tmp_path); the real ones come back."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def write_package(package: str, apps_py: str) -> None:
        folder = tmp_path / package
        folder.mkdir()
        (folder / "__init__.py").write_text("")
        (folder / "apps.py").write_text(apps_py)

    def use(*entry_points: CraftedEntryPoint):
        return discover(refresh=True, source=lambda: entry_points)

    use.write_package = write_package
    yield use
    discover(refresh=True)


def e001_messages() -> list[str]:
    return [error.msg for error in check_plugins() if error.id == "lutetia.E001"]


def test_the_real_tree_passes_the_plugin_checks():
    assert [f"{error.id}: {error.msg}" for error in check_plugins()] == []


def test_a_plugin_that_fails_to_import_is_left_out_with_e001_naming_it_and_the_exception(crafted):
    crafted.write_package("lutetia_broken", 'raise RuntimeError("the apps module is broken")\n')
    crafted(DUMMY, CraftedEntryPoint("broken", "lutetia_broken.apps:BrokenConfig"))

    assert installable_apps() == ["lutetia_dummy.apps.DummyConfig"]
    [message] = e001_messages()
    assert "'broken'" in message
    assert "lutetia_broken.apps:BrokenConfig" in message
    assert "lutetia-crafted" in message
    assert "RuntimeError: the apps module is broken" in message


def test_a_missing_module_and_a_target_that_is_no_plugin_config_give_e001(crafted):
    crafted(
        CraftedEntryPoint("nowhere", "lutetia_nowhere.apps:NowhereConfig"),
        CraftedEntryPoint("not_a_config", "lutetia.plugins.registry:Registry"),
    )
    messages = e001_messages()
    assert any(
        "'nowhere'" in m and "ModuleNotFoundError" in m and "lutetia_nowhere" in m for m in messages
    )
    assert any(
        "'not_a_config'" in m and "does not point at a PluginConfig subclass" in m for m in messages
    )
    assert installable_apps() == []


def test_two_plugins_with_the_same_label_give_e001_label_already_taken(crafted):
    crafted.write_package(
        "lutetia_twin",
        "from lutetia.plugins import PluginConfig\n\n\n"
        "class TwinConfig(PluginConfig):\n"
        '    name = "lutetia_twin"\n'
        '    label = "dummy"\n',
    )
    crafted(DUMMY, CraftedEntryPoint("twin", "lutetia_twin.apps:TwinConfig"))

    assert installable_apps() == ["lutetia_dummy.apps.DummyConfig"]  # the first one wins
    [message] = e001_messages()
    assert "'twin'" in message
    assert "label 'dummy' is already taken" in message
    assert [item.entry_point for item in problems()] == ["twin"]


def test_a_plugin_config_without_a_name_is_reported_not_raised(crafted):
    crafted.write_package(
        "lutetia_nameless",
        "from lutetia.plugins import PluginConfig\n\n\nclass NamelessConfig(PluginConfig):\n    pass\n",
    )
    crafted(CraftedEntryPoint("nameless", "lutetia_nameless.apps:NamelessConfig"))
    [message] = e001_messages()
    assert "has no `name`" in message


def make_plugin(label: str, **attrs) -> PluginConfig:
    """A PluginConfig instance with valid metadata unless ``attrs`` say otherwise."""
    import lutetia_dummy

    metadata = {"name": "lutetia_dummy", "label": label, "version": "1.0", "description": "Test."}
    cls = type(f"{label.title()}Config", (PluginConfig,), {**metadata, **attrs})
    return cls("lutetia_dummy", lutetia_dummy)


def errors_of(*configs: PluginConfig, core_version: str = "0.5.0") -> list[tuple[str, str]]:
    return [(error.id, error.msg) for error in plugin_errors(configs, core_version=core_version)]


def test_a_missing_requirement_gives_e002():
    errors = errors_of(make_plugin("base"), make_plugin("needy", requires=("base", "maps")))
    assert errors == [
        ("lutetia.E002", "Plugin 'needy' requires the plugin 'maps', which is not installed.")
    ]


def test_an_invalid_compatibility_specifier_gives_e003():
    [(ident, message)] = errors_of(make_plugin("odd", compatibility="0.1 or later"))
    assert ident == "lutetia.E003"
    assert "'0.1 or later'" in message and "not a version specifier" in message


@pytest.mark.parametrize("compatibility", [">=1.0", "<0.5", "~=0.4.0"])
def test_a_core_version_out_of_range_gives_e004(compatibility):
    [(ident, message)] = errors_of(make_plugin("old", compatibility=compatibility))
    assert ident == "lutetia.E004"
    assert f"works with Lutetia {compatibility}, not with this Lutetia 0.5.0" in message


def test_a_core_version_in_range_is_fine():
    assert errors_of(make_plugin("fine", compatibility=">=0.1,<1")) == []


def test_a_bad_category_gives_e005():
    [(ident, message)] = errors_of(make_plugin("odd", category="widget"))
    assert ident == "lutetia.E005"
    assert "category 'widget'" in message


def test_missing_metadata_and_self_requirement_give_e006_and_e007():
    ids = [
        ident for ident, _message in errors_of(make_plugin("bare", version="", requires=("bare",)))
    ]
    assert ids == ["lutetia.E006", "lutetia.E007"]


def test_the_checks_run_under_the_lutetia_tag(crafted):
    crafted(CraftedEntryPoint("nowhere", "lutetia_nowhere.apps:NowhereConfig"))
    assert "lutetia.E001" in [error.id for error in checks.run_checks(tags=["lutetia"])]


# --- set_enabled and requires ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_plugin_off_by_default_stays_off_until_switched_on(default_site):
    assert enabled_labels(default_site) >= {"dummy"}
    assert "dummy_extra" not in enabled_labels(default_site)


@pytest.mark.django_db
def test_it_refuses_to_switch_on_a_plugin_whose_requirement_is_off(default_site):
    set_enabled(default_site, "dummy", False)

    with pytest.raises(ValidationError) as refused:
        set_enabled(default_site, "dummy_extra", True)

    assert refused.value.messages == ["“Dummy extra” needs “Dummy”: switch it on first."]
    assert not PluginActivation.objects.filter(plugin="dummy_extra").exists()
    assert "dummy_extra" not in enabled_labels(default_site)


@pytest.mark.django_db
def test_it_refuses_to_switch_off_a_plugin_another_enabled_one_requires(default_site, site_admin):
    set_enabled(default_site, "dummy_extra", True, user=site_admin)

    with pytest.raises(ValidationError) as refused:
        set_enabled(default_site, "dummy", False)

    assert refused.value.messages == ["“Dummy extra” needs “Dummy”: switch it off first."]
    assert {"dummy", "dummy_extra"} <= enabled_labels(default_site)
    assert PluginActivation.objects.get(plugin="dummy_extra").changed_by == site_admin


@pytest.mark.django_db
def test_switching_off_in_the_right_order_works_and_is_announced(default_site):
    heard = []

    def listener(sender, site, plugin, enabled, **kwargs):
        heard.append((plugin.label, enabled))

    plugin_state_changed.connect(listener)
    try:
        set_enabled(default_site, "dummy_extra", True)
        set_enabled(default_site, "dummy_extra", False)
        set_enabled(default_site, "dummy", False)
    finally:
        plugin_state_changed.disconnect(listener)

    assert heard == [("dummy_extra", True), ("dummy_extra", False), ("dummy", False)]
    assert not {"dummy", "dummy_extra"} & enabled_labels(default_site)


@pytest.mark.django_db
def test_it_refuses_an_unknown_plugin(default_site):
    with pytest.raises(ValidationError, match="no installed plugin called “maps”"):
        set_enabled(default_site, "maps", True)


@pytest.mark.django_db
def test_the_service_directory_lists_only_what_enabled_plugins_offer(default_site):
    from lutetia.site.services import services_for

    assert "dummy:hello" in [service.id for service in services_for(default_site)]
    set_enabled(default_site, "dummy", False)
    assert "dummy:hello" not in [service.id for service in services_for(default_site)]
