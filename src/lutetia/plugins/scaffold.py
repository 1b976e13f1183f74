"""Write a new plugin from the files in ``lutetia/scaffold/plugin/`` (used by ``startplugin``).

The scaffold's files end in ``.tmpl`` so that no tool (ruff, pytest, makemessages, grimp)
mistakes them for Lutetia's own code. Their ``{{ key }}`` placeholders are replaced by plain
substitution rather than Django's template engine: the generated files include Django
templates of their own, whose ``{% %}`` and ``{{ }}`` must come out untouched.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from django.utils.translation import gettext as _
from packaging.version import Version

import lutetia

from .base import get_plugin

SCAFFOLD = Path(lutetia.__file__).resolve().parent / "scaffold" / "plugin"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")


class ScaffoldError(Exception):
    """The plugin cannot be created; the message says why, in the user's language."""


def placeholders(name: str) -> dict[str, str]:
    """The values the scaffold's ``{{ key }}`` placeholders take for the plugin ``name``."""
    core = Version(lutetia.__version__)
    return {
        "name": name,
        "package": f"lutetia_{name}",
        "distribution": f"lutetia-{name.replace('_', '-')}",
        "class_name": "".join(part.capitalize() for part in name.split("_")) + "Config",
        "title": name.replace("_", " ").capitalize(),
        "url_prefix": name.replace("_", "-"),
        # The core's current major series: the plugin is made for it.
        "compatibility": f">={core.major}.{core.minor},<{core.major + 1}",
    }


def check_name(name: str) -> None:
    """Refuse a name that cannot be a plugin label and package (ScaffoldError)."""
    if not NAME_PATTERN.match(name) or not name.isidentifier() or keyword.iskeyword(name):
        raise ScaffoldError(
            _(
                "“%(name)s” cannot name a plugin: use lower-case letters, digits and “_”, "
                "starting with a letter (a Python identifier), e.g. “parking_permits”."
            )
            % {"name": name}
        )
    if get_plugin(name) is not None:
        raise ScaffoldError(
            _("A plugin labelled “%(name)s” is already installed.") % {"name": name}
        )


def render(text: str, values: dict[str, str]) -> str:
    """Replace the known ``{{ key }}`` placeholders; anything else is left as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def target_path(relative: Path, values: dict[str, str]) -> Path:
    """Where a scaffold file goes: ``package`` folders take the package's name."""
    parts = [values["package"] if part == "package" else part for part in relative.parts]
    parts[-1] = parts[-1].removesuffix(".tmpl")
    if parts[-1] == "test_name.py":
        # A unique module name: pytest's default import mode needs one across plugins.
        parts[-1] = f"test_{values['name']}.py"
    return Path(*parts)


def scaffold(name: str, directory: Path) -> Path:
    """Create ``directory/name/`` from the scaffold and return it; refuse an existing folder."""
    check_name(name)
    target = directory / name
    if target.exists():
        raise ScaffoldError(
            _("%(path)s already exists: choose another name or folder.") % {"path": target}
        )
    values = placeholders(name)
    for source in sorted(SCAFFOLD.rglob("*.tmpl")):
        destination = target / target_path(source.relative_to(SCAFFOLD), values)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(render(source.read_text(encoding="utf-8"), values), encoding="utf-8")
    return target
