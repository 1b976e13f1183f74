"""pytest fixtures every Lutetia and plugin test suite can use (``-p lutetia.testing.pytest_plugin``).

Personas: ``site_admin``, ``agent``, ``citizen`` (more arrive with workgroups).
Browser: ``browser`` and ``page`` drive Debian's Chromium through Playwright, headless, with
every request outside the live server refused. Where Chromium or PostgreSQL is missing, tests
that need them are skipped on a developer's machine and fail in CI (``CI`` set).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

IN_CI = bool(os.environ.get("CI"))
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def missing(reason: str):
    """Skip on a laptop, fail in CI: CI never silently skips a real part."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in item.fixturenames or "page" in item.fixturenames:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _require_postgres(request):
    if request.node.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does)")


@pytest.fixture
def default_site(db):
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True)


def _user(email, **extra):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(email=email, password="correct horse battery staple", **extra)


@pytest.fixture
def site_admin(db):
    return _user("admin@example.org", first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def agent(db):
    from django.contrib.auth.models import Permission

    user = _user("agent@example.org", first_name="Alex", last_name="Agent", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def citizen(db):
    return _user("citizen@example.org", first_name="Camille", last_name="Citoyenne")


# --- browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    for candidate in (shutil.which("chromium"), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).exists():
            return candidate
    missing("Debian's chromium package is not installed (apt-get install chromium)")
    return ""


@pytest.fixture(scope="session")
def browser(chromium_executable):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls tests make
    # between browser steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab whose relative URLs go to the live server; nothing else is reached."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    allowed = live_server.url

    def only_local(route):
        if route.request.url.startswith(allowed) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
