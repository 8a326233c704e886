"""A page of members with their home stores costs the same statements whatever its size."""

import logging

from tests import factories

QUERY = """
query($first: Int) {
  members(first: $first) { edges { node { name homeStore { code name } } } }
}
"""


class StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def count_statements(gql, admin, first: int) -> int:
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    old_level = logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        data = await gql.data(QUERY, {"first": first}, as_=admin)
    finally:
        logger.removeHandler(counter)
        logger.setLevel(old_level)
    assert len(data["members"]["edges"]) == first
    assert all(e["node"]["homeStore"] for e in data["members"]["edges"])
    return counter.count


async def test_statements_do_not_grow_with_the_page(gql):
    stores = [await factories.store() for _ in range(20)]
    for i in range(100):
        await factories.member(stores[i % len(stores)])
    admin = factories.as_admin(await factories.admin())
    small = await count_statements(gql, admin, 10)
    large = await count_statements(gql, admin, 100)
    assert small > 0
    assert large == small
