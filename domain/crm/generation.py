"""Making one day's call-back tasks, birthday vouchers and greetings: set-based SQL.

A handful of statements whatever the number of members, each the SQL twin of a rule in
``callbacks`` (the reference; a property test runs both on random data). They run in one
transaction that first claims the day in ``callback_day``: the day's unique row is what makes
a day happen once, whatever number of workers try at the same moment. On PostgreSQL the second
worker's claim waits for the first transaction and then finds the row; if the first rolls back
(it crashed), the second makes the day instead. Every task is also unique on
(member, kind, occasion), so even a day generated without the ledger (a member registering on
their birthday after the morning run) never makes one twice.

Local days: PostgreSQL converts with the time zone database (``AT TIME ZONE``). SQLite, the
embedded demo, has none: it shifts by the zone's offset on the day generated, which is exact
for zones without daylight saving (Asia/Shanghai has had none since 1991).
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain.crm import callbacks, words
from domain.crm.callbacks import Config, Kind
from domain.errors import Invalid

Progress = Callable[[str, int, int], object]
"""Called as (step, steps done, steps in all) while a day is made."""


@dataclass(frozen=True)
class Settings:
    """What generation needs of the brand's settings (passed down as plain values)."""

    rules: Config = field(default_factory=Config)
    timezone: str = "Asia/Shanghai"
    # The product a birthday voucher is for; None: no voucher, the greeting only.
    gift_sku: str | None = None

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(f"Unknown time zone {self.timezone!r}.", "timezone") from None


@dataclass(frozen=True)
class Generated:
    day: date
    # False: the day had been made already, and nothing was written.
    made: bool
    tasks: int = 0
    closed: int = 0
    vouchers: int = 0
    messages: int = 0


def check_day(day: date) -> date:
    if not callbacks.FIRST_DAY <= day <= callbacks.LAST_DAY:
        raise Invalid("day must be between 2000-01-01 and 2100-12-31.", "day")
    return day


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) the brand's ``day`` begins."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


STEPS = ("claim the day", "tasks", "close expired tasks", "vouchers", "messages")


async def generate_day(
    day: date, settings: Settings, now: datetime, progress: Progress | None = None
) -> Generated:
    """Make ``day``'s tasks, once: again (or in a second worker at once) it makes none."""
    check_day(day)
    zone = settings.zone()

    def step(i: int) -> None:
        if progress is not None:
            progress(STEPS[min(i, len(STEPS) - 1)], i, len(STEPS))

    async with in_transaction() as conn:
        sql = _Sql(conn, day, zone, settings, now)
        if sql.pg:
            # A few statements over every purchase, once a day: let their sorts and hashes
            # stay in memory (the default 4 MB spills 600,000 rows to disk).
            await conn.execute_script("SET LOCAL work_mem = '256MB'")
        step(0)
        claimed = await sql.run(
            "INSERT INTO callback_day (day, created, generated_at) VALUES ({day}, 0, {now})"
            " ON CONFLICT (day) DO NOTHING"
        )
        if not claimed:
            return Generated(day, made=False)
        result = await _make(sql, step)
        await sql.run(
            "UPDATE callback_day SET created = {created} WHERE day = {day}", created=result.tasks
        )
    step(len(STEPS))
    return result


async def generate_for_member(
    member_id: int, day: date, settings: Settings, now: datetime
) -> Generated:
    """The same rules for one member and ``day``, without claiming the day: for a member who
    registers (or gives a birthday) after the morning run. Unique occasions make it safe to
    run however often, before or after the day's run."""
    check_day(day)
    async with in_transaction() as conn:
        sql = _Sql(conn, day, settings.zone(), settings, now, member_id=member_id)
        return await _make(sql, lambda i: None)


async def _make(sql: _Sql, step: Callable[[int], None]) -> Generated:
    step(1)
    tasks = await sql.run(sql.tasks())
    step(2)
    closed = await sql.run(sql.close_expired())
    step(3)
    vouchers = await sql.run(sql.vouchers()) if sql.settings.gift_sku else 0
    step(4)
    messages = await sql.run(sql.messages())
    return Generated(sql.day, True, tasks, closed, vouchers, messages)


class _Binder(dict[str, str]):
    """``str.format_map`` target turning ``{name}`` into the dialect's placeholder, collecting
    the values in order."""

    def __init__(self, postgres: bool, values: dict[str, Any]) -> None:
        super().__init__()
        self.postgres = postgres
        self.given = values
        self.args: list[Any] = []
        self.numbers: dict[str, int] = {}

    def __missing__(self, name: str) -> str:
        value = self.given[name]
        if self.postgres:
            if name not in self.numbers:
                self.args.append(value)
                self.numbers[name] = len(self.args)
            # Typed, so PostgreSQL need not guess a parameter's type from where it is used.
            return f"${self.numbers[name]}::{_pg_type(value)}"
        self.args.append(value)
        return "?"


class _Sql:
    def __init__(
        self,
        conn: BaseDBAsyncClient,
        day: date,
        zone: ZoneInfo,
        settings: Settings,
        now: datetime,
        member_id: int | None = None,
    ) -> None:
        self.conn = conn
        self.pg = conn.capabilities.dialect == "postgres"
        self.day = day
        self.settings = settings
        self.rules = settings.rules
        self.member_id = member_id
        start = day_start(day, zone)
        feb28_common = (
            day.month == 2
            and day.day == 28
            and callbacks.observed_birthday(date(2000, 2, 29), day.year) == day
        )
        offset = zone.utcoffset(datetime.combine(day, time(12)))
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        self.values: dict[str, Any] = {
            "day": day if self.pg else day.isoformat(),
            "d": callbacks.day_number(day),
            "start": start if self.pg else _sqlite_instant(start),
            "now": now if self.pg else _sqlite_instant(now),
            "tz": settings.timezone,
            "shift": f"{minutes:+d} minutes",
            "md": f"{day.month:02d}-{day.day:02d}",
            "feb28": 1 if feb28_common else 0,
            "year": day.year,
            "member": member_id or 0,
            "sku": settings.gift_sku or "",
            "first_call": self.rules.first_purchase_call_days,
            "first_open": max(
                self.rules.first_purchase_open_days, self.rules.first_purchase_call_days
            ),
            "lead": self.rules.run_out_lead_days,
            "lapsed": self.rules.lapsed_after_days,
            "lapsed_window": callbacks.LAPSED_WINDOW_DAYS,
            "birthday_window": callbacks.BIRTHDAY_WINDOW_DAYS - 1,
            "voucher_days": callbacks.BIRTHDAY_VOUCHER_DAYS - 1,
        }

    async def run(self, template: str, **extra: Any) -> int:
        binder = _Binder(self.pg, {**self.values, **extra})
        sql = template.format_map(binder)
        if self.pg and sql.lstrip().upper().startswith("INSERT"):
            # tortoise reads an INSERT's row count from the wrong word of PostgreSQL's
            # "INSERT 0 n" status (always 0): count what the statement returns instead.
            counted = f"WITH changed AS ({sql} RETURNING 1) SELECT count(*) FROM changed"
            _, rows = await self.conn.execute_query(counted, binder.args)
            return int(rows[0][0])
        count, _ = await self.conn.execute_query(sql, binder.args)
        return int(count)

    # ------------------------------------------------------------ dialect pieces

    def day_of(self, column: str) -> str:
        """The brand's local day number (days since 2000-01-01) of a timestamp column."""
        if self.pg:
            return f"(({column} AT TIME ZONE {{tz}})::date - DATE '2000-01-01')"
        return f"CAST(julianday(date({column}, {{shift}})) - 2451544.5 AS INTEGER)"

    def date_number(self, column: str) -> str:
        """The day number of a DATE column."""
        if self.pg:
            return f"({column} - DATE '2000-01-01')"
        return f"CAST(julianday({column}) - 2451544.5 AS INTEGER)"

    def date_of(self, number: str) -> str:
        """A DATE value from a day number (as the column stores it)."""
        if self.pg:
            return f"(DATE '2000-01-01' + CAST({number} AS INTEGER))"
        return f"date('2000-01-01', '+' || ({number}) || ' days')"

    def iso(self, number: str) -> str:
        """'YYYY-MM-DD' text of a day number."""
        if self.pg:
            return f"to_char(DATE '2000-01-01' + CAST({number} AS INTEGER), 'YYYY-MM-DD')"
        return self.date_of(number)

    def month_day(self, column: str) -> str:
        if self.pg:
            return f"to_char({column}, 'MM-DD')"
        return f"substr({column}, 6, 5)"

    def year_of(self, column: str) -> str:
        if self.pg:
            return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
        return f"CAST(strftime('%Y', {column}) AS INTEGER)"

    @staticmethod
    def text(expr: str) -> str:
        return f"CAST({expr} AS TEXT)"

    def words(self, template: str, **exprs: str) -> str:
        """``template`` (see ``words``) as SQL concatenation of its text and ``exprs``."""
        parts = []
        for literal, name, _, _ in string.Formatter().parse(template):
            if literal:
                parts.append("'" + literal.replace("'", "''") + "'")
            if name is not None:
                parts.append(self.text(exprs[name]))
        return "(" + " || ".join(parts) + ")"

    def only_member(self, column: str) -> str:
        return f" AND {column} = {{member}}" if self.member_id is not None else ""

    def birthday_today(self, column: str) -> str:
        md = self.month_day(column)
        return f"({md} = {{md}} OR ({{feb28}} = 1 AND {md} = '02-29'))"

    # ------------------------------------------------------------ the statements

    def history(self) -> str:
        """CTEs: every purchase before the day with its local day and coverage; per member the
        first and last days and the last store; the run-out day with carry-over. (Sums are
        cast to BIGINT: PostgreSQL's SUM of a bigint is numeric, whose division is not the
        integer division the rules use.)"""
        return f"""
        cover AS (
            SELECT l.purchase_id, CAST(SUM(l.quantity * pr.days_per_unit) AS BIGINT) AS c
            FROM purchase_line l JOIN product pr ON pr.id = l.product_id
            WHERE pr.days_per_unit IS NOT NULL
            GROUP BY l.purchase_id
        ),
        bought AS (
            SELECT p.id, p.member_id, p.store_id, {self.day_of("p.created_at")} AS d,
                   COALESCE(cv.c, 0) AS c
            FROM purchase p LEFT JOIN cover cv ON cv.purchase_id = p.id
            WHERE p.created_at < {{start}}{self.only_member("p.member_id")}
        ),
        ordered AS (
            -- One sort, by member and time: every window below shares it.
            SELECT member_id, d, c,
                   CAST(SUM(c) OVER (PARTITION BY member_id ORDER BY d, id
                                     ROWS UNBOUNDED PRECEDING) AS BIGINT) AS p,
                   LAST_VALUE(store_id) OVER (PARTITION BY member_id ORDER BY d, id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_store
            FROM bought
        ),
        totals AS (
            -- Per member, over the covered purchases: n, the days between the first and the
            -- last (a), the coverage bought before the last (b: the running sum before it,
            -- the largest such as the sum only grows), and all of it (s).
            SELECT member_id, d, c, p, last_store,
                   SUM(CASE WHEN c > 0 THEN 1 ELSE 0 END) OVER w AS n,
                   MAX(CASE WHEN c > 0 THEN d END) OVER w - MIN(CASE WHEN c > 0 THEN d END) OVER w
                       AS a,
                   MAX(CASE WHEN c > 0 THEN p - c END) OVER w AS b,
                   MAX(p) OVER w AS s
            FROM ordered
            WINDOW w AS (PARTITION BY member_id)
        ),
        paced AS (
            SELECT member_id, d, c, p, s, n, last_store,
                   CASE WHEN n >= {callbacks.OBSERVED_FROM} AND a > 0 THEN 1 ELSE 0 END AS observed,
                   CASE WHEN n < {callbacks.OBSERVED_FROM} OR a = 0 THEN 1
                        WHEN a * 2 < b THEN 1 WHEN a > b * 2 THEN 2 ELSE a END AS num,
                   CASE WHEN n < {callbacks.OBSERVED_FROM} OR a = 0 THEN 1
                        WHEN a * 2 < b THEN 2 WHEN a > b * 2 THEN 1 ELSE b END AS den
            FROM totals
        ),
        summary AS (
            -- r: max over covered purchases k of d_k + (c_k + ... + c_n) x num / den, as
            -- one integer division; null for a member with no covered purchase.
            SELECT member_id, MIN(d) AS first_d, MAX(d) AS last_d, MAX(last_store) AS last_store,
                   MAX(n) AS n, MAX(observed) AS observed, MAX(num) AS num, MAX(den) AS den,
                   MAX(CASE WHEN c > 0 THEN d * den + (s - p + c) * num END) / MAX(den) AS r
            FROM paced GROUP BY member_id
        ),
        since AS (
            SELECT DISTINCT p.member_id FROM purchase p WHERE p.created_at >= {{start}}
        )"""

    def tasks(self) -> str:
        ends = self.iso("s.r")
        estimate = (
            f"CASE WHEN s.observed = 1 THEN "
            f"{self.words(words.ESTIMATE_OBSERVED, purchases='s.n', num='s.num', den='s.den')}"
            f" ELSE {self.words(words.ESTIMATE_LABEL, purchases='s.n')} END"
        )
        run_out = self.words(words.RUN_OUT, ends=ends, estimate=estimate)
        lapsed = self.words(words.LAPSED, ends=ends, days="{d} - s.r", estimate=estimate)
        first = self.words(
            words.FIRST_PURCHASE, days="{d} - sm.first_d", first=self.iso("sm.first_d")
        )
        birthday_closes = self.date_of("{d} + {birthday_window}")
        # The home store; without one, the store of the last purchase.
        store = "COALESCE(m.home_store_id, s.last_store)"
        store_sm = "COALESCE(m.home_store_id, sm.last_store)"
        return f"""
        INSERT INTO callback_task
            (member_id, kind, status, store_id, due_on, occasion, reason, runs_out_on,
             open_until, closed_at, created_at)
        WITH {self.history()}
        SELECT member_id, kind, status, store_id, {{day}}, occasion, reason, runs_out_on,
               open_until, closed_at, {{now}}
        FROM (
            SELECT m.id AS member_id,
                   CASE WHEN {{d}} < s.r THEN '{Kind.RUN_OUT}' ELSE '{Kind.LAPSED}' END AS kind,
                   {store} AS store_id, {ends} AS occasion,
                   CASE WHEN {{d}} < s.r THEN {run_out} ELSE {lapsed} END AS reason,
                   {self.date_of("s.r")} AS runs_out_on,
                   CASE WHEN {{d}} < s.r THEN {self.date_of("s.r + {lapsed} - 1")} END
                       AS open_until,
                   -- Made late (catching up), or the member bought between midnight and the
                   -- morning run: already moot, so born CLOSED.
                   CASE WHEN since.member_id IS NULL THEN 'OPEN' ELSE 'CLOSED' END AS status,
                   CASE WHEN since.member_id IS NOT NULL THEN {{now}} END AS closed_at
            FROM summary s JOIN member m ON m.id = s.member_id
                 LEFT JOIN since ON since.member_id = m.id
            WHERE (s.r - {{lead}} <= {{d}} AND {{d}} < s.r)
               OR (s.r + {{lapsed}} <= {{d}} AND {{d}} < s.r + {{lapsed}} + {{lapsed_window}}
                   AND s.last_d < s.r)
            UNION ALL
            SELECT m.id, '{Kind.FIRST_PURCHASE}', {store_sm}, {self.iso("sm.first_d")}, {first},
                   NULL, {self.date_of("sm.first_d + {first_open}")}, 'OPEN', NULL
            FROM summary sm JOIN member m ON m.id = sm.member_id
            WHERE sm.first_d + {{first_call}} <= {{d}} AND {{d}} <= sm.first_d + {{first_open}}
            UNION ALL
            SELECT m.id, '{Kind.BIRTHDAY}', {store_sm},
                   'member:' || {self.text("{year}")},
                   {self.words(words.MEMBER_BIRTHDAY, name="m.name")}, NULL, {birthday_closes},
                   'OPEN', NULL
            FROM member m LEFT JOIN summary sm ON sm.member_id = m.id
            WHERE m.birthday IS NOT NULL AND {self.birthday_today("m.birthday")}
                  {self.only_member("m.id")}
            UNION ALL
            SELECT m.id, '{Kind.BIRTHDAY}', {store_sm},
                   'baby:' || {self.text("b.id")} || ':' || {self.text("{year}")},
                   {
            self.words(
                words.BABY_BIRTHDAY, name="b.name", age="{year} - " + self.year_of("b.birthday")
            )
        },
                   NULL, {birthday_closes}, 'OPEN', NULL
            FROM baby b JOIN member m ON m.id = b.member_id
                 LEFT JOIN summary sm ON sm.member_id = m.id
            WHERE {self.birthday_today("b.birthday")} AND b.birthday < {{day}}
                  {self.only_member("m.id")}
        ) AS candidates
        -- Someone to call them, and they did not ask us not to.
        WHERE store_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM callback_task x
                          WHERE x.member_id = candidates.member_id AND x.outcome = 'DECLINED')
        ON CONFLICT DO NOTHING"""

    def close_expired(self) -> str:
        return f"""
        UPDATE callback_task SET status = 'CLOSED', closed_at = {{now}}
        WHERE status = 'OPEN' AND open_until < {{day}}{self.only_member("member_id")}"""

    def celebrating(self) -> str:
        """CTEs: the members whose own birthday is the day, with the store to collect at."""
        return f"""
        celebrating AS (
            SELECT m.id, m.name, m.home_store_id FROM member m
            WHERE m.birthday IS NOT NULL AND {self.birthday_today("m.birthday")}
                  {self.only_member("m.id")}
        ),
        last_store AS (
            SELECT member_id, store_id FROM (
                SELECT p.member_id, p.store_id,
                       ROW_NUMBER() OVER (PARTITION BY p.member_id
                                          ORDER BY {self.day_of("p.created_at")} DESC, p.id DESC)
                           AS rn
                FROM purchase p JOIN celebrating ce ON ce.id = p.member_id
                WHERE p.created_at < {{start}}
            ) AS x WHERE rn = 1
        )"""

    def vouchers(self) -> str:
        return f"""
        INSERT INTO voucher (member_id, kind, occasion, product_id, store_id, status, issued_at,
                             valid_until)
        WITH {self.celebrating()}
        SELECT ce.id, 'BIRTHDAY',
               'birthday:' || {self.text("ce.id")} || ':' || {self.text("{year}")},
               pr.id, COALESCE(ce.home_store_id, ls.store_id), 'ISSUED', {{now}},
               {self.date_of("{d} + {voucher_days}")}
        FROM celebrating ce JOIN product pr ON pr.sku = {{sku}}
             LEFT JOIN last_store ls ON ls.member_id = ce.id
        WHERE true
        ON CONFLICT DO NOTHING"""

    def messages(self) -> str:
        greeting = self.words(words.BIRTHDAY_GREETING, name="ce.name")
        gift = words.BIRTHDAY_GIFT.format(days=callbacks.BIRTHDAY_VOUCHER_DAYS)
        body = f"{greeting} || '{gift}'" if self.settings.gift_sku else greeting
        return f"""
        INSERT INTO message (member_id, topic, body, status, attempts, key, next_attempt_at,
                             created_at)
        WITH {self.celebrating()}
        SELECT ce.id, 'BIRTHDAY', {body}, 'QUEUED', 0,
               'BIRTHDAY:' || {self.text("ce.id")} || ':' || {self.text("{year}")}, {{now}}, {{now}}
        FROM celebrating ce
        WHERE true
        ON CONFLICT DO NOTHING"""


def _pg_type(value: object) -> str:
    if isinstance(value, bool | int):
        return "bigint"
    if isinstance(value, datetime):
        return "timestamptz"
    if isinstance(value, date):
        return "date"
    return "text"


def _sqlite_instant(instant: datetime) -> str:
    """As tortoise stores a timestamp in SQLite (UTC ``isoformat``, microseconds left out when
    0), so that comparing the text compares the instants: '16:00:00+00:00' sorts before
    '16:00:00.000000+00:00', which would count a purchase at midnight on the day before."""
    return instant.astimezone(UTC).isoformat(sep=" ")


async def days_made(since: date) -> set[date]:
    """The days from ``since`` on whose tasks have been made."""
    conn = connections.get("default")
    pg = conn.capabilities.dialect == "postgres"
    _, rows = await conn.execute_query(
        "SELECT day FROM callback_day WHERE day >= " + ("$1" if pg else "?"),
        [since if pg else since.isoformat()],
    )
    return {r[0] if isinstance(r[0], date) else date.fromisoformat(r[0]) for r in rows}


async def generate_due(
    now: datetime, settings: Settings, hour: int, catch_up: int = 7
) -> list[Generated]:
    """Make every day due at ``now`` (see ``days_due``); a fresh database starts with today."""
    zone = settings.zone()
    local_today = now.astimezone(zone).date()
    # One read: whether any day was ever made and which recent ones were must agree (a
    # second read could see another worker's first day and catch up a week before it).
    made = await days_made(callbacks.FIRST_DAY)
    if not made:
        catch_up = 1
    made = {d for d in made if d >= local_today - timedelta(days=catch_up)}
    return [
        await generate_day(day, settings, now) for day in days_due(now, zone, hour, made, catch_up)
    ]


def seconds_to_next_run(now: datetime, zone: ZoneInfo, hour: int) -> float:
    """Until the next ``hour`` o'clock in ``zone`` after ``now``."""
    local = now.astimezone(zone)
    run = datetime.combine(local.date(), time(hour), tzinfo=zone)
    if run <= local:
        run = datetime.combine(local.date() + timedelta(days=1), time(hour), tzinfo=zone)
    return (run.astimezone(UTC) - now.astimezone(UTC)).total_seconds()


def days_due(
    now: datetime, zone: ZoneInfo, hour: int, made: set[date], catch_up: int
) -> list[date]:
    """The days to make at ``now``, oldest first: today once its morning hour has come, and the
    days of the last ``catch_up`` after the latest one made (the worker was down)."""
    local = now.astimezone(zone)
    last = local.date() if local.hour >= hour else local.date() - timedelta(days=1)
    latest = max((d for d in made if d <= last), default=None)
    days = [last - timedelta(days=i) for i in range(catch_up)]
    return sorted(d for d in days if latest is None or d > latest)
