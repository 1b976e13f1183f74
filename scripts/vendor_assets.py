"""Copy a theme's front-end files from their npm package into its static folder.

    python scripts/vendor_assets.py plugins/theme_bootstrap

The plugin folder holds ``vendor.toml``::

    [package]
    name = "bootstrap"
    version = "5.3.8"
    destination = "lutetia_theme_bootstrap/static/theme_bootstrap/vendor/bootstrap"

    [files]                 # package path (a glob) = path under destination
    "dist/css/bootstrap.min.css" = "css/bootstrap.min.css"
    "dist/fonts/*" = "fonts/"

The package is fetched with ``npm pack`` (the npm registry), unpacked in a scratch folder, and
the listed files are copied with the package's licence and a ``VENDORED.txt`` naming the
version. The result is committed: a fresh clone, a test run or a deployment needs no npm.
"""

from __future__ import annotations

import argparse
import glob
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
from pathlib import Path

LICENCES = ("LICENSE", "LICENSE.md", "LICENCE", "LICENSE.txt", "license", "license.md")


def vendor(plugin: Path) -> list[Path]:
    """Copy the files ``plugin/vendor.toml`` lists; return what was written."""
    manifest = tomllib.loads((plugin / "vendor.toml").read_text(encoding="utf-8"))
    package = manifest["package"]
    spec = f"{package['name']}@{package['version']}"
    destination = plugin / package["destination"]
    written = []
    with tempfile.TemporaryDirectory(prefix="lutetia-vendor-") as scratch:
        tarball = (
            subprocess.run(
                ["npm", "pack", spec, "--silent", "--pack-destination", scratch],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        with tarfile.open(Path(scratch) / tarball) as archive:
            archive.extractall(scratch, filter="data")
        root = Path(scratch) / "package"
        if destination.exists():
            shutil.rmtree(destination)
        for pattern, target in manifest["files"].items():
            matches = sorted(glob.glob(str(root / pattern), recursive=True))
            if not matches:
                raise SystemExit(f"{spec}: nothing matches {pattern!r}")
            for found in map(Path, matches):
                if found.is_dir():
                    continue
                out = destination / target
                if target.endswith("/"):
                    # Keep the path below the pattern's fixed part (the part before any '*').
                    fixed = root / pattern.split("*")[0]
                    fixed = fixed if fixed.is_dir() else fixed.parent
                    out = out / found.relative_to(fixed)
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(found, out)
                written.append(out)
        for name in LICENCES:
            if (root / name).exists():
                shutil.copyfile(root / name, destination / "LICENSE")
                written.append(destination / "LICENSE")
                break
        else:
            raise SystemExit(f"{spec}: no licence file in the package")
        (destination / "VENDORED.txt").write_text(
            f"{spec}, copied from the npm registry by scripts/vendor_assets.py "
            f"(see {plugin.name}/vendor.toml). Do not edit: run the script again.\n",
            encoding="utf-8",
        )
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plugins", nargs="+", type=Path, help="plugin folders with vendor.toml")
    for plugin in parser.parse_args().plugins:
        files = vendor(plugin)
        size = sum(f.stat().st_size for f in files)
        print(f"{plugin}: {len(files)} files, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
