"""The committed migrations describe the models exactly, and apply on this backend."""

import subprocess
import sys

import pytest
from tortoise.exceptions import IntegrityError

from domain.people.models import Member
from tests import factories

# In a process of its own: a second TortoiseContext in this one would re-bind the model
# classes to its in-memory database and leave every later test talking to the wrong one.
DRIFT = """
import asyncio
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from domain.db import tortoise_config

async def main():
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        changes = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    print([op for writer in changes for op in writer.operations])

asyncio.run(main())
"""


def test_models_and_migrations_agree():
    done = subprocess.run(
        [sys.executable, "-c", DRIFT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    pending = done.stdout.strip()
    assert pending == "[]", f"models differ from the migrations; run `make migrations`: {pending}"


async def test_the_points_balance_cannot_go_below_zero(db):
    member = await factories.member()
    # The constraint named in migration 0002, not any failure, must refuse it (the old test
    # also passed on an OperationalError, and on PostgreSQL it met one: a query in the wrong
    # dialect, after the drift check had re-bound the models in this process).
    with pytest.raises(IntegrityError, match="member_points_balance_nonneg"):
        await Member.filter(id=member.id).update(points_balance=-1)
    assert (await Member.get(id=member.id)).points_balance == 0
