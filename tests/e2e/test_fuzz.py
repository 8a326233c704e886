"""Schemathesis (GraphQL mode) against a real server: every query and mutation, as four callers.

What counts as a failure: a 5xx, a body that is not JSON, a traceback anywhere, an error a
client cannot act on (``Unexpected error.``: something broke inside, even if masked), or any
unexpected error in the server's log. Expected refusals (sign in first, forbidden, bad input,
a limit) are fine: the fuzzer sends random arguments.

``FUZZ_EXAMPLES`` (default 8) bounds the examples per operation and caller.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from domain.seed import ADMIN_PASSWORD, ADMIN_PHONE, MEMBER_PASSWORD, STAFF_PASSWORD, member_phone
from tests.e2e.server import Server

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CALLERS = {
    "anonymous": None,
    "member": (member_phone(1), MEMBER_PASSWORD, "MEMBER"),
    "clerk": ("13800000102", STAFF_PASSWORD, "STAFF"),
    "admin": (ADMIN_PHONE, ADMIN_PASSWORD, "ADMIN"),
}
MASKED = "Unexpected error."

schemathesis.graphql.scalar(
    "Decimal",
    st.decimals(min_value=Decimal(-1_000_000), max_value=Decimal(1_000_000), places=2).map(
        lambda d: nodes.String(str(d))
    ),
)


def problems_in(status: int, text: str) -> list[str]:
    found = []
    if status >= 500:
        found.append(f"status {status}")
    if "Traceback" in text:
        found.append("traceback in the body")
    try:
        body = json.loads(text)
    except ValueError:
        return [*found, "body is not JSON"]
    for error in body.get("errors") or []:
        if error.get("message") == MASKED:
            found.append("an unexpected (masked) error")
    return found


def outcome(text: str) -> str:
    try:
        errors = json.loads(text).get("errors") or []
    except ValueError:
        return "not-json"
    if not errors:
        return "ok"
    return str((errors[0].get("extensions") or {}).get("code", "invalid"))


LOGIN = (
    "mutation($p: String!, $w: String!, $r: SignInRole!) "
    "{ tokenCreate(phone: $p, password: $w, role: $r) { token } }"
)


def sign_in(url: str, credentials: tuple[str, str, str] | None) -> str | None:
    if credentials is None:
        return None
    phone, password, role = credentials
    answer = httpx.post(
        f"{url}/graphql",
        json={"query": LOGIN, "variables": {"p": phone, "w": password, "r": role}},
    )
    token = answer.json()["data"]["tokenCreate"]["token"]
    assert token, answer.text
    return str(token)


def fuzz(url: str) -> tuple[collections.Counter, list[str]]:
    """Run every operation as every caller; (outcomes seen, problems found)."""
    schema = schemathesis.graphql.from_url(f"{url}/graphql")
    seen: collections.Counter = collections.Counter()
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an unreadable schema fails here
        for caller, credentials in CALLERS.items():
            # Signed in afresh for each operation: a fuzzed tokenRevoke signs its caller out.
            token = sign_in(url, credentials)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            examples(operation, caller, headers, seen, problems)()
    # Every (operation, caller, outcome) with its count, for whoever reads what was tried.
    Path(os.environ.get("TMPDIR", "/tmp"), "o2o-fuzz-report.json").write_text(
        json.dumps([[*key, count] for key, count in sorted(seen.items())], indent=1)
    )
    return seen, problems


def examples(
    operation: Any,
    caller: str,
    headers: dict[str, str],
    seen: collections.Counter,
    problems: list[str],
) -> Any:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(headers=headers, timeout=30)
        seen[(operation.label, caller, outcome(response.text))] += 1
        for problem in problems_in(response.status_code, response.text):
            problems.append(f"{operation.label} as {caller}: {problem}\n{case.body}")

    return run


def logged_failures(server: Server) -> list[str]:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"o2o-e2e-{server.port}.log"
    failures = []
    for line in path.read_text().splitlines():
        if "Traceback" in line and not line.startswith("{"):
            failures.append(line)
        if line.startswith("{") and json.loads(line)["level"] in ("ERROR", "CRITICAL"):
            failures.append(line[:2000])
    return failures


async def test_the_fuzzer_finds_no_server_error(server):
    seen, problems = await asyncio.to_thread(fuzz, server.url)
    report: collections.Counter = collections.Counter()
    for (_label, _caller, result), count in seen.items():
        report[result] += count
    print(
        f"\nfuzz: {sum(seen.values())} requests over {len({k[0] for k in seen})} operations,"
        f" outcomes {dict(report)}"
    )
    assert problems == []
    server.stop()
    assert logged_failures(server) == []


def test_the_oracle_flags_what_it_must():
    assert problems_in(500, "{}") == ["status 500"]
    assert problems_in(200, "<html>") == ["body is not JSON"]
    assert problems_in(200, '{"errors": [{"message": "Unexpected error."}]}') == [
        "an unexpected (masked) error"
    ]
    assert problems_in(200, '{"data": {"x": "Traceback (most recent call last)"}}') == [
        "traceback in the body"
    ]
    assert problems_in(200, '{"errors": [{"message": "Sign in first."}]}') == []
