"""Odd input a client can send: each is refused as INVALID naming the field, nothing written.

Each case here once ended in INTERNAL_ERROR (or, on SQLite, was stored as sent): a total past
what its column holds, a ``Decimal`` that is not a number, a character no name or address
should hold. The loyalty side (sales, campaigns, activities) is in tests/schema/loyalty.
"""

import pytest

from domain.orders.models import Order
from domain.people.models import Member
from domain.stores.models import Product, Store
from schema.core.relay import to_global_id
from tests import factories
from tests.orders_helpers import stores_east
from tests.schema.orders.test_orders import PLACE, place_input
from tests.schema.stores.test_mutations import (
    MEMBER_REGISTER,
    PRODUCT_CREATE,
    STORE_CREATE,
    store_input,
)

ODD_CHARACTERS = {
    "C1 control": "\x85",
    "C1 CSI": "\x9b",
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "first-strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "lone surrogate": "\ud800",
}


@pytest.fixture
async def admin(db):
    return factories.as_admin(await factories.admin())


def errors_of(data, payload):
    return [(e["code"], e["field"]) for e in data[payload]["errors"]]


@pytest.mark.parametrize("value", ["NaN", "sNaN", "-NaN", "Infinity", "1.005", "-0.01", "101"])
async def test_points_per_yuan_must_be_a_rate_up_to_100(gql, admin, value):
    data = await gql.data(
        PRODUCT_CREATE,
        {"input": {"sku": "ODD", "name": "Odd", "price": "1.00", "pointsPerYuan": value}},
        as_=admin,
    )
    assert errors_of(data, "productCreate") == [("INVALID", "pointsPerYuan")]
    assert await Product.all().count() == 0


@pytest.mark.parametrize("kind", sorted(ODD_CHARACTERS))
@pytest.mark.parametrize("field", ["name", "address"])
async def test_names_and_addresses_refuse_odd_characters(gql, admin, kind, field):
    odd = f"Li{ODD_CHARACTERS[kind]}Ming"
    data = await gql.data(STORE_CREATE, {"input": store_input(**{field: odd})}, as_=admin)
    assert errors_of(data, "storeCreate") == [("INVALID", field)]
    assert await Store.all().count() == 0


@pytest.mark.parametrize("kind", ["C1 control", "right-to-left override", "lone surrogate"])
async def test_a_member_name_refuses_odd_characters(gql, kind):
    data = await gql.data(
        MEMBER_REGISTER,
        {
            "input": {
                "phone": "13912345678",
                "password": "member-pass-1",
                "name": f"x{ODD_CHARACTERS[kind]}y",
            }
        },
    )
    assert errors_of(data, "memberRegister") == [("INVALID", "name")]
    assert await Member.all().count() == 0


@pytest.mark.parametrize("kind", ["C1 control", "first-strong isolate", "lone surrogate"])
async def test_a_delivery_address_refuses_odd_characters(gql, dispatch, kind):
    await stores_east(dispatch, 1.0)
    product = await factories.product("10.00")
    member = factories.as_member(await factories.member())
    variables = place_input(
        to_global_id("Product", product.id), deliveryAddress=f"8 {ODD_CHARACTERS[kind]}Road"
    )
    data = await gql.data(PLACE, variables, as_=member)
    assert errors_of(data, "orderPlace") == [("INVALID", "deliveryAddress")]
    assert await Order.all().count() == 0


async def test_an_order_whose_total_overflows_is_refused(gql, dispatch):
    """Two at the highest price a product may have: more than an order's total can hold."""
    await stores_east(dispatch, 1.0)
    product = await factories.product("9999999999.99")
    member = factories.as_member(await factories.member())
    data = await gql.data(PLACE, place_input(to_global_id("Product", product.id), 2), as_=member)
    assert errors_of(data, "orderPlace") == [("INVALID", "lines")]
    assert await Order.all().count() == 0
    one = await gql.data(PLACE, place_input(to_global_id("Product", product.id), 1), as_=member)
    assert one["orderPlace"]["order"]["total"] == "9999999999.99"
