"""The accessibility gate (WCAG 2.1 A and AA, RGAA): every front-office page of the demo city,
under every installed theme, passes axe-core with zero violations; the main flows work with
the keyboard alone. ``make a11y`` prints the report."""

from __future__ import annotations

import pytest

from lutetia.testing.a11y import describe, front_office_urls, report, run_axe, site_theme
from lutetia.ui.themes import themes

THEMES = sorted(themes)


@pytest.fixture(params=THEMES)
def theme(request, demo_server):
    """The demo site wears this theme for the test (and its former one afterwards)."""
    with site_theme(request.param):
        yield request.param


def test_every_front_office_page_passes_axe_core(page, theme):
    failures = {}
    urls = front_office_urls()
    assert len(urls) > 20  # the gate does visit the demo's pages
    for url in urls:
        response = page.goto(url)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue  # a file or plain text (the test plugin's service): nothing for axe
        result = run_axe(page)
        report(theme, url, result)
        if result["violations"]:
            failures[url] = describe(result["violations"])
    assert not failures, "\n".join(f"{url}\n{text}" for url, text in failures.items())


def test_a_keyboard_user_searches_from_the_header(page, theme):
    page.goto("/")
    page.get_by_role("search").first.get_by_role("searchbox").focus()
    page.keyboard.type("mairie")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search/?q=mairie" in page.url


def test_a_keyboard_user_reaches_and_fills_the_sign_in_form(page, theme):
    page.goto("/account/login/")
    # Tab from the top of the page until the e-mail field has the focus: every control on
    # the way is reachable, nothing traps the focus.
    for _step in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "email":
            break
    else:
        pytest.fail("the e-mail field cannot be reached with the Tab key")
    page.keyboard.type("personne@example.org")
    for _step in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "password":
            break
    else:
        pytest.fail("the password field does not follow the e-mail field")
    page.keyboard.type("pas le bon mot de passe")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement !== null")
    assert "/account/login/" in page.url  # refused, with the form shown again
