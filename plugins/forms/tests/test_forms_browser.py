"""The citizen's side of Forms in Chromium, on the demo city's canteen form.

Under every theme, each page a citizen meets passes axe-core (WCAG 2.1 A and AA): the list, the
form's front page, each step (as it comes, with another child added, sent back with errors,
shown again with new questions), the saved draft, the summary, the confirmation, "My demands"
and a demand sent. A signed-in citizen fills the whole form with the keyboard alone. The family
quotient's field appears live with JavaScript, and through the page shown again without it.
"""

from __future__ import annotations

import io
import re
import secrets
from datetime import date

import pytest
from django.utils import translation
from PIL import Image

from lutetia.testing.a11y import describe, report, run_axe, site_theme
from lutetia.testing.pytest_plugin import in_site_language
from lutetia.ui.themes import themes

pytestmark = pytest.mark.browser

CANTEEN = "/services/forms/canteen/"
#: The day is the month: typed digit by digit, it reads the same in the day/month order of
#: France and in the month/day order a browser set up in English gives its date fields.
BIRTH = date(date.today().year - 7, 5, 5)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


CARE_PLAN = {"name": "pai.png", "mimeType": "image/png", "buffer": _png()}


@pytest.fixture(params=sorted(themes))
def theme(request, demo_server):
    with site_theme(request.param):
        yield request.param


@pytest.fixture
def canteen(demo_server):
    """The demo's canteen form, online on the demo server (made here if the demo has not)."""
    from django.conf import settings
    from lutetia_forms.demo import ensure_demo_forms
    from wagtail.models import Site

    with translation.override(settings.LANGUAGE_CODE):
        return ensure_demo_forms(Site.objects.get(is_default_site=True))


def new_citizen():
    """A citizen of this test's own: the demo server's database is shared by the session."""
    from lutetia.accounts import services as accounts

    return accounts.create_user(
        f"camille.{secrets.token_hex(4)}@example.org",
        secrets.token_urlsafe(16),
        first_name="Camille",
        last_name="Citoyenne",
    )


def submitted_demand(citizen, form):
    """A canteen demand of ``citizen``, sent through the views without a browser."""
    from django.test import Client
    from lutetia_forms.models import Response

    client = Client()
    client.force_login(citizen)
    assert client.post(f"/services/forms/{form.slug}/").status_code == 302
    response = Response.objects.filter(owner=citizen).latest("pk")
    steps = {
        "family": {
            "parent_name": "Camille Citoyenne",
            "phone": "01 23 45 67 89",
            "address_street": "3 rue des Lilas",
            "address_postcode": "75004",
            "address_town": "Beaumont",
            "quotient": "no",
        },
        "children": {
            "children__count": "1",
            "children__0__first_name": "Léa",
            "children__0__birth_date": BIRTH.isoformat(),
            "children__0__school": "curie",
            "days": ["mon", "thu"],
            "diet": "standard",
        },
        "consent": {"photos": "no"},
    }
    for key, data in steps.items():
        answer = client.post(
            f"/services/forms/r/{response.uid}/step/{key}/", {**data, "_action": "next"}
        )
        assert answer.status_code == 302, answer.content.decode()[-2000:]
    answer = client.post(f"/services/forms/r/{response.uid}/summary/", {"accept": "on"})
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    response.refresh_from_db()
    return response


# --- driving the pages with a mouse --------------------------------------------------------------


def press(page, action):
    """The step's button ``action`` (next, save, back, add:…) clicked, and its page loaded."""
    with page.expect_navigation():
        page.locator(f"main button[name=_action][value='{action}']").click()


def start(page):
    page.goto(CANTEEN)
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    assert "/step/family/" in page.url


def choose(page, name, value=None):
    """A radio button or a checkbox ticked through its label, which some themes draw over the
    input itself."""
    choice = page.locator(f"input[name={name}]" + (f"[value={value}]" if value else ""))
    page.locator(f"label[for='{choice.get_attribute('id')}']").click()
    assert choice.is_checked()


def fill_family(page, quotient="no"):
    page.fill("#id_parent_name", "Camille Citoyenne")
    page.fill("#id_phone", "01 23 45 67 89")
    page.fill("#id_address_street", "3 rue des Lilas")
    page.fill("#id_address_postcode", "75004")
    page.fill("#id_address_town", "Beaumont")
    choose(page, "quotient", quotient)


def fill_child(page, index, first_name, school):
    page.fill(f"#id_children__{index}__first_name", first_name)
    page.fill(f"#id_children__{index}__birth_date", BIRTH.isoformat())
    page.select_option(f"#id_children__{index}__school", school)


def errors_of(page) -> str:
    summary = page.locator("[data-lutetia-error-summary]")
    return summary.inner_text() if summary.count() else "(no error summary)"


# --- 1. axe-core on every page ---------------------------------------------------------------


class Audit:
    """axe-core run on each page shown; the violations kept by page for one assertion."""

    def __init__(self, page, theme):
        self.page, self.theme, self.failures = page, theme, {}

    def visit(self, url):
        response = self.page.goto(url)
        assert response.status == 200, url
        self.check(url)

    def check(self, what):
        result = run_axe(self.page)
        report(self.theme, f"{self.page.url} ({what})", result)
        assert result["rules"] > 0
        if result["violations"]:
            self.failures[what] = describe(result["violations"])

    def assert_clean(self):
        assert not self.failures, f"{self.theme}:\n" + "\n".join(
            f"{what}\n{text}" for what, text in self.failures.items()
        )


def test_every_page_of_the_canteen_form_passes_axe_core(page, sign_in_as, theme, canteen):
    audit = Audit(page, theme)
    audit.visit("/services/forms/")
    audit.visit(CANTEEN)
    start(page)
    family = page.url
    audit.check("step 1")
    press(page, "next")
    assert page.locator("[data-lutetia-error-summary]").is_visible()
    audit.check("step 1 sent back with errors")

    # Without htmx, as without JavaScript: the page comes back with the new question and a notice.
    page.route("**/htmx.min.js", lambda route: route.abort())
    page.goto(family)
    fill_family(page, quotient="yes")
    press(page, "next")
    page.unroute("**/htmx.min.js")
    assert page.get_by_text(in_site_language("New questions")).is_visible()
    audit.check("step 1 with new questions")
    page.fill("#id_quotient_value", "800")
    press(page, "next")
    assert "/step/children/" in page.url, errors_of(page)
    audit.check("step 2")
    press(page, "add:children")
    assert page.locator("#id_children__1__first_name").is_visible()
    audit.check("step 2 with another child")
    fill_child(page, 0, "Léa", "curie")
    fill_child(page, 1, "Noé", "jaures")
    choose(page, "days", "mon")
    choose(page, "diet", "medical")
    press(page, "next")
    assert "/step/documents/" in page.url, errors_of(page)
    audit.check("step 3, the care plan")
    page.set_input_files("input[type=file]", CARE_PLAN)
    press(page, "next")
    assert "/step/consent/" in page.url, errors_of(page)
    audit.check("step 4")
    choose(page, "photos", "yes")
    press(page, "save")
    assert "/saved/" in page.url and page.locator("input[type=email]").is_visible()
    audit.check("draft saved, anonymous")
    with page.expect_navigation():
        page.locator("main a[href*='/step/consent/']").click()
    press(page, "next")
    assert "/summary/" in page.url, errors_of(page)
    audit.check("summary")
    choose(page, "accept")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    assert "/done/" in page.url, errors_of(page)
    audit.check("confirmation")

    citizen = new_citizen()
    demand = submitted_demand(citizen, canteen)
    sign_in_as(citizen)
    audit.visit("/services/forms/mine/")
    audit.visit(f"/services/forms/r/{demand.uid}/")
    audit.assert_clean()


# --- 2. the keyboard alone -------------------------------------------------------------------

#: Whether the focused control shows it: an outline or a ring on it, or on its label (themes
#: that draw their own radio buttons and checkboxes draw the focus there).
FOCUS_SHOWN = """() => {
    const el = document.activeElement;
    const drawn = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
        || (s.boxShadow && s.boxShadow !== 'none');
    const parts = [el, ...(el.labels || [])];
    const styles = parts.flatMap(p => [getComputedStyle(p), getComputedStyle(p, '::before')]);
    return {shown: styles.some(drawn), element: el.outerHTML.slice(0, 200)};
}"""


def assert_focus_shown(page, what):
    focus = page.evaluate(FOCUS_SHOWN)
    assert focus["shown"], f"the focus on {what} cannot be seen: {focus['element']}"


def tab_to(page, selector, *, limit=40):
    """Tab until ``selector`` has the focus (every control on the way is passed, none traps
    it), and check that the focus can be seen there."""
    for _step in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            assert_focus_shown(page, selector)
            return
    pytest.fail(f"{selector} cannot be reached with the Tab key")


def skip_to_content(page):
    """A new page: its first skip link, then the main content, as a keyboard user goes.

    Once followed, the link's "#content" stays in the address (a form sent from the page
    keeps it through the redirection): the browser starts the next page there already.
    """
    if page.url.endswith("#content"):
        return
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#content"
    page.keyboard.press("Enter")


def enter_and_load(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_child(page, index, first_name, school):
    """One child's answers typed: a date field takes the digits of its parts in a row, a
    closed list is walked with the arrow keys to the option naming ``school``."""
    tab_to(page, f"#id_children__{index}__first_name")
    page.keyboard.type(first_name)
    tab_to(page, f"#id_children__{index}__birth_date", limit=3)
    page.keyboard.type(BIRTH.strftime("%d%m%Y"))
    assert page.input_value(f"#id_children__{index}__birth_date") == BIRTH.isoformat()
    tab_to(page, f"#id_children__{index}__school", limit=6)
    selector = f"#id_children__{index}__school"
    for _step in range(5):  # the arrow keys walk the closed list to the school's option
        label = page.eval_on_selector(selector, "s => s.options[s.selectedIndex].text")
        if school in label:
            break
        page.keyboard.press("ArrowDown")
    assert school in page.eval_on_selector(selector, "s => s.options[s.selectedIndex].text")


def test_a_citizen_fills_the_canteen_form_with_the_keyboard(page, sign_in_as, theme, canteen):
    sign_in_as(new_citizen())
    page.goto(CANTEEN)
    skip_to_content(page)
    tab_to(page, "main form[method=post] button[type=submit]")
    enter_and_load(page)
    assert "/step/family/" in page.url

    # The step sent as it comes (the phone number missing): it is shown again, the focus on
    # its error summary.
    skip_to_content(page)
    tab_to(page, "button[name=_action][value=next]")
    enter_and_load(page)
    assert page.evaluate("document.activeElement.matches('[data-lutetia-error-summary]')"), (
        page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
    )
    assert_focus_shown(page, "the error summary")

    tab_to(page, "#id_phone")
    page.keyboard.type("01 23 45 67 89")
    for selector, text in (
        ("#id_address_street", "3 rue des Lilas"),
        ("#id_address_postcode", "75004"),
        ("#id_address_town", "Beaumont"),
    ):
        tab_to(page, selector, limit=3)
        page.keyboard.type(text)
    tab_to(page, "#id_quotient_0", limit=3)
    page.keyboard.press("Space")  # "yes": the quotient's field comes after the radio buttons
    page.wait_for_selector("#id_quotient_value")
    tab_to(page, "#id_quotient_value", limit=3)
    page.keyboard.type("800")
    tab_to(page, "button[name=_action][value=next]", limit=3)
    enter_and_load(page)
    assert "/step/children/" in page.url, errors_of(page)

    # Names without accents: Chromium's stand-in for a key an English keyboard lacks puts the
    # caret back at the start of the field under Bootstrap's style sheet.
    skip_to_content(page)
    type_child(page, 0, "Lea", "Curie")
    tab_to(page, "button[name=_action][value='add:children']", limit=5)
    enter_and_load(page)
    assert page.input_value("#id_children__0__first_name") == "Lea"
    skip_to_content(page)
    type_child(page, 1, "Noah", "Jaur")
    tab_to(page, "#id_days_0", limit=5)
    page.keyboard.press("Space")
    tab_to(page, "#id_days_2", limit=3)
    page.keyboard.press("Space")
    tab_to(page, "input[name=diet]", limit=3)
    page.keyboard.press("ArrowDown")  # the arrows move through the choices and pick them
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.querySelector('input[name=diet]:checked')?.value") == "medical"
    tab_to(page, "button[name=_action][value=next]", limit=3)
    enter_and_load(page)
    assert "/step/documents/" in page.url, errors_of(page)

    skip_to_content(page)
    tab_to(page, "input[type=file]")
    # A keyboard user opens the file dialog with Enter; giving the focused input its file
    # stands in for the dialog.
    page.locator("input[type=file]:focus").set_input_files(CARE_PLAN)
    tab_to(page, "button[name=_action][value=next]", limit=3)
    enter_and_load(page)
    assert "/step/consent/" in page.url, errors_of(page)

    skip_to_content(page)
    tab_to(page, "input[name=photos]")
    page.keyboard.press("Space")
    tab_to(page, "button[name=_action][value=next]", limit=3)
    enter_and_load(page)
    assert "/summary/" in page.url, errors_of(page)
    assert "pai.png" in page.locator("main").inner_text()

    skip_to_content(page)
    tab_to(page, "input[name=accept]", limit=80)
    page.keyboard.press("Space")
    tab_to(page, "main form[method=post] button[type=submit]", limit=3)
    enter_and_load(page)
    assert "/done/" in page.url, errors_of(page)
    assert re.search(rf"\bCAN-{date.today().year}-\d{{6}}\b", page.locator("main").inner_text())


# --- 3. a question that brings another ----------------------------------------------------------


def test_with_javascript_the_quotient_field_appears_at_once_and_the_focus_stays(page, canteen):
    start(page)
    page.evaluate("window.stillTheSamePage = true")
    skip_to_content(page)
    tab_to(page, "#id_phone")
    page.keyboard.type("01 23 45 67 89")
    tab_to(page, "#id_quotient_0")
    page.keyboard.press("Space")
    page.wait_for_selector("#id_quotient_value")
    assert page.evaluate("window.stillTheSamePage === true")  # no page load
    assert page.evaluate("document.activeElement.id") == "id_quotient_0"
    assert page.is_checked("#id_quotient_0")
    # The questions drawn again keep what was typed, and the next Tab goes to the new field.
    assert page.input_value("#id_phone") == "01 23 45 67 89"
    tab_to(page, "#id_quotient_value", limit=1)


def test_without_javascript_the_quotient_field_comes_with_the_page_shown_again(
    browser, demo_server, canteen
):
    context = browser.new_context(
        base_url=demo_server.url, locale="fr-FR", java_script_enabled=False
    )
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(demo_server.url) else route.abort()
        ),
    )
    try:
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        start(tab)
        fill_family(tab, quotient="yes")
        assert tab.locator("#id_quotient_value").count() == 0
        press(tab, "next")
        assert "/step/family/" in tab.url
        assert tab.get_by_text(in_site_language("New questions")).is_visible()
        tab.fill("#id_quotient_value", "800")
        press(tab, "next")
        assert "/step/children/" in tab.url, errors_of(tab)
    finally:
        context.close()
