"""An agent signs in from the header with the keyboard alone, and lands in the back office."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from lutetia.site import demo

MAX_TABS = 40


def demo_agent() -> tuple[str, str]:
    passwords = demo.read_credentials(Path(settings.DATA_DIR) / demo.CREDENTIALS_FILE)
    email = next(email for email, *_rest, role in demo.ACCOUNTS if role == "agent")
    return email, passwords[email]


def tab_to(page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has the focus (as a keyboard user)."""
    for _press in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with the Tab key")


def test_an_agent_signs_in_from_the_header_with_the_keyboard_and_lands_in_the_back_office(page):
    email, password = demo_agent()
    page.goto("/")

    tab_to(page, 'header a[href$="/account/login/"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/account/login/$"))
    assert page.locator("h1").count() == 1
    assert page.get_by_label(re.compile("e-mail", re.IGNORECASE)).count() == 1

    tab_to(page, 'input[name="login"]')
    page.keyboard.type(email)
    tab_to(page, 'input[name="password"]')
    page.keyboard.type(password)
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/admin/$"))
    assert page.locator("html").get_attribute("lang") == "fr"
    # Back in the site, the header now offers the account and a sign-out button.
    page.goto("/")
    account = page.get_by_role("navigation", name=re.compile("account|compte", re.IGNORECASE))
    assert account.get_by_role("button").count() == 1
    account.get_by_role("button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    account = page.get_by_role("navigation", name=re.compile("account|compte", re.IGNORECASE))
    assert account.locator('a[href$="/account/login/"]').count() == 1
