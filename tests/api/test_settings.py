import subprocess
import sys

import pytest

from api.settings import Settings, SettingsError


def test_defaults_are_the_embedded_mode():
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite://var/o2o.sqlite3"
    assert settings.redis_url == "memory://"
    assert settings.offer_timeout_seconds == 3600
    assert settings.deadline_lease_seconds == 30
    assert settings.secret_key_generated
    assert len(settings.secret_key) >= 32


def test_values_from_the_environment():
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgres://u@db:5432/o2o",
            "REDIS_URL": "redis://cache:6379/1",
            "OFFER_TIMEOUT_SECONDS": "0.25",
            "SECRET_KEY": "k" * 40,
            "HOST": "0.0.0.0",
            "PORT": "9000",
            "GRAPHQL_EXPLORER": "false",
            "DEADLINE_LEASE_SECONDS": "2.5",
        }
    )
    assert settings.offer_timeout_seconds == 0.25
    assert settings.deadline_lease_seconds == 2.5
    assert settings.secret_key == "k" * 40
    assert not settings.secret_key_generated
    assert (settings.host, settings.port, settings.explorer) == ("0.0.0.0", 9000, False)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OFFER_TIMEOUT_SECONDS", "-1"),
        ("OFFER_TIMEOUT_SECONDS", "0"),
        ("OFFER_TIMEOUT_SECONDS", "soon"),
        ("OFFER_TIMEOUT_SECONDS", "nan"),
        ("DEADLINE_LEASE_SECONDS", "0"),
        ("DATABASE_URL", "mysql://x/y"),
        ("DATABASE_URL", "postgres://host"),
        ("REDIS_URL", "http://cache"),
        ("REDIS_URL", "redis://cache:port/0"),
        ("PORT", "70000"),
        ("GRAPHQL_EXPLORER", "maybe"),
        ("HTTP_HEADER_TIMEOUT_SECONDS", "0"),
        ("HTTP_BODY_TIMEOUT_SECONDS", "never"),
        ("REDIS_MAX_CONNECTIONS", "0"),
        ("REDIS_MAX_CONNECTIONS", "many"),
        ("REDIS_POOL_TIMEOUT_SECONDS", "0"),
    ],
)
def test_a_bad_value_names_its_variable(name, value):
    with pytest.raises(SettingsError, match=f"^{name}:"):
        Settings.from_env({name: value})


def test_the_cli_stops_with_one_line_and_a_non_zero_exit():
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "migrate"],
        env={"OFFER_TIMEOUT_SECONDS": "-5", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        "o2o: configuration error: OFFER_TIMEOUT_SECONDS: must be a positive "
        "number of seconds, got '-5'"
    ]


def test_secret_key_is_required_outside_the_demo_mode():
    with pytest.raises(SettingsError, match="SECRET_KEY: required"):
        Settings.from_env({"DATABASE_URL": "postgres://u@db:5432/o2o"})
    with pytest.raises(SettingsError, match="SECRET_KEY: required"):
        Settings.from_env({"REDIS_URL": "redis://cache:6379/1"})
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env({"SECRET_KEY": "short"})


def test_abuse_limits_are_settable_and_zero_turns_a_budget_off():
    settings = Settings.from_env({"ORDER_PLACE_PER_MINUTE": "0", "MAX_BODY_BYTES": "1000"})
    assert (settings.abuse.order_place_per_minute, settings.abuse.max_body_bytes) == (0, 1000)
    with pytest.raises(SettingsError, match="LOGIN_FAILURES_PER_PHONE"):
        Settings.from_env({"LOGIN_FAILURES_PER_PHONE": "-3"})


def test_forwarded_headers_are_trusted_only_from_named_peers():
    assert Settings.from_env({}).forwarded_allow_ips == ()
    named = Settings.from_env({"FORWARDED_ALLOW_IPS": " 10.0.0.0/8, ::1 ,192.0.2.7"})
    assert named.forwarded_allow_ips == ("10.0.0.0/8", "::1", "192.0.2.7")
    assert Settings.from_env({"FORWARDED_ALLOW_IPS": "*"}).forwarded_allow_ips == ("*",)
    with pytest.raises(SettingsError, match=r"^FORWARDED_ALLOW_IPS:"):
        Settings.from_env({"FORWARDED_ALLOW_IPS": "proxy.local"})


def test_the_metrics_token_is_long_enough_or_unset():
    assert Settings.from_env({}).metrics_token == ""
    set_ = Settings.from_env({"METRICS_TOKEN": "  scraper-token-0123456789 "})
    assert set_.metrics_token == "scraper-token-0123456789"
    for bad in ("short", "sixteen\ncharacters"):
        with pytest.raises(SettingsError, match=r"^METRICS_TOKEN:"):
            Settings.from_env({"METRICS_TOKEN": bad})
