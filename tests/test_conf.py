"""Configuration: defaults → lutetia.toml → LUTETIA_* → *_FILE, and clear refusals."""

import subprocess
import sys

import pytest

from lutetia.conf import ConfigError, load
from lutetia.conf.django import SQLITE_INIT, database, email


def test_defaults_apply_when_nothing_is_set(tmp_path):
    config = load(environ={}, cwd=tmp_path)
    assert config["mode"] == "development"
    assert config.sources["mode"] == "default"
    assert config["data_dir"] == str(tmp_path / "var")


def test_toml_overrides_defaults_and_environment_overrides_toml(tmp_path):
    (tmp_path / "lutetia.toml").write_text('time_zone = "Europe/Budapest"\nlanguage_code = "hu"\n')
    config = load(environ={"LUTETIA_LANGUAGE_CODE": "en"}, cwd=tmp_path)
    assert config["time_zone"] == "Europe/Budapest"
    assert config.sources["time_zone"] == str(tmp_path / "lutetia.toml")
    assert config["language_code"] == "en"
    assert config.sources["language_code"] == "environment LUTETIA_LANGUAGE_CODE"


def test_a_secret_file_wins_over_the_environment(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s" * 40 + "\n")
    config = load(
        environ={"LUTETIA_SECRET_KEY": "from-env", "LUTETIA_SECRET_KEY_FILE": str(secret)},
        cwd=tmp_path,
    )
    assert config["secret_key"] == "s" * 40
    assert "LUTETIA_SECRET_KEY_FILE" in config.sources["secret_key"]
    assert config.display_value("secret_key") == "********"


def test_database_url_is_read_from_the_conventional_variable_too(tmp_path):
    config = load(environ={"DATABASE_URL": "postgres://u:pw@db.example:5432/city"}, cwd=tmp_path)
    assert database(config)["NAME"] == "city"
    assert config.display_value("database_url") == "postgres://u:***@db.example:5432/city"


def test_lutetia_database_url_wins_over_database_url(tmp_path):
    config = load(
        environ={
            "DATABASE_URL": "postgres://a@h/one",
            "LUTETIA_DATABASE_URL": "postgres://a@h/two",
        },
        cwd=tmp_path,
    )
    assert database(config)["NAME"] == "two"


def test_sqlite_is_tuned_for_a_web_server(tmp_path):
    db = database(load(environ={}, cwd=tmp_path))
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in SQLITE_INIT


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"LUTETIA_DATABASE_URL": "mysql://x/y"}, "LUTETIA_DATABASE_URL"),
        ({"LUTETIA_DEBUG": "perhaps"}, "LUTETIA_DEBUG"),
        ({"LUTETIA_WORKERS": "many"}, "LUTETIA_WORKERS"),
        ({"LUTETIA_THREADS": "0"}, "LUTETIA_THREADS"),
        ({"LUTETIA_TIME_ZONE": "Mars/Olympus"}, "LUTETIA_TIME_ZONE"),
        ({"LUTETIA_TASK_BACKEND": "celery"}, "LUTETIA_TASK_BACKEND"),
        ({"LUTETIA_NO_SUCH_THING": "1"}, "LUTETIA_NO_SUCH_THING"),
        ({"LUTETIA_MODE": "production"}, "LUTETIA_SECRET_KEY"),
        ({"LUTETIA_SECRET_KEY_FILE": "/nonexistent/key"}, "LUTETIA_SECRET_KEY_FILE"),
        ({"LUTETIA_CONFIG": "/nonexistent/lutetia.toml"}, "LUTETIA_CONFIG"),
    ],
)
def test_a_wrong_value_is_refused_with_a_message_naming_the_variable(tmp_path, environ, named):
    with pytest.raises(ConfigError) as error:
        load(environ=environ, cwd=tmp_path)
    assert named in str(error.value)


def test_an_unknown_key_in_the_toml_file_is_refused(tmp_path):
    (tmp_path / "lutetia.toml").write_text('databse_url = "sqlite:///x"\n')
    with pytest.raises(ConfigError, match="unknown setting 'databse_url'"):
        load(environ={}, cwd=tmp_path)


def test_a_malformed_toml_file_is_refused(tmp_path):
    (tmp_path / "lutetia.toml").write_text("time_zone = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(environ={}, cwd=tmp_path)


def test_production_needs_a_long_secret_and_no_debug(tmp_path):
    with pytest.raises(ConfigError, match="too short"):
        load(environ={"LUTETIA_MODE": "production", "LUTETIA_SECRET_KEY": "short"}, cwd=tmp_path)
    with pytest.raises(ConfigError, match="LUTETIA_DEBUG"):
        load(
            environ={
                "LUTETIA_MODE": "production",
                "LUTETIA_SECRET_KEY": "k" * 50,
                "LUTETIA_DEBUG": "1",
            },
            cwd=tmp_path,
        )


def test_smtp_url_becomes_email_settings(tmp_path):
    config = load(
        environ={"LUTETIA_EMAIL_URL": "smtp://mailer:p%40ss@mail.example:587?tls=1"}, cwd=tmp_path
    )
    settings = email(config)
    assert settings["EMAIL_HOST"] == "mail.example"
    assert settings["EMAIL_PORT"] == 587
    assert settings["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert settings["EMAIL_USE_TLS"] is True
    assert config.display_value("email_url") == "smtp://mailer:***@mail.example:587?tls=1"


def run_lutetia(args, tmp_path, **env):
    import os

    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("LUTETIA_") and k != "DATABASE_URL"
    }
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    environ.update({"LUTETIA_DATA_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, "-m", "lutetia.cli", *args],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_config_show_prints_values_with_sources_and_masks_secrets(tmp_path):
    result = run_lutetia(
        ["config", "show"], tmp_path, LUTETIA_CACHE_URL="redis://:hunter2@127.0.0.1:6379/0"
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("cache_url"))
    assert "redis://:***@127.0.0.1:6379/0" in line
    assert "environment LUTETIA_CACHE_URL" in line
    assert "hunter2" not in result.stdout


def test_start_up_stops_with_one_line_naming_the_variable(tmp_path):
    result = run_lutetia(["check"], tmp_path, LUTETIA_DATABASE_URL="mysql://x/y")
    assert result.returncode == 2
    assert "LUTETIA_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_gives_one_clear_line(tmp_path):
    result = run_lutetia(
        ["migrate"], tmp_path, LUTETIA_DATABASE_URL="postgres://nobody:secret@127.0.0.1:9/nowhere"
    )
    assert result.returncode == 3
    assert (
        "cannot use the database LUTETIA_DATABASE_URL=postgres://nobody:***@127.0.0.1:9/nowhere"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert "secret" not in result.stderr


def test_a_city_s_own_breached_password_list_is_refused_offline(tmp_path):
    from django.contrib.auth.password_validation import get_password_validators, validate_password
    from django.core.exceptions import ValidationError

    from lutetia.conf.django import password_validators

    listed = tmp_path / "breached.txt"
    listed.write_text("beaumont-sur-loire\nmairie-de-beaumont\n")
    config = load(environ={"LUTETIA_BREACHED_PASSWORDS": str(listed)}, cwd=tmp_path)
    validators = get_password_validators(password_validators(config))

    with pytest.raises(ValidationError) as refused:
        validate_password("Mairie-de-Beaumont", password_validators=validators)
    assert [error.code for error in refused.value.error_list] == ["password_too_common"]
    validate_password("a long and unlisted sentence", password_validators=validators)
    # Without the setting, Django's own list still applies.
    defaults = get_password_validators(password_validators(load(environ={}, cwd=tmp_path)))
    with pytest.raises(ValidationError):
        validate_password("password1234", password_validators=defaults)


def test_a_breached_password_list_that_is_not_there_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="LUTETIA_BREACHED_PASSWORDS: no file"):
        load(environ={"LUTETIA_BREACHED_PASSWORDS": str(tmp_path / "missing.txt")}, cwd=tmp_path)


def test_a_redis_cache_url_gives_a_cache_every_app_server_shares():
    """LUTETIA_CACHE_URL=redis://... works out of the box (its client is a dependency): what one
    process counts (a rate limit), another reads."""
    import socket
    import uuid

    from django.core.cache.backends.redis import RedisCache

    from lutetia.conf.django import cache
    from lutetia.testing.pytest_plugin import missing

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        missing("Redis is not running on 127.0.0.1:6379")
    config = load(environ={"LUTETIA_CACHE_URL": "redis://127.0.0.1:6379/9"})
    settings = cache(config)
    one = RedisCache(settings["LOCATION"], {})
    other = RedisCache(settings["LOCATION"], {})
    key = f"lutetia-test-{uuid.uuid4().hex}"
    try:
        one.add(key, 0, 60)
        one.incr(key)
        assert other.get(key) == 1
    finally:
        one.delete(key)
