"""The committed migrations describe the models exactly, and apply on this backend."""

import pytest
from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError
from tortoise.migrations.autodetector import MigrationAutodetector

from domain.db import tortoise_config
from domain.people.models import Member
from tests import factories


async def test_models_and_migrations_agree(database):
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        assert ctx.apps is not None
        detector = MigrationAutodetector(ctx.apps, config["apps"])
        changes = await detector.changes()
    pending = [op for writer in changes for op in writer.operations]
    assert pending == [], f"models differ from domain/migrations; run `make migrations`: {pending}"


async def test_the_points_balance_cannot_go_below_zero(db):
    member = await factories.member()
    # The constraint named in migration 0002, not any failure, must refuse it.
    with pytest.raises(IntegrityError, match="member_points_balance_nonneg"):
        await Member.filter(id=member.id).update(points_balance=-1)
    assert (await Member.get(id=member.id)).points_balance == 0
