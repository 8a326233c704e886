"""Run the real ``o2o`` commands and a real server on a free port, as a user would."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
O2O = [sys.executable, "-m", "api.cli"]
# The scraper's token the e2e servers are given (METRICS_TOKEN): /metrics answers no one else.
METRICS_TOKEN = "e2e-metrics-token-of-the-scraper"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def o2o_run(
    args: list[str], env: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run one o2o command to completion, whatever its exit status."""
    return subprocess.run(
        [*O2O, *args],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def o2o(args: list[str], env: Mapping[str, str], timeout: float = 120) -> str:
    """Run one o2o command to completion; its output, or a failure showing it."""
    proc = o2o_run(args, env, timeout)
    assert proc.returncode == 0, f"o2o {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@dataclass
class Server:
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, *extra: str, timeout: float = 30) -> None:
        log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"o2o-e2e-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*O2O, "serve", "--port", str(self.port), *extra],
            env={**os.environ, **self.env},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                assert self.proc.poll() is None, f"server exited; see {log.name}"
                try:
                    await client.get(f"{self.url}/healthz", timeout=1)
                    return
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
        raise AssertionError(f"server did not answer within {timeout}s; see {log.name}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    async def graphql(
        self, query: str, variables: dict | None = None, token: str | None = None
    ) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{self.url}/graphql",
                json={"query": query, "variables": variables or {}},
                headers=headers,
                timeout=10,
            )
        assert response.status_code == 200, response.text
        return response.json()


async def poll(check, *, timeout: float = 15, interval: float = 0.05):
    """Call ``check`` until it returns something truthy, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last: {result!r})")
        await asyncio.sleep(interval)
