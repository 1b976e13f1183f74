"""The accessibility gate: axe-core (npm, tests/a11y) run in Chromium on every front-office page.

``front_office_urls()`` lists what a citizen can open on the demo city: every live public page
in every language, the search, the account pages, the error page, and each plugin's front
office (``PluginConfig.a11y_urls``, else its service's root). ``run_axe(page)`` runs the WCAG
2.1 A and AA rules on the page shown and returns the violations.

``A11Y_REPORT`` (a file path) makes the gate write its report there: pages, rules run,
violations (``make a11y`` prints it). Not a ``LUTETIA_`` name: the configuration refuses
unknown ones.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
AXE_PATH = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Core pages that are not in the page tree.
CORE_URLS = [
    "/search/?q=mairie",
    "/search/?q=zzzzzz",
    "/account/login/",
    "/account/signup/",
    "/account/password/reset/",
    "/en/account/login/",
    "/hu/account/login/",
    "/cette-page-n-existe-pas/",
]


def axe_source() -> str:
    """axe-core's script, from tests/a11y (``npm ci --prefix tests/a11y``, run by make test)."""
    from lutetia.testing.pytest_plugin import missing

    if not AXE_PATH.exists():
        missing(f"axe-core is not installed ({AXE_PATH}): npm ci --prefix tests/a11y")
    return AXE_PATH.read_text(encoding="utf-8")


def front_office_urls() -> list[str]:
    """Every front-office address of the demo city a citizen may open without signing in."""
    from wagtail.models import Page

    from lutetia.plugins import plugin_configs

    urls = []
    for page in Page.objects.live().public().filter(depth__gt=1).specific():
        url = page.get_url()
        if url and url not in urls:
            urls.append(url)
    urls += CORE_URLS
    for plugin in plugin_configs():
        own = plugin.a11y_urls
        if own is not None:
            urls += list(own)
        elif plugin.urls:
            urls.append(f"/services/{plugin.get_url_prefix()}/")
    return urls


def run_axe(page) -> dict:
    """axe-core's WCAG 2.1 A/AA result for the page shown: {violations, passes, rules}."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Served as if from the site itself: the page's Content-Security-Policy stays on.
        source = axe_source()
        page.route(
            "**/__lutetia_axe.js",
            lambda route: route.fulfill(body=source, content_type="application/javascript"),
        )
        page.add_script_tag(url="/__lutetia_axe.js")
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return {
              violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})),
              rules: r.violations.length + r.passes.length + r.incomplete.length
                     + r.inapplicable.length,
            };
        }""",
        WCAG_TAGS,
    )
    return result


def describe(violations: list[dict]) -> str:
    """Violations as lines a developer can act on."""
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — {', '.join(v['nodes'])}" for v in violations
    )


def report(theme: str, url: str, result: dict) -> None:
    """Add one page's result to the report named by ``A11Y_REPORT``, if any."""
    path = os.environ.get("A11Y_REPORT")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(
            json.dumps(
                {
                    "theme": theme,
                    "url": url,
                    "rules": result["rules"],
                    "violations": result["violations"],
                },
                ensure_ascii=False,
            )
            + "\n"
        )


def print_report(path: str) -> None:
    """The report as a table: per theme and page, rules run and violations."""
    rows = []
    if Path(path).exists():
        rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    if not rows:
        print(f"No accessibility results in {path}: did the browser tests run?")
        return
    print("| theme | page | rules | violations |")
    print("|---|---|---|---|")
    for row in rows:
        names = ", ".join(v["id"] for v in row["violations"]) or "0"
        print(f"| {row['theme']} | {row['url']} | {row['rules']} | {names} |")
    pages = len(rows)
    failing = sum(1 for row in rows if row["violations"])
    print(
        f"\n{pages} pages checked (WCAG 2.1 A and AA: {', '.join(WCAG_TAGS)}); {failing} with violations."
    )


if __name__ == "__main__":
    import sys

    print_report(sys.argv[1])


@contextmanager
def site_theme(theme_id: str):
    """The default site wears the theme ``theme_id`` inside the block (its own one after)."""
    from wagtail.models import Site

    from lutetia.ui.models import ThemeSettings

    settings_ = ThemeSettings.for_site(Site.objects.get(is_default_site=True))
    before = settings_.theme
    settings_.theme = theme_id
    settings_.save()
    try:
        yield theme_id
    finally:
        settings_.theme = before
        settings_.save()
