"""The citizen's side of Appointments in Chromium, on the demo city's identity-card service.

Under every theme, each page a citizen meets passes axe-core (WCAG 2.1 A and AA): the list of
services, a service, a place's calendar, the details (as they come and sent back with errors),
the summary, the confirmation, the e-mail link's page with its cancel and move pages, "My
appointments", the waiting list and its confirmation. A citizen books with the keyboard alone.
"""

from __future__ import annotations

import re
import secrets

import pytest
from django.utils import translation

from lutetia.testing.a11y import describe, report, run_axe, site_theme
from lutetia.ui.themes import themes

pytestmark = pytest.mark.browser

SERVICE = "/services/appointments/identity-card/"


@pytest.fixture(params=sorted(themes))
def theme(request, demo_server):
    with site_theme(request.param):
        yield request.param


@pytest.fixture
def identity_card(demo_server):
    """The demo's identity-card service (made here if the demo command has not)."""
    from django.conf import settings
    from lutetia_appointments.demo import ensure_demo_appointments
    from wagtail.models import Site

    with translation.override(settings.LANGUAGE_CODE):
        return ensure_demo_appointments(Site.objects.get(is_default_site=True))


def new_citizen():
    """A citizen of this test's own: the demo server's database is shared by the session."""
    from lutetia.accounts import services as accounts

    return accounts.create_user(
        f"camille.{secrets.token_hex(4)}@example.org",
        secrets.token_urlsafe(16),
        first_name="Camille",
        last_name="Citoyenne",
    )


def booked_for(service, user=None):
    """An appointment of the service booked without a browser: (appointment, the secret of its
    e-mail's link). The latest free slot, to leave the first ones to the browser."""
    from lutetia_appointments import availability, booking

    email = user.email if user else f"lea.{secrets.token_hex(4)}@example.org"
    slot = availability.bookable_slots(service).order_by("-starts_at").first()
    held = booking.hold(
        service,
        slot,
        citizen=booking.Citizen(user, email),
        token=secrets.token_hex(8),
    )
    details = booking.Details(first_name="Léa", last_name="Martin", email=email)
    return booking.confirm(held, details, user=user)


class Audit:
    """axe-core run on each page shown; the violations kept by page for one assertion."""

    def __init__(self, page, theme):
        self.page, self.theme, self.failures = page, theme, {}

    def visit(self, url, status=200):
        response = self.page.goto(url)
        assert response.status == status, url
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


def choose_first_slot(page):
    """The first free slot ticked through its label (some themes draw over the input)."""
    radio = page.locator("main input[name=slot]:not([disabled])").first
    page.locator(f"label[for='{radio.get_attribute('id')}']").click()
    assert radio.is_checked()


def submit(page, selector="main form[method=post] button[type=submit]"):
    with page.expect_navigation():
        page.locator(selector).last.click()


def test_every_page_of_a_booking_passes_axe_core(page, sign_in_as, theme, identity_card):
    audit = Audit(page, theme)
    audit.visit("/services/appointments/")
    audit.visit(SERVICE)
    with page.expect_navigation():
        page.locator("main a[href*='/services/appointments/identity-card/']").first.click()
    audit.check("calendar")
    choose_first_slot(page)
    submit(page)
    assert "/h/" in page.url, page.locator("main").inner_text()
    audit.check("details")
    submit(page, "main form[novalidate] button[type=submit]")
    assert page.locator("[data-lutetia-error-summary]").is_visible()
    audit.check("details sent back with errors")
    page.fill("#id_first_name", "Camille")
    page.fill("#id_last_name", "Martin")
    page.fill("#id_email", f"camille.{secrets.token_hex(4)}@example.org")
    assert not page.locator("#id_q_minors").is_visible()  # asked only for a passport
    page.select_option("#id_q_document", "passport")
    assert page.locator("#id_q_minors").is_visible()
    submit(page, "main form[novalidate] button[type=submit]")
    # a passport: the question asked only then wants its answer
    assert page.locator("#id_q_minors[aria-invalid=true]").is_visible()
    audit.check("details sent back for the question asked after an answer")
    page.fill("#id_q_minors", "1")
    submit(page, "main form[novalidate] button[type=submit]")
    assert "/summary/" in page.url, page.locator("main").inner_text()
    audit.check("summary")
    submit(page)
    assert re.search(r"/a/[0-9a-f-]{36}/$", page.url), page.locator("main").inner_text()
    audit.check("confirmation")

    _booked, secret = booked_for(identity_card)
    audit.visit(f"/services/appointments/m/{secret}/")
    audit.visit(f"/services/appointments/m/{secret}/move/")
    audit.visit(f"/services/appointments/m/{secret}/cancel/")
    submit(page)
    audit.check("cancelled")
    audit.visit(f"/services/appointments/m/{secret}/", status=410)

    audit.visit(f"{SERVICE}waiting/")
    page.fill("#id_email", f"noe.{secrets.token_hex(4)}@example.org")
    submit(page)
    audit.check("waiting list joined")

    citizen = new_citizen()
    booked_for(identity_card, citizen)
    sign_in_as(citizen)
    audit.visit("/services/appointments/mine/")
    audit.assert_clean()


# --- the keyboard alone -------------------------------------------------------------------------

FOCUS_SHOWN = """() => {
    const el = document.activeElement;
    const drawn = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
        || (s.boxShadow && s.boxShadow !== 'none');
    const parts = [el, ...(el.labels || [])];
    const styles = parts.flatMap(p => [getComputedStyle(p), getComputedStyle(p, '::before')]);
    return {shown: styles.some(drawn), element: el.outerHTML.slice(0, 200)};
}"""


def tab_to(page, selector, *, limit=60):
    """Tab until ``selector`` has the focus, and check that the focus can be seen there."""
    for _step in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            focus = page.evaluate(FOCUS_SHOWN)
            assert focus["shown"], f"the focus on {selector} cannot be seen: {focus['element']}"
            return
    pytest.fail(f"{selector} cannot be reached with the Tab key")


def skip_to_content(page):
    if page.url.endswith("#content"):
        return
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#content"
    page.keyboard.press("Enter")


def enter_and_load(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_citizen_books_an_identity_card_appointment_with_the_keyboard(
    page, sign_in_as, theme, identity_card
):
    citizen = new_citizen()
    sign_in_as(citizen)
    page.goto(SERVICE)
    skip_to_content(page)
    tab_to(page, "main a[href*='/services/appointments/identity-card/']")
    enter_and_load(page)
    assert page.locator("main input[name=slot]").count() > 0

    skip_to_content(page)
    tab_to(page, "main input[name=slot]")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked")
    tab_to(page, "main form[method=post] button[type=submit]", limit=5)
    enter_and_load(page)
    assert "/h/" in page.url, page.locator("main").inner_text()

    skip_to_content(page)
    tab_to(page, "#id_first_name")
    assert page.input_value("#id_first_name") == "Camille"  # from the account
    assert page.input_value("#id_email") == citizen.email
    tab_to(page, "#id_q_document", limit=6)
    page.keyboard.press("ArrowDown")
    assert page.input_value("#id_q_document") != ""
    tab_to(page, "main form[novalidate] button[type=submit]", limit=6)
    enter_and_load(page)
    assert "/summary/" in page.url, page.locator("main").inner_text()

    skip_to_content(page)
    tab_to(page, "main form[method=post]:last-of-type button[type=submit]")
    enter_and_load(page)
    assert re.search(r"/a/[0-9a-f-]{36}/$", page.url), page.locator("main").inner_text()
    assert re.search(r"\bCNI-[2-9A-Z]{8}\b", page.locator("main").inner_text())

    from lutetia_appointments.models import Appointment

    booked = Appointment.objects.get(owner=citizen)
    assert booked.status == Appointment.Status.BOOKED and booked.reference
