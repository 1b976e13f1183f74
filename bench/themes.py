"""What a theme costs: the demo's heaviest content page under each theme, in the same run.

    python bench/themes.py [--requests 300]

Builds a throw-away demo city (SQLite in a temporary folder, or the PostgreSQL database named
by DATABASE_URL: give it an empty one), in production mode (cached templates, no debug), the
anonymous page cache off, and requests the heaviest page (the largest HTML of the demo's live
pages) through Django's test client — the whole middleware stack, the page's queries, the
template — in alternating blocks so that drift hits every variant alike:

- under each installed theme;
- under the default theme again, "written directly": each component call renders the theme's
  template straight away (see `Direct`), as if the page's templates held that HTML. The ratio
  to it is what the theme layer adds.

Goals (issue 4): the themes within 10 % of each other; the theme layer adds under 10 % over
the page written directly in the framework's HTML.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = 25


def setup(tmp: Path) -> str:
    for key in [k for k in os.environ if k.startswith("LUTETIA_")]:
        del os.environ[key]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "lutetia.settings",
            "LUTETIA_MODE": "production",
            "LUTETIA_DATA_DIR": str(tmp / "var"),
            "LUTETIA_SECRET_KEY": secrets.token_urlsafe(50),
            "LUTETIA_ALLOWED_HOSTS": "testserver,localhost,beaumont.example",
            "LUTETIA_LOG_LEVEL": "error",
            "LUTETIA_PAGE_CACHE_SECONDS": "0",
            "LUTETIA_EMAIL_URL": "console://",
        }
    )
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)  # the demo's access-log lines are not the bench's output
    from django.conf import settings
    from django.core.management import call_command

    # Production mode asks for collected static files (manifest); the bench needs none.
    from django.test import override_settings

    # Through override_settings: the storages already built are dropped too.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", verbosity=0)
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def heaviest_page(client) -> tuple[str, int]:
    from wagtail.models import Page

    sizes = []
    for page in Page.objects.live().public().filter(depth__gt=1).specific():
        url = page.get_url()
        if url:
            response = client.get(url)
            if response.status_code == 200:
                sizes.append((len(response.content), url))
    size, url = max(sizes)
    return url, size


def use_theme(theme_id: str) -> None:
    from wagtail.models import Site

    from lutetia.ui.models import ThemeSettings

    ThemeSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True), defaults={"theme": theme_id}
    )


class Direct:
    """The page as if its templates held the framework's HTML directly: each component call
    renders the theme's template for it straight away, found once, with the values the page
    would compute itself (defaults, derived values such as page links), and without what the
    component layer adds per call: the contract check, the theme and template lookups, the
    CSRF hand-over. What a hand-written page must still do (render the markup) is kept: a
    baseline that skipped it would credit the layer with the cost of HTML itself."""

    def __init__(self):
        from lutetia.ui.templatetags import ui

        self.module = ui
        self.original = ui.render_component
        self.templates: dict = {}

    def __call__(self, name, params, context=None, content=None):
        from django.template import Context
        from django.template.loader import get_template
        from django.utils.safestring import mark_safe

        from lutetia.ui.components import COMPONENTS
        from lutetia.ui.themes import current_theme

        component = COMPONENTS[name]
        template = self.templates.get(name)
        if template is None:
            template = self.templates[name] = get_template(
                current_theme().component_template(name)
            ).template
        values = {
            key: "" if p.default is None else p.default for key, p in component.params.items()
        }
        values.update(params)
        if content is not None:
            values["content"] = mark_safe(content)  # noqa: S308 - rendered template output
        if component.derive is not None:
            values.update(component.derive(values))
        return template.render(Context(values))

    def __enter__(self):
        self.module.render_component = self
        return self

    def __exit__(self, *exc):
        self.module.render_component = self.original


def timed(client, url: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per variant")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    with tempfile.TemporaryDirectory(prefix="lutetia-bench-themes-") as tmp:
        engine = setup(Path(tmp))
        from django.conf import settings
        from django.test import Client

        from lutetia.ui.themes import themes

        client = Client(HTTP_HOST="localhost")
        installed = sorted(themes)
        default = settings.LUTETIA_THEME
        use_theme(default)
        url, size = heaviest_page(client)
        direct = Direct()
        variants = {theme_id: theme_id for theme_id in installed}
        variants[f"{default}, written directly"] = default
        samples: dict[str, list[float]] = {name: [] for name in variants}
        # Warm up every variant (templates compiled, the direct HTML recorded).
        for name, theme_id in variants.items():
            use_theme(theme_id)
            if name.endswith("directly"):
                with direct:
                    timed(client, url, 3)
            else:
                timed(client, url, 3)
        for _round in range(max(1, args.requests // BLOCK)):
            for name, theme_id in variants.items():
                use_theme(theme_id)
                if name.endswith("directly"):
                    with direct:
                        samples[name] += timed(client, url, BLOCK)
                else:
                    samples[name] += timed(client, url, BLOCK)

        print(f"lutetia themes: {engine}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        print(
            f"page: {url} ({size:,} bytes under {default}), {len(samples[default])} requests each"
        )
        print(f"{'variant':32} {'req/s':>8} {'median ms':>10} {'p95 ms':>8}")
        medians = {}
        for name, values in samples.items():
            values.sort()
            medians[name] = statistics.median(values)
            p95 = values[int(len(values) * 0.95) - 1]
            print(
                f"{name:32} {1000 / statistics.mean(values):8.0f} {medians[name]:10.2f} {p95:8.2f}"
            )
        theme_medians = [medians[t] for t in installed]
        spread = max(theme_medians) / min(theme_medians) - 1
        layer = medians[default] / medians[f"{default}, written directly"] - 1
        print(
            f"goal: themes within 10 % of each other: {spread * 100:+.1f} % "
            f"({'met' if spread < 0.10 else 'NOT met'})"
        )
        print(
            f"goal: the theme layer adds < 10 % over direct HTML ({default}): {layer * 100:+.1f} % "
            f"({'met' if layer < 0.10 else 'NOT met'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
