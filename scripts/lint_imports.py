"""Check import boundaries with import-linter, from the plugins that are actually installed.

    python scripts/lint_imports.py            # `make lint-imports`
    python scripts/lint_imports.py --print    # show the generated configuration, check nothing

The contracts cannot be written once in pyproject.toml: the set of plugins changes with what a
city installs. So this script discovers the plugins (the ``lutetia.plugins`` entry points),
writes an import-linter configuration to a temporary file and runs ``lint-imports`` on it:

1. the core (``lutetia``) imports no plugin package;
2. each plugin imports no other plugin package, except those its ``requires`` names.

The test-only plugins in tests/dummy_plugin are included when that folder exists, so the
contracts always have plugins to bite on and the dummies' own boundaries are checked too.
Exit status: lint-imports's own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_PLUGINS = ROOT / "tests" / "dummy_plugin"
CORE = "lutetia"


@dataclass(frozen=True)
class Plugin:
    """A discovered plugin: its label, its top-level package and the labels it requires."""

    label: str
    package: str
    requires: tuple[str, ...]


def add_test_plugins() -> list[str]:
    """Put the test-only plugins on sys.path; return the extra entries for PYTHONPATH."""
    if not TEST_PLUGINS.is_dir() or str(TEST_PLUGINS) in sys.path:
        return []
    sys.path.insert(0, str(TEST_PLUGINS))
    return [str(TEST_PLUGINS)]


def discovered_plugins() -> list[Plugin]:
    """Every plugin of the entry-point group, even one whose config fails to import."""
    import importlib

    from lutetia.plugins.discovery import discover

    importlib.invalidate_caches()
    plugins = []
    for item in discover(refresh=True):
        package = item.target.partition(":")[0].split(".")[0]
        if package == CORE:
            # A plugin inside the core package cannot be told apart from the core by imports.
            print(f"lint_imports: skipping {item.entry_point!r}: it lives in the core package")
            continue
        requires: tuple[str, ...] = ()
        if item.error:
            print(f"lint_imports: {item.entry_point!r} {item.error}; checked as requiring nothing")
        elif item.app:
            from django.utils.module_loading import import_string

            requires = tuple(getattr(import_string(item.app), "requires", ()))
        plugins.append(
            Plugin(label=item.label or item.entry_point, package=package, requires=requires)
        )
    return plugins


def configuration(plugins: list[Plugin]) -> str:
    """The import-linter configuration (INI) for the core and these plugins."""
    packages = sorted({plugin.package for plugin in plugins})
    by_label = {plugin.label: plugin.package for plugin in plugins}
    lines = [
        "[importlinter]",
        "root_packages =",
        *(f"    {name}" for name in [CORE, *packages]),
        "include_external_packages = False",
        "",
    ]
    contracts: list[tuple[str, str, str, list[str]]] = []
    if packages:
        contracts.append(("core", "The core imports no plugin", CORE, packages))
    for plugin in sorted(plugins, key=lambda p: p.label):
        allowed = {plugin.package} | {by_label[req] for req in plugin.requires if req in by_label}
        forbidden = [name for name in packages if name not in allowed]
        if forbidden:
            contracts.append(
                (
                    f"plugin-{plugin.label}",
                    f"Plugin {plugin.label} imports only the core and the plugins it requires",
                    plugin.package,
                    forbidden,
                )
            )
    for ident, name, source, forbidden in contracts:
        lines += [
            f"[importlinter:contract:{ident}]",
            f"name = {name}",
            "type = forbidden",
            "source_modules =",
            f"    {source}",
            "forbidden_modules =",
            *(f"    {module}" for module in forbidden),
            "",
        ]
    return "\n".join(lines)


def lint_imports_command() -> str:
    """The lint-imports of this interpreter's environment, else the one on PATH."""
    beside = Path(sys.executable).parent / "lint-imports"
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    if not found:
        sys.exit("lint_imports: lint-imports is not installed (pip install import-linter)")
    return found


def main(argv: list[str] | None = None) -> int:
    """Discover, write the configuration, run lint-imports; return its exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print the configuration and stop")
    args = parser.parse_args(argv)

    extra_path = add_test_plugins()
    plugins = discovered_plugins()
    text = configuration(plugins)
    if args.print:
        print(text)
        return 0
    if not any(line.startswith("[importlinter:contract:") for line in text.splitlines()):
        print("lint_imports: no plugin is installed, so there is no boundary to check.")
        return 0
    env = dict(os.environ)
    # lint-imports finds the packages on its own sys.path: give it the test plugins too.
    env["PYTHONPATH"] = os.pathsep.join([*extra_path, *filter(None, [env.get("PYTHONPATH")])])
    with tempfile.TemporaryDirectory(prefix="lutetia-imports-") as tmp:
        config = Path(tmp) / "importlinter.ini"
        config.write_text(text, encoding="utf-8")
        return subprocess.run(
            [lint_imports_command(), "--no-cache", "--no-logo", str(config)], env=env, cwd=ROOT
        ).returncode


if __name__ == "__main__":
    sys.exit(main())
