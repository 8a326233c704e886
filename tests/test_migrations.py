"""The committed migrations describe the models exactly, and apply on this backend."""

from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from domain.db import tortoise_config


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
    from tortoise.exceptions import IntegrityError, OperationalError

    from tests import factories

    member = await factories.member()
    try:
        await member.__class__.filter(id=member.id).update(points_balance=-1)
    except (IntegrityError, OperationalError):
        return
    raise AssertionError("the database accepted a negative balance")
