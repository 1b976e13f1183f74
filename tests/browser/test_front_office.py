"""A visitor in a real browser: home page, a menu link, the search."""

import re


def test_a_visitor_opens_the_home_page_follows_the_menu_and_searches(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    home_title = page.locator("h1").inner_text()
    assert home_title

    menu = page.get_by_role("navigation", name=re.compile("menu", re.IGNORECASE))
    first_link = menu.get_by_role("link").first
    link_text = first_link.inner_text()
    first_link.click()
    page.wait_for_load_state()
    heading = page.locator("h1").inner_text()
    assert heading and heading != home_title
    assert link_text.split()[0].lower() in (heading + page.title()).lower()

    # Search for a word of that page's title, from the search box in the header.
    word = max(re.findall(r"\w{5,}", heading), key=len)
    page.get_by_role("search").first.get_by_role("searchbox").fill(word)
    page.get_by_role("search").first.get_by_role("button").click()
    page.wait_for_load_state()
    assert "/search/" in page.url
    # Each result is a heading linking to its page, in the main content.
    results = page.get_by_role("main").get_by_role("heading", level=3).get_by_role("link")
    assert results.count() >= 1
    assert heading in [results.nth(i).inner_text().strip() for i in range(results.count())]


def test_keyboard_users_reach_the_content_through_the_skip_link(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("href") == "#content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
