"""``lutetia plugins``, ``lutetia startplugin`` and the import-boundary script."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from lutetia.plugins import plugin_configs, set_enabled
from lutetia.plugins.discovery import discover

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the test kit empties the cache around each test)."""
    with translation.override("en"):
        yield


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- lutetia plugins -------------------------------------------------------------------------


@pytest.mark.django_db
def test_plugins_prints_one_line_per_plugin_with_its_state_per_site(default_site):
    from wagtail.models import Site

    other = Site.objects.create(hostname="other.example.org", root_page=default_site.root_page)
    set_enabled(other, "dummy_extra", True)

    lines = run("plugins").splitlines()

    assert lines[0].split() == [
        "label",
        "name",
        "version",
        "category",
        "requires",
        "localhost",
        "[default]",
        "other.example.org",
    ]
    # One row per installed plugin, found by its label (real plugins may be installed too).
    rows = {line.split()[0]: line.split() for line in lines[1:] if line.strip()}
    assert set(rows) == {cfg.label for cfg in plugin_configs()}
    assert rows["dummy"] == ["dummy", "Dummy", "0.1.0", "service", "-", "on", "on"]
    assert rows["dummy_extra"] == [
        "dummy_extra",
        "Dummy",
        "extra",
        "0.2.0",
        "feature",
        "dummy",
        "off",
        "on",
    ]


@pytest.mark.django_db
def test_plugins_json_is_for_machines(default_site):
    data = json.loads(run("plugins", "--json"))

    dummy = next(plugin for plugin in data["plugins"] if plugin["label"] == "dummy")
    assert dummy["version"] == "0.1.0"
    assert dummy["name"] == "Dummy"
    assert dummy["category"] == "service"
    assert dummy["requires"] == []
    assert dummy["errors"] == []
    assert dummy["sites"] == [
        {"site": default_site.pk, "hostname": "localhost", "port": 80, "enabled": True}
    ]
    extra = next(plugin for plugin in data["plugins"] if plugin["label"] == "dummy_extra")
    assert extra["requires"] == ["dummy"] and extra["sites"][0]["enabled"] is False
    assert data["problems"] == []


@pytest.mark.django_db
def test_plugins_reports_the_entry_points_that_failed():
    broken = types.SimpleNamespace(
        name="maps",
        value="lutetia_maps.apps:MapsConfig",
        dist=types.SimpleNamespace(name="lutetia-maps"),
    )
    try:
        discover(refresh=True, source=lambda: [broken])
        text = run("plugins")
        data = json.loads(run("plugins", "--json"))
    finally:
        discover(refresh=True)
    assert "Plugins that could not be loaded:" in text
    assert (
        "maps (lutetia_maps.apps:MapsConfig, lutetia-maps): cannot be imported: ModuleNotFoundError"
        in text
    )
    [problem] = data["problems"]
    assert problem["entry_point"] == "maps" and "ModuleNotFoundError" in problem["error"]


# --- lutetia startplugin ---------------------------------------------------------------------

EXPECTED_FILES = {
    "pyproject.toml",
    "lutetia_parking_permits/__init__.py",
    "lutetia_parking_permits/apps.py",
    "lutetia_parking_permits/models.py",
    "lutetia_parking_permits/services.py",
    "lutetia_parking_permits/views.py",
    "lutetia_parking_permits/urls.py",
    "lutetia_parking_permits/wagtail_hooks.py",
    "lutetia_parking_permits/signals.py",
    "lutetia_parking_permits/receivers.py",
    "lutetia_parking_permits/templates/lutetia_parking_permits/index.html",
    "lutetia_parking_permits/locale/README",
    "lutetia_parking_permits/migrations/__init__.py",
    "tests/conftest.py",
    "tests/test_parking_permits.py",
}


def scaffold(tmp_path: Path, name: str = "parking_permits") -> Path:
    run("startplugin", name, "--directory", str(tmp_path))
    return tmp_path / name


def test_startplugin_writes_the_house_layout(tmp_path):
    plugin = scaffold(tmp_path)

    files = {str(path.relative_to(plugin)) for path in plugin.rglob("*") if path.is_file()}
    assert files == EXPECTED_FILES
    project = tomllib.loads((plugin / "pyproject.toml").read_text())
    assert project["project"]["name"] == "lutetia-parking-permits"
    assert project["project"]["entry-points"]["lutetia.plugins"] == {
        "parking_permits": "lutetia_parking_permits.apps:ParkingPermitsConfig"
    }
    apps_py = (plugin / "lutetia_parking_permits" / "apps.py").read_text()
    assert "class ParkingPermitsConfig(PluginConfig):" in apps_py
    assert 'label = "parking_permits"' in apps_py
    assert 'compatibility = ">=0.1,<1"' in apps_py
    # The generated Django template keeps its own {{ }}: only the scaffold's keys are replaced.
    template = (
        plugin / "lutetia_parking_permits/templates/lutetia_parking_permits/index.html"
    ).read_text()
    assert "{{ welcome }}" in template and '{% translate "Parking permits" %}' in template
    assert "{{" not in apps_py + (plugin / "pyproject.toml").read_text()


def test_the_generated_code_passes_ruff(tmp_path):
    plugin = scaffold(tmp_path)
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed in this environment")
    config = ["--config", str(ROOT / "pyproject.toml")]
    assert (
        subprocess.run(
            [ruff, "check", "--quiet", *config, plugin], capture_output=True, text=True
        ).stdout
        == ""
    )
    assert subprocess.run([ruff, "format", "--check", "--quiet", *config, plugin]).returncode == 0


@pytest.mark.parametrize(
    "bad_name", ["Parking", "parking-permits", "2fast", "class", "with space", "é"]
)
def test_startplugin_refuses_a_name_that_is_not_a_lower_case_identifier(tmp_path, bad_name):
    with pytest.raises(CommandError, match="cannot name a plugin"):
        run("startplugin", bad_name, "--directory", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_startplugin_refuses_an_existing_folder_and_an_installed_label(tmp_path):
    (tmp_path / "parking").mkdir()
    with pytest.raises(CommandError, match="already exists"):
        run("startplugin", "parking", "--directory", str(tmp_path))
    with pytest.raises(CommandError, match="labelled “dummy” is already installed"):
        run("startplugin", "dummy", "--directory", str(tmp_path))


def test_the_generated_plugin_passes_its_own_tests(tmp_path):
    plugin = scaffold(tmp_path)
    # Discovery reads entry points from installed distributions' metadata. `pip install -e`
    # would write that metadata but needs a build backend (and the network, for an isolated
    # build); so write the same .dist-info pip would, next to the package, from the entry
    # points the generated pyproject.toml declares. Nothing is installed into the venv.
    project = tomllib.loads((plugin / "pyproject.toml").read_text())["project"]
    dist_info = plugin / "lutetia_parking_permits-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    entry_points = "".join(
        f"{name} = {target}\n"
        for name, target in project["entry-points"]["lutetia.plugins"].items()
    )
    (dist_info / "entry_points.txt").write_text(f"[lutetia.plugins]\n{entry_points}")

    # The outer run may be on PostgreSQL, using its test database: the generated plugin's
    # suite runs on its own SQLite database instead of fighting over that one.
    inherited = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "LUTETIA_DATABASE_URL"}
    }
    env = {
        **inherited,
        "PYTHONPATH": str(plugin),
        "DJANGO_SETTINGS_MODULE": "lutetia.testing.settings",
    }
    # The generated pyproject.toml holds the pytest configuration (test settings, test kit).
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=plugin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


# --- import boundaries -----------------------------------------------------------------------


def lint_imports(extra_path: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if extra_path:
        env["PYTHONPATH"] = str(extra_path)
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "lint_imports.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_its_import_boundaries():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The core imports no plugin KEPT" in result.stdout
    assert "Plugin dummy imports only the core and the plugins it requires KEPT" in result.stdout
    assert "0 broken" in result.stdout


def write_plugin(folder: Path, label: str, body: str, requires: tuple[str, ...] = ()) -> None:
    package = folder / f"lutetia_{label}"
    package.mkdir()
    (package / "__init__.py").write_text(body)
    (package / "apps.py").write_text(
        "from lutetia.plugins import PluginConfig\n\n\n"
        f"class Config(PluginConfig):\n    name = 'lutetia_{label}'\n    label = '{label}'\n    requires = {requires!r}\n"
    )
    dist_info = folder / f"lutetia_{label}-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: lutetia-{label}\nVersion: 1.0\n"
    )
    (dist_info / "entry_points.txt").write_text(
        f"[lutetia.plugins]\n{label} = lutetia_{label}.apps:Config\n"
    )


def test_a_plugin_importing_a_plugin_it_does_not_require_breaks_the_contract(tmp_path):
    write_plugin(tmp_path, "maps", "")
    write_plugin(tmp_path, "parking", "import lutetia_maps  # noqa\n")  # requires nothing
    write_plugin(tmp_path, "bikes", "import lutetia_maps  # noqa\n", requires=("maps",))

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "Plugin parking imports only the core and the plugins it requires BROKEN" in result.stdout
    )
    assert "lutetia_parking -> lutetia_maps" in result.stdout
    assert "Plugin bikes imports only the core and the plugins it requires KEPT" in result.stdout
