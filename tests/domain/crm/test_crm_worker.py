"""The morning run in the worker, the CLI and the CRM settings."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from api.runtime import crm_generation
from api.settings import CrmSettings, Settings, SettingsError
from api.worker import callbacks_forever
from domain.crm.models import CallbackDay
from realtime.clock import ManualClock


async def _until(check, seconds: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_two_workers_make_the_morning_once_when_the_hour_comes(db):
    # 22:59 UTC on 9 May is 06:59 on 10 May in Shanghai: 9 May is the last day due.
    clock = ManualClock(datetime(2026, 5, 9, 22, 59, tzinfo=UTC).timestamp())
    crm = CrmSettings()
    stop = asyncio.Event()
    workers = [
        asyncio.create_task(callbacks_forever(crm, stop, clock, max_idle=0.01)) for _ in range(2)
    ]
    try:
        await _until(lambda: CallbackDay.filter(day=date(2026, 5, 9)).exists())
        assert not await CallbackDay.filter(day=date(2026, 5, 10)).exists()
        clock.advance(60)  # 07:00 in Shanghai
        await _until(lambda: CallbackDay.filter(day=date(2026, 5, 10)).exists())
    finally:
        stop.set()
        await asyncio.gather(*workers)
    assert sorted(d.day for d in await CallbackDay.all()) == [date(2026, 5, 9), date(2026, 5, 10)]


def test_the_crm_settings_are_checked_with_a_clear_error():
    assert Settings.from_env({}).crm == CrmSettings()
    for name, value in [
        ("BRAND_TIMEZONE", "Mars/Olympus"),
        ("CALLBACK_HOUR", "24"),
        ("RUN_OUT_LEAD_DAYS", "-1"),
        ("LAPSED_AFTER_DAYS", "0"),
        ("FIRST_PURCHASE_CALL_DAYS", "6"),
        ("MESSAGE_MAX_ATTEMPTS", "0"),
        ("MESSAGE_WEBHOOK_URL", "ftp://x"),
    ]:
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value})
    crm = Settings.from_env(
        {"BIRTHDAY_GIFT_SKU": "gift-1", "CALLBACK_HOUR": "6", "MESSAGE_WEBHOOK_URL": "http://h/x"}
    ).crm
    assert (crm.birthday_gift_sku, crm.callback_hour) == ("GIFT-1", 6)
    assert crm_generation(crm).gift_sku == "GIFT-1"
    assert crm_generation(crm).rules.birthday_gift


def test_the_cli_makes_a_day_once(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}"}
    o2o = [sys.executable, "-m", "api.cli"]
    subprocess.run([*o2o, "migrate"], env=env, check=True, capture_output=True)
    first = subprocess.run(
        [*o2o, "tasks", "generate", "--day", "2026-05-10"], env=env, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    assert "5/5" in first.stdout
    assert "2026-05-10: 0 tasks" in first.stdout
    again = subprocess.run(
        [*o2o, "tasks", "generate", "--day", "2026-05-10"], env=env, capture_output=True, text=True
    )
    assert "made already" in again.stdout
    bad = subprocess.run(
        [*o2o, "tasks", "generate", "--day", "2101-01-01"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "between 2000-01-01 and 2100-12-31" in bad.stderr
