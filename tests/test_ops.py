"""Operations: probes, request ids, JSON logs, the production server command."""

import json
import logging
from unittest import mock

import pytest
from django.core.management import call_command

from lutetia.ops.logging import JsonFormatter, RequestIdFilter


def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_database_and_cache(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_part_that_fails(client):
    with mock.patch("lutetia.ops.views._database", side_effect=RuntimeError("down")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"status": "error", "error": "RuntimeError"}


def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_sane_incoming_request_id_is_kept_and_a_forged_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == "lb-1234abcd"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\nINFO fake line")["X-Request-ID"]
    assert "\n" not in forged and forged != "x\nINFO fake line"


def test_log_lines_are_json_with_the_request_id():
    record = logging.makeLogRecord(
        {
            "name": "lutetia.test",
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "msg": "slot %s",
            "args": ("full",),
        }
    )
    record.agenda = 12
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "slot full"
    assert line["level"] == "warning"
    assert line["agenda"] == 12
    assert line["request_id"] == "-"


def test_run_starts_gunicorn_on_the_configured_address(capsys, db):
    call_command("run", "--print-command", "--bind", "127.0.0.1:8123", "--workers", "3")
    command = capsys.readouterr().out
    assert "gunicorn lutetia.wsgi:application" in command
    assert "--bind 127.0.0.1:8123" in command
    assert "--workers 3" in command
    assert "--threads 4" in command  # LUTETIA_THREADS' default


def test_run_takes_the_threads_setting(capsys, db, settings):
    settings.LUTETIA_THREADS = 8
    call_command("run", "--print-command")
    assert "--threads 8" in capsys.readouterr().out


# --- the citizen's address, through trusted proxies only ----------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy: the header is the client's own words
        (1, "203.0.113.9", "203.0.113.9"),  # one proxy appended the citizen's address
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),  # a forged entry on the left
        (2, "198.51.100.66, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.2"),  # came round a proxy: trust nothing in the header
        (1, "", "10.0.0.2"),
    ],
)
def test_the_client_address_is_read_through_trusted_proxies_only(
    rf, settings, proxies, forwarded, expected
):
    from lutetia.ops.clients import client_ip

    settings.LUTETIA_TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
