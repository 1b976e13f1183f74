"""A real OpenID Connect provider for end-to-end sign-in tests, never a mock of the protocol.

``oidc_provider`` (session fixture) starts ``node tests/oidc_provider/server.js``
(panva/oidc-provider) on a free port of 127.0.0.1, with one client whose redirect URI is the
callback of pytest-django's ``live_server``, and stops it at the end of the session. It yields
an `OIDCTestProvider`: ``issuer``, ``client_id``, ``client_secret``, ``accounts`` (the claims of
the citizens it knows, by the login to type on its sign-in page), and ``settings()``, the Django
settings that make Lutetia use it (``with override_settings(**oidc_provider.settings()):``).

Where Node.js or the provider's npm packages are missing (``npm ci --prefix
tests/oidc_provider``, done by ``make test``), tests that need it are skipped on a developer's
machine and fail in CI.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SERVER_DIR = Path(__file__).resolve().parents[3] / "tests" / "oidc_provider"
READY = "OIDC PROVIDER READY "
PROVIDER_ID = "testid"
PROVIDER_NAME = "Test City ID"
START_TIMEOUT_SECONDS = 30


def callback_path(provider_id: str = PROVIDER_ID) -> str:
    """Where the provider sends the citizen back (allauth's openid_connect callback)."""
    return f"/account/oidc/{provider_id}/login/callback/"


@dataclass
class OIDCTestProvider:
    issuer: str
    client_id: str
    client_secret: str
    accounts: dict[str, dict[str, Any]]
    provider_id: str = PROVIDER_ID
    name: str = PROVIDER_NAME
    redirect_uris: list[str] = field(default_factory=list)

    def table(self, **extra: Any) -> dict[str, Any]:
        """This provider as one ``[[oidc_providers]]`` table of Lutetia's configuration."""
        return {
            "id": self.provider_id,
            "name": self.name,
            "server_url": self.issuer,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            **extra,
        }

    def settings(self, **extra: Any) -> dict[str, Any]:
        """Django settings that offer this provider (and only it) to citizens, built by the
        same function as the real settings; ``extra`` goes into its configuration table."""
        from lutetia.conf.django import oidc_origins, oidc_providers

        config = {"oidc_providers": [self.table(**extra)]}
        return {
            "SOCIALACCOUNT_PROVIDERS": oidc_providers(config),
            "LUTETIA_CSP_FORM_ACTION": oidc_origins(config),
        }


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        lines.put(line)
    lines.put(None)


@contextmanager
def running_oidc_provider(
    redirect_uris: list[str],
    *,
    client_id: str = "lutetia-tests",
    client_secret: str = "lutetia-tests-secret-not-a-real-one",  # noqa: S107 - test-only
    provider_id: str = PROVIDER_ID,
) -> Iterator[OIDCTestProvider]:
    """Start the test provider with one client allowed to come back to ``redirect_uris``."""
    # Imported here: the pytest plugin imports this module's fixture.
    from lutetia.testing.pytest_plugin import missing

    node = shutil.which("node")
    if not node:
        missing("Node.js is not installed: the OpenID Connect sign-in tests need it")
    if not (SERVER_DIR / "node_modules" / "oidc-provider").is_dir():
        missing(
            "the test OpenID provider's packages are not installed "
            "(npm ci --prefix tests/oidc_provider, or make test)"
        )
    config = {
        "port": 0,
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uris": redirect_uris,
    }
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            [node, "server.js", json.dumps(config)],
            cwd=SERVER_DIR,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "NODE_ENV": "test"},
        )
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
        try:
            ready = None
            while ready is None:
                try:
                    line = lines.get(timeout=START_TIMEOUT_SECONDS)
                except queue.Empty:
                    line = None
                if line is None:
                    stderr.seek(0)
                    pytest.fail(
                        "the test OpenID provider did not start:\n" + stderr.read()[-2000:],
                        pytrace=False,
                    )
                if line.startswith(READY):
                    ready = json.loads(line[len(READY) :])
            yield OIDCTestProvider(
                issuer=ready["issuer"],
                client_id=client_id,
                client_secret=client_secret,
                accounts=ready["accounts"],
                provider_id=provider_id,
                redirect_uris=list(redirect_uris),
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def oidc_provider(live_server) -> Iterator[OIDCTestProvider]:
    """The test provider, its client's callback on pytest-django's ``live_server``."""
    with running_oidc_provider([live_server.url + callback_path()]) as provider:
        yield provider
