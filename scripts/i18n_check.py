"""Fail when a user-visible string lacks a French or Hungarian translation.

    python scripts/i18n_check.py            # check
    python scripts/i18n_check.py --update   # refresh the .po catalogues from the code, then check

Each translated package (the core `src/lutetia`, each plugin's package) keeps its catalogues
in `<package>/locale/<language>/LC_MESSAGES/django.po`. The check extracts the strings again
into a scratch copy (so the tree is left alone) and fails on any message that is missing,
untranslated or fuzzy, and on a compiled `.mo` that does not match its `.po`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "hu")
# The packages whose strings are translated: the core, then every plugin package.
PACKAGES = [
    ROOT / "src" / "lutetia",
    *sorted(p.parent for p in ROOT.glob("plugins/*/lutetia_*/apps.py")),
]
IGNORE = ["scaffold/*", "testing/*", "migrations/*"]


def makemessages(package: Path) -> None:
    """Extract the package's strings into its locale folder (created when missing)."""
    (package / "locale").mkdir(exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="lutetia-i18n-")  # the settings' generated files go there
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lutetia.settings", "LUTETIA_DATA_DIR": scratch}
    args = [
        sys.executable,
        "-m",
        "django",
        "makemessages",
        "--no-obsolete",
        "--no-location",
        "--no-wrap",
    ]
    for language in LANGUAGES:
        args += ["-l", language]
    for pattern in IGNORE:
        args += ["--ignore", pattern]
    subprocess.run(args, cwd=package, env=env, check=True, stdout=subprocess.DEVNULL)


def problems_in(po: Path) -> list[str]:
    """Untranslated and fuzzy messages of one catalogue, read with msgfmt."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        return [f"{po}: {result.stderr.strip()}"]
    stats = result.stderr.strip()
    out = []
    for kind in ("untranslated", "fuzzy"):
        found = re.search(rf"(\d+) {kind}", stats)
        if found and int(found.group(1)):
            out.append(f"{po}: {found.group(1)} {kind} messages")
    return out


def check(package: Path) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / package.name
        shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
        makemessages(copy)
        out = []
        for language in LANGUAGES:
            relative = Path("locale") / language / "LC_MESSAGES" / "django.po"
            for problem in problems_in(copy / relative):
                out.append(problem.replace(str(copy), str(package)))
            po, mo = package / relative, (package / relative).with_suffix(".mo")
            if not po.exists():
                out.append(f"{po}: missing (run with --update, then translate)")
                continue
            fresh = Path(tmp) / f"{language}.mo"
            subprocess.run(["msgfmt", "-o", str(fresh), str(po)], check=True)
            if not mo.exists() or mo.read_bytes() != fresh.read_bytes():
                out.append(f"{mo}: not compiled from the latest {po.name} (run with --update)")
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description="translation check")
    parser.add_argument(
        "--update", action="store_true", help="refresh .po files from the code and compile them"
    )
    args = parser.parse_args()
    if args.update:
        for package in PACKAGES:
            makemessages(package)
            for po in package.glob("locale/*/LC_MESSAGES/django.po"):
                subprocess.run(["msgfmt", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    problems = [problem for package in PACKAGES for problem in check(package)]
    for problem in problems:
        print(problem)
    print(
        f"translations: {len(PACKAGES)} packages, {', '.join(LANGUAGES)}: {'OK' if not problems else 'MISSING'}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
