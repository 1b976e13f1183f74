"""The citizen's side of a workflow in Chromium, under every theme: their request's status and
history, "My requests", the page of a request for more information — each passes axe-core
(WCAG 2.1 A and AA) — and a citizen action done with the keyboard alone."""

import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from lutetia.testing.a11y import describe, report, run_axe, site_theme
from lutetia.ui.themes import themes


@pytest.fixture(params=sorted(themes))
def theme(request, demo_server):
    with site_theme(request.param):
        yield request.param


@pytest.fixture
def request_of_citizen(demo_server):
    """A citizen of the demo city and a message of theirs, which the demo's workflow took in."""
    from lutetia_contact import services as contact
    from lutetia_contact.models import ContactTopic
    from lutetia_workflow.engine import case_for
    from wagtail.models import Site

    from lutetia.accounts import services as accounts

    email = f"camille.{secrets.token_hex(4)}@example.org"
    citizen = accounts.create_user(email, secrets.token_urlsafe(16), first_name="Camille")
    site = Site.objects.get(is_default_site=True)
    message = contact.send(
        site,
        contact.Submission(
            name="Camille",
            email=email,
            topic=ContactTopic.objects.first(),
            message="Un nid-de-poule.",
        ),
        owner=citizen,
    )
    return citizen, message, case_for(message)


def check(page, theme, url):
    response = page.goto(url)
    assert response.status == 200, url
    result = run_axe(page)
    report(theme, url, result)
    return describe(result["violations"])


def test_the_citizens_workflow_pages_pass_axe_core(page, sign_in_as, theme, request_of_citizen):
    from django.urls import reverse
    from lutetia_workflow.models import CitizenRequest
    from lutetia_workflow.tasks.builtin import token_hash

    citizen, message, case = request_of_citizen
    token = secrets.token_urlsafe(32)
    CitizenRequest.objects.create(
        case=case,
        token_hash=token_hash(token),
        message="Dans quelle rue se trouve le nid-de-poule ?",
        deadline=timezone.now() + timedelta(days=15),
    )
    failures = {}
    answer = reverse("workflow:answer", args=[token])
    failures[answer] = check(page, theme, answer)
    sign_in_as(citizen)
    for url in (reverse("contact:detail", args=[message.pk]), reverse("workflow:mine")):
        failures[url] = check(page, theme, url)
    failures = {url: text for url, text in failures.items() if text}
    assert not failures, "\n".join(f"{url}\n{text}" for url, text in failures.items())


def test_a_citizen_withdraws_their_request_with_the_keyboard(page, sign_in_as, request_of_citizen):
    from django.urls import reverse
    from lutetia_workflow.models import Case

    citizen, message, case = request_of_citizen
    withdraw = case.definition.action("withdraw").name
    sign_in_as(citizen)
    page.goto(reverse("contact:detail", args=[message.pk]))
    for _step in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == withdraw:
            break
    else:
        pytest.fail(f"“{withdraw}” cannot be reached with the Tab key")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Case.objects.get(pk=case.pk).state == "closed"
