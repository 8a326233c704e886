"""Sign-out and staff removal: the tokens stop working at once, checked as the view checks."""

from domain.access.models import TokenRevocation
from domain.enums import StaffRole
from domain.people.models import Staff
from schema.core.context import Context
from schema.core.relay import to_global_id
from tests import factories

VIEWER = "{ viewer { role } }"
REVOKE = "mutation { tokenRevoke { revoked } }"
REMOVE = "mutation($id: ID!) { staffRemove(id: $id) { staff { id } errors { code } } }"


async def run(gql, query, token, variables=None):
    context = await Context.for_checked_token(gql.services, token)
    return await gql.schema.execute(query, variable_values=variables, context_value=context)


async def test_a_revoked_token_is_refused_and_another_still_works(gql):
    member = factories.as_member(await factories.member())
    token, other = gql.services.tokens.issue(member), gql.services.tokens.issue(member)
    assert (await run(gql, REVOKE, token)).data == {"tokenRevoke": {"revoked": True}}
    refused = await run(gql, VIEWER, token)
    assert refused.errors[0].extensions["code"] == "UNAUTHENTICATED"
    assert "revoked" in refused.errors[0].message
    assert (await run(gql, VIEWER, other)).data == {"viewer": {"role": "MEMBER"}}


async def test_signing_out_needs_a_token(gql):
    result = await run(gql, REVOKE, None)
    assert result.errors[0].extensions["code"] == "UNAUTHENTICATED"


async def test_a_removed_clerk_s_tokens_stop_working(gql):
    store = await factories.store()
    manager = factories.as_staff(await factories.staff(store, StaffRole.MANAGER))
    clerk_row = await factories.staff(store)
    clerk = gql.services.tokens.issue(factories.as_staff(clerk_row))
    assert (await run(gql, VIEWER, clerk)).errors is None
    removed = await run(
        gql, REMOVE, gql.services.tokens.issue(manager), {"id": to_global_id("Staff", clerk_row.id)}
    )
    assert removed.data["staffRemove"]["errors"] == []
    assert not (await Staff.get(id=clerk_row.id)).active
    assert (await run(gql, VIEWER, clerk)).errors[0].extensions["code"] == "UNAUTHENTICATED"


async def test_a_manager_cannot_remove_a_manager_or_another_store_s_clerk(gql):
    store, elsewhere = await factories.store(), await factories.store()
    manager = gql.services.tokens.issue(
        factories.as_staff(await factories.staff(store, StaffRole.MANAGER))
    )
    peer = await factories.staff(store, StaffRole.MANAGER)
    foreign = await factories.staff(elsewhere)
    as_peer = await run(gql, REMOVE, manager, {"id": to_global_id("Staff", peer.id)})
    assert as_peer.errors[0].extensions["code"] == "FORBIDDEN"
    as_foreign = await run(gql, REMOVE, manager, {"id": to_global_id("Staff", foreign.id)})
    assert as_foreign.data["staffRemove"]["errors"] == [{"code": "NOT_FOUND"}]
    assert (await Staff.get(id=peer.id)).active
    assert (await Staff.get(id=foreign.id)).active


async def test_revocations_outlive_a_flushed_redis(gql):
    """Redis keeps nothing on disk: the database refills it before the next check answers."""
    store = await factories.store()
    manager = factories.as_staff(await factories.staff(store, StaffRole.MANAGER))
    clerk_row = await factories.staff(store)
    clerk = gql.services.tokens.issue(factories.as_staff(clerk_row))
    member = factories.as_member(await factories.member())
    signed_out, kept = gql.services.tokens.issue(member), gql.services.tokens.issue(member)
    assert (await run(gql, REVOKE, signed_out)).data == {"tokenRevoke": {"revoked": True}}
    variables = {"id": to_global_id("Staff", clerk_row.id)}
    assert (await run(gql, REMOVE, gql.services.tokens.issue(manager), variables)).errors is None
    await gql.services.redis.flushdb()
    for token in (signed_out, clerk):
        refused = await run(gql, VIEWER, token)
        assert refused.errors[0].extensions["code"] == "UNAUTHENTICATED"
    assert (await run(gql, VIEWER, kept)).data == {"viewer": {"role": "MEMBER"}}
    assert await TokenRevocation.all().count() == 2
