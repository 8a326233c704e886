"""What the calls achieve: the repurchase rate of members reached, beside the store's own
tasks closed unworked (the comparison the store makes no effort on).

For the tasks due in a period (and a store, or all): how many were done, how many reached
the member, and of those how many members bought within ``WINDOW_DAYS`` after the call; and
for the tasks closed unworked, how many bought within ``WINDOW_DAYS`` from the morning the task
was due. A task closed because the member bought (RUN_OUT, LAPSED) counts as unworked and
bought: the comparison is what happens without a call. One statement, counted in SQL.
Exposed to admins as the ``callbackEffect(from, to, storeId)`` query (API part to add).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from tortoise import connections

from domain.crm.generation import check_day
from domain.errors import Invalid

WINDOW_DAYS = 7


@dataclass(frozen=True)
class CallbackEffect:
    store_id: int | None
    from_day: date
    to_day: date
    tasks: int
    done: int
    reached: int
    reached_bought: int
    unworked: int
    unworked_bought: int

    @property
    def reached_rate(self) -> Decimal | None:
        return _share(self.reached_bought, self.reached)

    @property
    def unworked_rate(self) -> Decimal | None:
        return _share(self.unworked_bought, self.unworked)

    @property
    def lift(self) -> Decimal | None:
        """Reached minus unworked share: the repurchase the calls add (None without both)."""
        if self.reached_rate is None or self.unworked_rate is None:
            return None
        return self.reached_rate - self.unworked_rate


def _share(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)


async def callback_effect(
    from_day: date, to_day: date, store_id: int | None, timezone: str
) -> CallbackEffect:
    check_day(from_day)
    check_day(to_day)
    if to_day < from_day:
        raise Invalid("to must not be before from.", "to")
    conn = connections.get("default")
    pg = conn.capabilities.dialect == "postgres"
    zone = ZoneInfo(timezone)
    if pg:
        after_call = (
            "p.created_at > t.done_at"
            f" AND p.created_at <= t.done_at + INTERVAL '{WINDOW_DAYS} days'"
        )
        # The due day's local midnight, as an instant.
        due_start = "((t.due_on::timestamp) AT TIME ZONE $4::text)"
        after_due = (
            f"p.created_at >= {due_start}"
            f" AND p.created_at < {due_start} + INTERVAL '{WINDOW_DAYS} days'"
        )
        params: list[object] = [from_day, to_day, store_id or 0, timezone]
        marks = ("$1::date", "$2::date", "$3::bigint")
    else:
        after_call = (
            "julianday(p.created_at) > julianday(t.done_at)"
            f" AND julianday(p.created_at) <= julianday(t.done_at) + {WINDOW_DAYS}"
        )
        # SQLite has no zone database: the zone's offset on the first day (see generation).
        offset = zone.utcoffset(datetime.combine(from_day, time(12)))
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        due_start = f"julianday(t.due_on, '{-minutes:+d} minutes')"
        after_due = (
            f"julianday(p.created_at) >= {due_start}"
            f" AND julianday(p.created_at) < {due_start} + {WINDOW_DAYS}"
        )
        params = [from_day.isoformat(), to_day.isoformat(), store_id or 0, store_id or 0]
        marks = ("?", "?", "?")
    store_filter = f"({marks[2]} = 0 OR t.store_id = {marks[2]})"
    sql = f"""
        SELECT COUNT(*),
               COALESCE(SUM(CASE WHEN t.status = 'DONE' THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN t.outcome = 'REACHED' THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN t.outcome = 'REACHED' AND EXISTS (
                   SELECT 1 FROM purchase p WHERE p.member_id = t.member_id AND {after_call})
                   THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN t.status = 'CLOSED' THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN t.status = 'CLOSED' AND EXISTS (
                   SELECT 1 FROM purchase p WHERE p.member_id = t.member_id AND {after_due})
                   THEN 1 ELSE 0 END), 0)
        FROM callback_task t
        WHERE t.due_on >= {marks[0]} AND t.due_on <= {marks[1]} AND {store_filter}"""
    _, rows = await conn.execute_query(sql, params)
    row = [int(v) for v in rows[0]]
    return CallbackEffect(store_id, from_day, to_day, *row)
