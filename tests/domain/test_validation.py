from datetime import UTC, datetime, timedelta, timezone
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


@pytest.mark.parametrize("bad", ["C1\x80", "next\x85line", "csi\x9b[31m", "\x9f"])
def test_text_refuses_c1_control_characters(bad):
    with pytest.raises(Invalid, match="control characters") as err:
        validation.text(bad, "address", max_length=50)
    assert err.value.field == "address"


@pytest.mark.parametrize(
    "override", [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
)
def test_text_refuses_bidirectional_overrides_and_isolates(override):
    # "abc\u202edcba.exe" shows as "abcexe.abcd": a name that reads other than it is.
    with pytest.raises(Invalid, match="text-direction") as err:
        validation.text(f"Li{override}Ming", "name", max_length=50)
    assert err.value.field == "name"


@pytest.mark.parametrize("surrogate", ["\ud800", "x\udfff", "a\udc00b"])
def test_text_refuses_lone_surrogates(surrogate):
    # Not a character at all: PostgreSQL's driver cannot even encode it.
    with pytest.raises(Invalid, match="surrogate") as err:
        validation.text(surrogate, "name", max_length=50)
    assert err.value.field == "name"


def test_text_keeps_what_is_next_to_the_refused_ranges():
    # No-break space (after C1), left-to-right mark, emoji (a surrogate pair in UTF-16).
    kept = "Li\u00a0Ming\u200e 😀 \u2070"
    assert validation.text(kept, "name", max_length=50) == kept


def test_text_keeps_tabs_and_line_breaks_and_any_script():
    assert validation.text("Li\tMing\r\n2nd line 母婴店", "name", max_length=50) == (
        "Li\tMing\r\n2nd line 母婴店"
    )


def test_phone_normalises_separators():
    assert validation.phone("138-0000 0000") == "13800000000"
    with pytest.raises(Invalid):
        validation.phone("call me")


@pytest.mark.parametrize("value", ["0", "1", "2.5", "100"])
def test_rate_accepts_up_to_its_maximum(value):
    assert validation.rate(Decimal(value), "pointsPerYuan", maximum=Decimal(100)) == Decimal(value)


@pytest.mark.parametrize(
    "value", ["NaN", "sNaN", "-Infinity", "Infinity", "-0.01", "100.01", "1.005", "1E-999999"]
)
def test_rate_refuses_the_rest(value):
    with pytest.raises(Invalid) as err:
        validation.rate(Decimal(value), "pointsPerYuan", maximum=Decimal(100))
    assert err.value.field == "pointsPerYuan"


PLUS_14 = timezone(timedelta(hours=14))
MINUS_14 = timezone(timedelta(hours=-14))


def test_instant_gives_utc():
    local = datetime(2026, 12, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    assert validation.instant(local, "startsAt") == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        datetime(1, 1, 1, tzinfo=PLUS_14),  # before year 1 in UTC: OverflowError
        datetime(9999, 12, 31, 23, 59, tzinfo=MINUS_14),  # after year 9999 in UTC
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, tzinfo=UTC),
        datetime(2026, 1, 1),  # noqa: DTZ001  (no offset: which instant is meant?)
    ],
)
def test_instant_refuses_the_ends_of_time_and_naive_times(value):
    with pytest.raises(Invalid) as err:
        validation.instant(value, "endsAt")
    assert err.value.field == "endsAt"
