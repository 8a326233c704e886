"""What the figures were measured on."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import asyncpg
import redis.asyncio as aioredis

from benchmarks import services


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) // 1024} MiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


async def _postgres_version() -> str:
    conn = await asyncpg.connect(services.dsn(services.PG_URL), timeout=5)
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def _redis_version() -> str:
    client = aioredis.from_url(services.REDIS_URL, decode_responses=True)
    try:
        info = await client.info("server")
        return str(info.get("redis_version", "unknown"))
    finally:
        await client.aclose()


def load_average() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews every figure."""
    try:
        return " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


async def describe() -> list[tuple[str, str]]:
    """``(label, value)`` lines describing this machine and the services."""
    return [
        ("CPU", cpu_model()),
        ("cores", str(os.cpu_count() or "unknown")),
        ("memory", memory_total()),
        ("Python", sys.version.split()[0] + f" ({platform.python_implementation()})"),
        ("kernel", f"{platform.system()} {platform.release()}"),
        ("PostgreSQL", await _postgres_version()),
        ("Redis", await _redis_version()),
        ("load avg", load_average() + " (1/5/15 min, at start)"),
    ]
