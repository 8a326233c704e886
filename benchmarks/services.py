"""PostgreSQL, Redis and one real ``o2o serve`` subprocess for a benchmark."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
# The PostgreSQL server (a fresh database is made beside the one named) and the Redis database.
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
SECRET_KEY = "o2o-benchmark-secret-key-not-for-production-0123456789"
# 0: the deadline worker runs inside ``o2o serve`` (the set-up); N: ``serve
# --no-worker`` beside N ``o2o worker`` processes, as a larger deployment would run them.
WORKER_PROCESSES = int(os.environ.get("BENCH_WORKER_PROCESSES", "0"))
O2O = [sys.executable, "-m", "api.cli"]
# The server logs "%(asctime)s %(levelname)s %(name)s %(message)s"; uvicorn "LEVEL:    ...".
PROBLEM_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
UVICORN_PROBLEMS = ("WARNING:", "ERROR:", "CRITICAL:")


def dsn(url: str) -> str:
    """An asyncpg DSN for a tortoise-style URL."""
    return url.replace("postgres://", "postgresql://", 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def create_database(prefix: str = "o2o_bench") -> str:
    """A new, empty database on the PostgreSQL server; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn(PG_URL), timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))


async def drop_database(url: str) -> None:
    name = urlsplit(url).path.strip("/")
    conn = await asyncpg.connect(dsn(PG_URL), timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def checkpoint() -> None:
    """Flush PostgreSQL's dirty pages now (the previous benchmark's writes and dropped
    database), so that the flush does not land in the middle of a measurement."""
    conn = await asyncpg.connect(dsn(PG_URL), timeout=10)
    try:
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def flush_redis() -> None:
    """Empty the benchmark's Redis database (only that one: FLUSHDB, never FLUSHALL)."""
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


def _log_file(port: int, mode: str = "wb") -> IO[bytes]:
    path = Path(tempfile.gettempdir()) / f"o2o-bench-{port}.log"
    return cast("IO[bytes]", path.open(mode))


@dataclass
class Server:
    """One ``o2o serve`` process (API and in-process deadline worker) on a free port; or, with
    ``BENCH_WORKER_PROCESSES``, the API alone and that many ``o2o worker`` processes."""

    database_url: str
    offer_timeout: float
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None
    log_path: Path | None = None
    worker_processes: int = WORKER_PROCESSES
    workers: list[asyncio.subprocess.Process] = field(default_factory=list)

    @property
    def layout(self) -> str:
        if not self.worker_processes:
            return "deadline worker inside the one o2o serve process"
        return f"o2o serve --no-worker beside {self.worker_processes} o2o worker process(es)"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": SECRET_KEY,
            "OFFER_TIMEOUT_SECONDS": f"{self.offer_timeout:g}",
            # Load comes from one address and few members: the abuse budgets would refuse it.
            "LOGIN_ATTEMPTS_PER_ADDRESS": "0",
            "ORDER_PLACE_PER_MINUTE": "0",
            "POINTS_REDEEM_PER_MINUTE": "0",
        }

    async def command(self, *args: str, limit: float = 120) -> str:
        """Run one ``o2o`` command to completion; its output (raises on failure)."""
        proc = await asyncio.create_subprocess_exec(
            *O2O,
            *args,
            env=self.env(),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), limit)
        text = out.decode(errors="replace")
        if proc.returncode != 0:
            raise RuntimeError(f"o2o {' '.join(args)} failed ({proc.returncode}):\n{text}")
        return text

    async def start(self, limit: float = 60) -> None:
        log = _log_file(self.port)
        self.log_path = Path(log.name)
        serve = [
            "serve",
            "--port",
            str(self.port),
            *(["--no-worker"] if self.worker_processes else []),
        ]
        try:
            self.process = await self._spawn(*serve, log=log)
        finally:
            log.close()  # the child holds its own descriptor
        for _ in range(self.worker_processes):
            with _log_file(self.port, "ab") as worker_log:
                self.workers.append(await self._spawn("worker", log=worker_log))
        deadline = time.monotonic() + limit
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    raise RuntimeError(f"o2o serve exited; see {self.log_path}")
                with contextlib.suppress(httpx.TransportError):
                    response = await client.get(f"{self.url}/healthz", timeout=2)
                    if response.status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"o2o serve did not answer within {limit:g}s; see {self.log_path}")

    async def _spawn(self, *args: str, log: IO[bytes]) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *O2O, *args, env=self.env(), cwd=ROOT, stdout=log, stderr=asyncio.subprocess.STDOUT
        )

    async def stop(self) -> None:
        for proc in [*self.workers, self.process]:
            if proc is None or proc.returncode is not None:
                continue
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()

    def rss_kib(self) -> int:
        """The server process's resident memory (VmRSS) in KiB."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS in /proc status")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's processes have used so far."""
        assert self.process is not None
        return sum(_cpu_seconds(p.pid) for p in [self.process, *self.workers])

    async def settle(self, *, busy: float = 0.1, window: float = 1.0, limit: float = 60) -> float:
        """Wait until the server uses less than ``busy`` of a core over ``window`` seconds
        (work queued by the set-up is done), at most ``limit`` seconds; the seconds waited."""
        started = time.monotonic()
        while time.monotonic() - started < limit:
            before = self.cpu_seconds()
            await asyncio.sleep(window)
            if self.cpu_seconds() - before < busy * window:
                break
        return time.monotonic() - started

    def log_problems(self) -> list[str]:
        """The server log's warnings and errors, each followed by its exception (if any)."""
        if self.log_path is None or not self.log_path.exists():
            return []
        problems: list[str] = []
        in_traceback = False
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("Traceback"):
                in_traceback = True
            elif in_traceback:
                if not line.startswith(" "):
                    in_traceback = False
                    if problems:
                        problems[-1] += f" [{line.strip()}]"
            elif line.startswith(UVICORN_PROBLEMS):
                problems.append(line)
            elif len(parts := line.split(" ", 4)) == 5 and parts[2] in PROBLEM_LEVELS:
                problems.append(" ".join(parts[2:]))  # without the timestamp
        return problems


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


T = TypeVar("T")


@contextlib.asynccontextmanager
async def running_server(
    *, offer_timeout: float, seed: Callable[[str], Awaitable[T]]
) -> AsyncIterator[tuple[Server, T]]:
    """A fresh database (migrated, then ``seed(dsn)``), an empty Redis db, a started server;
    yields the server and what ``seed`` returned.

    Everything is torn down on the way out: the server stopped, the database dropped.
    """
    url = await create_database()
    server = Server(database_url=url, offer_timeout=offer_timeout)
    try:
        await server.command("migrate")
        seeded = await seed(dsn(url))
        await checkpoint()
        await flush_redis()
        await server.start()
        yield server, seeded
    finally:
        await server.stop()
        await drop_database(url)
        await flush_redis()
