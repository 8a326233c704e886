"""docker-compose.yml and the Dockerfile, checked by reading them (no Docker engine needed).

Every ``o2o ...`` command the containers run goes through the real argument parser, and the
environment they are given goes through the real settings loader.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.cli import build_parser
from api.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

APP_SERVICES = ("api", "worker")
REQUIRED_ENV = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "OFFER_TIMEOUT_SECONDS"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict), f"{COMPOSE_FILE.name}: expected a mapping at the top"
    assert isinstance(loaded.get("services"), dict), f"{COMPOSE_FILE.name}: no services mapping"
    return loaded


# --- helpers -------------------------------------------------------------------------------


def command_lines(command: str | list[str] | None) -> list[list[str]]:
    """The argv of each program a compose ``command`` runs (``sh -c "a && b"`` gives two)."""
    if command is None:
        return []
    argv = shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
    if len(argv) == 3 and argv[0] in {"sh", "/bin/sh", "bash", "/bin/bash"} and argv[1] == "-c":
        lines = [shlex.split(part) for part in argv[2].split("&&")]
        # `exec o2o serve` runs `o2o serve` in place of the shell.
        return [line[1:] if line[:1] == ["exec"] else line for line in lines if line]
    return [argv]


def o2o_commands(compose: dict[str, Any], service: str) -> list[list[str]]:
    """The argv (after the leading ``o2o``) of every ``o2o`` command the service runs."""
    lines = command_lines(compose["services"][service].get("command"))
    return [line[1:] for line in lines if line[0] == "o2o"]


def o2o_command_error(argv: list[str]) -> str | None:
    """Why ``o2o <argv>`` would not start, or None when the real parser accepts it."""
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            build_parser().parse_args(argv)
    except SystemExit as exc:
        reason = stderr.getvalue().strip().splitlines()
        return f"`o2o {shlex.join(argv)}` is rejected (exit {exc.code}): " + (
            reason[-1] if reason else "no message"
        )
    return None


def assert_o2o_command(argv: list[str]) -> None:
    error = o2o_command_error(argv)
    if error is not None:
        pytest.fail(error)


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    if pending:
        logical.append(pending)
    pairs = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        pairs.append((keyword.upper(), rest.strip()))
    return pairs


def dockerfile_cmd() -> list[str]:
    cmds = [
        rest
        for keyword, rest in dockerfile_instructions(DOCKERFILE.read_text())
        if keyword == "CMD"
    ]
    assert cmds, "Dockerfile: no CMD"
    value = json.loads(cmds[-1])  # the last CMD is the one that counts
    assert isinstance(value, list), "Dockerfile: CMD should be in JSON (exec) form"
    return [str(part) for part in value]


def settings_names_read() -> set[str]:
    """The environment variable names Settings.from_env asks for."""

    class RecordingEnv(dict[str, str]):
        def __init__(self) -> None:
            super().__init__()
            self.names: set[str] = set()

        def get(self, key: str, default: Any = None) -> Any:
            self.names.add(key)
            return super().get(key, default)

    env = RecordingEnv()
    Settings.from_env(env)
    return env.names


_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, shell_env: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``, enough for this file."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = shell_env.get(name)
        if op in {":-", "-"}:
            return current if current or (op == "-" and current is not None) else arg
        if op in {":?", "?"} and not current:
            raise ValueError(f"{name}: {arg}")
        return current or ""

    return _VARIABLE.sub(replace, value)


def service_env(compose: dict[str, Any], service: str) -> dict[str, str]:
    env = compose["services"][service].get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(name): str(value) for name, value in env.items()}


def depends_on(compose: dict[str, Any], service: str) -> dict[str, str]:
    """{dependency: condition}; the short list form means service_started."""
    deps = compose["services"][service].get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


# --- the checker can fail -----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        [],
        ["serve", "--workers", "4"],
        ["serve", "--port", "eighty"],
        ["seed"],
        ["create-admin", "--phone", "13800000000"],
    ],
)
def test_checker_rejects_bad_commands(argv: list[str]) -> None:
    error = o2o_command_error(argv)
    assert error is not None
    assert error.startswith(f"`o2o {shlex.join(argv)}` is rejected")


def test_checker_rejects_a_bogus_compose_command() -> None:
    bogus = {"services": {"api": {"command": ["sh", "-c", "o2o migrate && o2o frobnicate"]}}}
    commands = o2o_commands(bogus, "api")
    assert commands == [["migrate"], ["frobnicate"]]
    assert o2o_command_error(commands[0]) is None
    assert o2o_command_error(commands[1]) is not None
    with pytest.raises(pytest.fail.Exception, match="frobnicate"):
        assert_o2o_command(commands[1])


def test_command_lines_splits_shell_chains() -> None:
    assert command_lines(["sh", "-c", "o2o migrate && exec o2o serve --port 8000"]) == [
        ["o2o", "migrate"],
        ["o2o", "serve", "--port", "8000"],
    ]
    assert command_lines("o2o worker") == [["o2o", "worker"]]
    assert command_lines(None) == []


# --- docker-compose.yml --------------------------------------------------------------------


def test_services_exist(compose: dict[str, Any]) -> None:
    missing = {"postgres", "redis", "api", "worker"} - set(compose["services"])
    assert not missing, f"docker-compose.yml: missing services {sorted(missing)}"


def test_healthchecks(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        check = service.get("healthcheck") or {}
        if name == "worker":
            # It serves no HTTP, so the image's /healthz check must not apply to it.
            assert check.get("disable") is True, "worker: the image HEALTHCHECK must be disabled"
            continue
        assert check.get("test"), f"{name}: no healthcheck"
        assert not check.get("disable"), f"{name}: healthcheck disabled"


def test_api_healthcheck_probes_healthz(compose: dict[str, Any]) -> None:
    test = compose["services"]["api"]["healthcheck"]["test"]
    probe = " ".join(test) if isinstance(test, list) else test
    assert "http://127.0.0.1:8000/healthz" in probe
    assert "urllib" in probe, "python:3.11-slim has no curl; probe with urllib"


def test_dependencies(compose: dict[str, Any]) -> None:
    api = depends_on(compose, "api")
    for dep in ("postgres", "redis"):
        assert api.get(dep) == "service_healthy", f"api must wait for a healthy {dep}"
    # The api applies the migrations before it becomes healthy; the worker waits for that.
    assert depends_on(compose, "worker").get("api") == "service_healthy"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_commands_are_real_o2o_commands(compose: dict[str, Any], service: str) -> None:
    commands = o2o_commands(compose, service)
    assert commands, f"{service}: runs no o2o command"
    for argv in commands:
        assert_o2o_command(argv)


def test_api_migrates_then_serves(compose: dict[str, Any]) -> None:
    subcommands = [argv[0] for argv in o2o_commands(compose, "api")]
    assert subcommands == ["migrate", "serve"]
    serve = build_parser().parse_args(o2o_commands(compose, "api")[1])
    assert serve.host == "0.0.0.0"
    assert serve.no_worker, "the deadline worker runs in its own service"
    assert f"{serve.port}:{serve.port}" in compose["services"]["api"]["ports"]


def test_worker_runs_the_worker(compose: dict[str, Any]) -> None:
    assert o2o_commands(compose, "worker") == [["worker"]]


def test_app_services_share_one_environment(compose: dict[str, Any]) -> None:
    shared = compose.get("x-o2o-env")
    assert isinstance(shared, dict), "docker-compose.yml: no x-o2o-env anchor"
    for service in APP_SERVICES:
        assert compose["services"][service]["environment"] == shared, service


@pytest.mark.parametrize("service", APP_SERVICES)
def test_environment_names_are_what_the_app_reads(compose: dict[str, Any], service: str) -> None:
    names = set(service_env(compose, service))
    unknown = names - settings_names_read()
    assert not unknown, f"{service}: the app never reads {sorted(unknown)}"
    missing = REQUIRED_ENV - names
    assert not missing, f"{service}: not set {sorted(missing)}"


def test_environment_values_load(compose: dict[str, Any]) -> None:
    raw = service_env(compose, "api")
    env = {
        name: interpolate(value, {"SECRET_KEY": "s3cret-compose-test-key-of-32-chars"})
        for name, value in raw.items()
    }
    try:
        settings = Settings.from_env(env)
    except SettingsError as exc:
        pytest.fail(f"api environment does not load: {exc}")
    assert settings.secret_key == "s3cret-compose-test-key-of-32-chars"
    assert not settings.secret_key_generated
    assert settings.offer_timeout_seconds == 3600.0
    assert "@postgres:5432/" in settings.database_url
    assert settings.redis_url.startswith("redis://redis:6379/")
    postgres = compose["services"]["postgres"]["environment"]
    user, password, db = postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], "POSTGRES_DB"
    assert settings.database_url == f"postgres://{user}:{password}@postgres:5432/{postgres[db]}"


def test_secret_key_is_required(compose: dict[str, Any]) -> None:
    value = service_env(compose, "api")["SECRET_KEY"]
    with pytest.raises(ValueError, match="SECRET_KEY"):
        interpolate(value, {})


# --- Dockerfile ----------------------------------------------------------------------------


def test_dockerfile_cmd_is_a_real_o2o_command() -> None:
    cmd = dockerfile_cmd()
    assert cmd[0] == "o2o", f"Dockerfile: CMD should run o2o, got {cmd}"
    assert_o2o_command(cmd[1:])


def test_dockerfile_basics() -> None:
    instructions = dockerfile_instructions(DOCKERFILE.read_text())
    by_keyword: dict[str, list[str]] = {}
    for keyword, rest in instructions:
        by_keyword.setdefault(keyword, []).append(rest)
    assert by_keyword["FROM"][0].startswith("python:3.11-slim")
    assert "8000" in by_keyword.get("EXPOSE", [])
    users = by_keyword.get("USER", [])
    assert users, "Dockerfile: no USER, the server would run as root"
    assert users[-1] not in {"root", "0"}, "Dockerfile: runs as root"
    healthchecks = by_keyword.get("HEALTHCHECK", [])
    assert healthchecks, "Dockerfile: no HEALTHCHECK"
    assert "/healthz" in healthchecks[-1]
    assert "urllib" in healthchecks[-1]
