"""pytest fixtures every Lutetia and plugin test suite can use (``-p lutetia.testing.pytest_plugin``).

Personas: ``site_admin``, ``agent`` (of ``workgroup``), ``agent_other_workgroup`` (of
``other_workgroup``), ``citizen``, ``other_citizen``; all sign in with ``PASSWORD``, their
e-mail verified. ``grant(user, "app.codename", ...)`` gives rights.
Markers: ``postgres`` / ``sqlite`` for tests of one engine's guarantees (deselected on the
other). Browser: ``page`` is a tab of Debian's Chromium (driven by Playwright, headless, every request
outside the live server refused) on ``demo_server``: a live server over the demo city, built
once per session. Browser tests run last and must not depend on writing to that database. Where Chromium or PostgreSQL is missing, tests
that need them are skipped on a developer's machine and fail in CI (``CI`` set).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from lutetia.testing.mail import smtp_sink  # noqa: F401 - a fixture
from lutetia.testing.oidc import oidc_provider  # noqa: F401 - a fixture

IN_CI = bool(os.environ.get("CI"))
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def missing(reason: str):
    """Skip on a laptop, fail in CI: CI never silently skips a real part."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test)", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config):
    """The markers, also when pytest reads a plugin's own configuration (run from its folder)."""
    for line in (
        "browser: drives headless Chromium through Playwright",
        "postgres: proves a PostgreSQL guarantee (deselected on SQLite; CI runs both)",
        "sqlite: proves an SQLite guarantee (deselected on PostgreSQL; CI runs both)",
    ):
        config.addinivalue_line("markers", line)


def _drives_a_browser(item) -> bool:
    return bool({"page", "browser"} & set(getattr(item, "fixturenames", ())))


def pytest_itemcollected(item):
    """Mark browser tests as they are collected, so that ``-m browser`` selects them."""
    if _drives_a_browser(item):
        item.add_marker(pytest.mark.browser)


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering by database use
def pytest_collection_modifyitems(config, items):
    """Leave out tests written for the other database; run browser tests last (the demo
    city they share is committed data).

    Tests marked ``postgres`` or ``sqlite`` prove what one engine guarantees (row locks,
    SQLite's write queue): on the other engine they are deselected, not skipped, since the
    run on their engine covers them (CI runs both).
    """
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    vendor = "postgres" if "postgresql" in engine else "sqlite" if "sqlite" in engine else engine
    other = {"postgres": "sqlite", "sqlite": "postgres"}.get(vendor)
    kept, deselected = [], []
    for item in items:
        (deselected if other and item.get_closest_marker(other) else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    browser = [item for item in kept if _drives_a_browser(item)]
    items[:] = [item for item in kept if not _drives_a_browser(item)] + browser


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: plugin states and cached pages live there, and
    the database they describe is rolled back after every test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city, built once for a test module, then rolled back (it takes seconds to
    build). Use it with ``pytestmark = [pytest.mark.django_db,
    pytest.mark.usefixtures("demo_city")]``: each test still rolls back its own changes."""
    import io

    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    cache.clear()
    with django_db_blocker.unblock(), override_settings(DATA_DIR=tmp_path_factory.mktemp("data")):
        with transaction.atomic():
            call_command("demo", stdout=io.StringIO())
            yield
            transaction.set_rollback(True)
    cache.clear()


@pytest.fixture
def default_site(db):
    """The default site; made again when an earlier transactional test flushed the database
    (Wagtail's migrations create it, and a flush takes it away)."""
    from django.conf import settings
    from wagtail.models import Locale, Page, Site

    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        return site
    locale, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = root.add_child(instance=Page(title="Beaumont", slug="beaumont", locale=locale))
    return Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Beaumont"
    )


PASSWORD = "correct horse battery staple"


def _user(email, **extra):
    """A user who can sign in at once: known password, e-mail address already verified."""
    from lutetia.accounts import services

    return services.create_user(email, PASSWORD, **extra)


def _agent(email, workgroup, **names):
    from django.contrib.auth.models import Permission

    user = _user(email, is_staff=True, **names)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    workgroup.members.add(user)
    return user


@pytest.fixture
def workgroup(db):
    """ "Town hall, 11th district": the workgroup of the ``agent`` persona."""
    from lutetia.accounts.models import Workgroup

    return Workgroup.objects.create(name="Town hall, 11th district", code="mairie-11")


@pytest.fixture
def other_workgroup(db):
    """ "Family services": the workgroup of the ``agent_other_workgroup`` persona."""
    from lutetia.accounts.models import Workgroup

    return Workgroup.objects.create(name="Family services", code="famille")


@pytest.fixture
def site_admin(db):
    """A site administrator: every right, every workgroup."""
    return _user(
        "admin@example.org", first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True
    )


@pytest.fixture
def agent(db, workgroup):
    """An agent of ``workgroup`` who may open the back office (and nothing more: tests grant
    the rights they need)."""
    return _agent("agent@example.org", workgroup, first_name="Alex", last_name="Agent")


@pytest.fixture
def agent_other_workgroup(db, other_workgroup):
    """An agent of ``other_workgroup``: must never see ``workgroup``'s objects."""
    return _agent("other.agent@example.org", other_workgroup, first_name="Olga", last_name="Autre")


@pytest.fixture
def citizen(db):
    return _user("citizen@example.org", first_name="Camille", last_name="Citoyenne")


@pytest.fixture
def other_citizen(db):
    """Another citizen: must never see ``citizen``'s objects."""
    return _user("other.citizen@example.org", first_name="Dominique", last_name="Voisin")


def grant(user, *permissions: str):
    """Give ``user`` permissions named ``app_label.codename``; returns the user, reloaded so
    its permission cache is fresh."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    for name in permissions:
        app_label, codename = name.split(".", 1)
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return get_user_model().objects.get(pk=user.pk)


def in_site_language(text_or_callable):
    """A message as pages show it, in the site's language (``settings.LANGUAGE_CODE``): a text
    to translate, or a function whose result is wanted in that language."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        if callable(text_or_callable):
            return text_or_callable()
        return translation.gettext(text_or_callable)


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


@pytest.fixture(scope="session")
def demo_server(request, django_db_setup, django_db_blocker):
    """A live server over the demo city, built once for the whole session.

    Not pytest-django's ``live_server``: that one empties the database after every test, and
    the demo city takes seconds to build.
    """
    from django.core.management import call_command
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup
    from pytest_django.live_server_helper import LiveServer

    # pytest-django creates test databases only for tests marked as using one; when the run
    # holds browser tests alone, create it here.
    own_databases = None
    with django_db_blocker.unblock():
        if not _get_databases_for_setup(request.session.items)[0]:
            own_databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        call_command("demo", verbosity=0)
    server = LiveServer("127.0.0.1:0", start=False)
    server._live_server_modified_settings.enable()
    django_db_blocker.unblock()  # the server thread reads the database while tests run
    server.start()
    yield server
    server.stop()
    _close_server_connections()
    server._live_server_modified_settings.disable()
    django_db_blocker.restore()
    if own_databases is not None:
        with django_db_blocker.unblock():
            teardown_databases(own_databases, verbosity=0)


def _close_server_connections():
    """End the database sessions the server's request threads may still hold (a browser's
    keep-alive connection keeps its thread, and the thread its connection), so the test
    database can be dropped. PostgreSQL only: SQLite's test database is in memory."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def page(demo_server, browser):
    """A fresh browser tab whose relative URLs go to the demo server; nothing else is reached.

    The server is asked for first so that it is torn down last, after the browser has closed
    its keep-alive connections (each holds a server thread, and that thread a database
    connection that would stop the test database from being dropped).
    """
    context = browser.new_context(base_url=demo_server.url, locale="fr-FR")
    allowed = demo_server.url

    def only_local(route):
        if route.request.url.startswith(allowed) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    # Whatever the Content-Security-Policy blocks (an inline script, a foreign image) is a bug:
    # Chromium reports it on the console; tests may read the list, and teardown checks it.
    tab.csp_violations = []
    tab.on(
        "console",
        lambda message: (
            tab.csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield tab
    context.close()
    assert not tab.csp_violations, f"Content-Security-Policy violations: {tab.csp_violations}"


@pytest.fixture
def sign_in_as(page, demo_server):
    """``sign_in_as(user)``: the browser tab gets a session of ``user`` (no sign-in form)."""
    from django.conf import settings
    from django.test import Client

    def sign_in(user):
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": demo_server.url,
                }
            ]
        )
        return page

    return sign_in
