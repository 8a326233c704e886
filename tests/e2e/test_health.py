"""/healthz names the part that does not answer, and the service recovers without a restart."""

import shutil
import subprocess
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from tests import backends
from tests.e2e.server import Server, free_port, poll


async def health(server: Server) -> tuple[int, dict]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{server.url}/healthz", timeout=5)
    return response.status_code, response.json()


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server to stop one")
async def test_a_redis_that_stops_answering_makes_healthz_503(fresh_env):
    port = free_port()
    redis = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    server = Server(env=fresh_env | {"REDIS_URL": f"redis://127.0.0.1:{port}/0"})
    try:
        await server.start()
        status, body = await health(server)
        assert (status, body["database"], body["redis"]) == (200, "ok", "ok")
        redis.terminate()
        redis.wait(timeout=10)

        async def unhealthy():
            status, body = await health(server)
            return (status, body["database"], body["redis"]) if status == 503 else None

        assert await poll(unhealthy) == (503, "ok", "unavailable")
    finally:
        server.stop()
        if redis.poll() is None:
            redis.kill()


async def test_a_database_that_stops_answering_makes_healthz_503(fresh_env, backend):
    if not backend.is_postgres:
        pytest.skip("only a server database can be taken away from a running process")
    name = urlsplit(fresh_env["DATABASE_URL"]).path.strip("/")
    admin = await asyncpg.connect(backends.PG_URL.replace("postgres://", "postgresql://", 1))
    server = Server(env=fresh_env)
    try:
        await server.start()
        assert (await health(server))[0] == 200
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )

        async def unhealthy():
            status, body = await health(server)
            return (body["database"], body["redis"]) if status == 503 else None

        assert await poll(unhealthy) == ("unavailable", "ok")
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

        async def healthy():
            return (await health(server))[0] == 200

        assert await poll(healthy)
    finally:
        server.stop()
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
