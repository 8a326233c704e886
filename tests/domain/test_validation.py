from decimal import Decimal

import pytest

from domain import validation
from domain.errors import Invalid


@pytest.mark.parametrize("value", ["198.00", "0", "0.5", "9999999999.99"])
def test_money_accepts_amounts(value):
    assert validation.money(Decimal(value), "price") == Decimal(value)


@pytest.mark.parametrize("value", ["-1", "1.001", "NaN", "Infinity", "10000000000"])
def test_money_refuses_the_rest(value):
    with pytest.raises(Invalid) as err:
        validation.money(Decimal(value), "price")
    assert err.value.field == "price"


@pytest.mark.parametrize(
    ("lat", "ok"), [(90, True), (-90, True), (90.01, False), (float("nan"), False)]
)
def test_latitude(lat, ok):
    if ok:
        assert validation.latitude(lat) == lat
    else:
        with pytest.raises(Invalid):
            validation.latitude(lat)


def test_text_trims_and_limits():
    assert validation.text("  Li  ", "name", max_length=5) == "Li"
    with pytest.raises(Invalid, match="empty"):
        validation.text("   ", "name", max_length=5)
    with pytest.raises(Invalid, match="longer"):
        validation.text("x" * 6, "name", max_length=5)


@pytest.mark.parametrize("bad", ["a\x00b", "\x07ring", "x\x1b[31m", "del\x7f"])
def test_text_refuses_control_characters(bad):
    with pytest.raises(Invalid, match="control characters") as err:
        validation.text(bad, "name", max_length=50)
    assert err.value.field == "name"


def test_text_keeps_tabs_and_line_breaks_and_any_script():
    assert validation.text("Li\tMing\r\n2nd line 母婴店", "name", max_length=50) == (
        "Li\tMing\r\n2nd line 母婴店"
    )


def test_phone_normalises_separators():
    assert validation.phone("138-0000 0000") == "13800000000"
    with pytest.raises(Invalid):
        validation.phone("call me")
