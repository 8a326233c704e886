"""The morning slip: 32 columns with Chinese counted two wide, the ESC/POS bytes (GB18030)
through python-escpos's Dummy and File printers, and ``o2o storeapp tasks`` against a real
server (the list, the slip, and the slip written to a File printer)."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from escpos.printer import Dummy, File, Network

from domain.seed import ADMIN_PASSWORD, ADMIN_PHONE, STAFF_PASSWORD
from storeapp.slip import (
    CHINESE_ON,
    COLUMNS,
    parse_printer,
    print_slip,
    slip_lines,
    width,
    wrap,
)
from storeapp.terminal import tasks
from tests.e2e.demo import clerk_phone, clerk_token, running_server, token

REASON = "首次购买后第3天回访（首次购买：2026-12-02），问问宝宝吃得习惯吗"
TASKS: list[dict[str, Any]] = [
    {
        "kind": "FIRST_PURCHASE",
        "status": "OPEN",
        "outcome": None,
        "reason": REASON,
        "member": {"name": "陈燕", "phone": "13900000012"},
    },
    {
        "kind": "RUN_OUT",
        "status": "DONE",
        "outcome": "REACHED",
        "reason": "Runs out on 2026-12-08: remind her to restock before the weekend",
        "member": {"name": "Zhou Xiaomei", "phone": "13912345678"},
    },
]


def test_chinese_characters_are_two_columns_wide():
    assert width("abc") == 3
    assert width("回访") == 4
    assert width("（：）") == 6  # full-width punctuation
    assert width("□√") == 4  # ambiguous: double-byte on a GB18030 printer


def test_a_reason_wraps_within_32_columns_and_loses_nothing():
    lines = wrap(REASON, indent="   ")
    assert all(width(line) <= COLUMNS for line in lines)
    assert all(line.startswith("   ") for line in lines)
    assert "".join(line.strip() for line in lines) == REASON
    english = wrap("remind her to restock before the weekend, kindly", 20)
    assert english == ["remind her to", "restock before the", "weekend, kindly"]
    assert wrap("x" * 40, 16) == ["x" * 16, "x" * 16, "x" * 8]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_slip_fits_the_receipt(lang):
    lines = slip_lines(TASKS, store="GZ-TH01 天河店", day="2026-12-05", lang=lang)
    assert all(width(line) <= COLUMNS for line in lines), [
        (width(line), line) for line in lines if width(line) > COLUMNS
    ]
    text = "\n".join(lines)
    assert "1. [首次购买] 陈燕" in text if lang == "zh" else "1. [First purchase] 陈燕" in text
    assert "13912345678" in text
    # The open task has boxes to tick; the called one says how it went.
    assert ("□接通 □未接 □错号 □拒访" if lang == "zh" else "□Reached") in text
    assert ("√ 已回访 接通" if lang == "zh" else "√ Called Reached") in text


def test_the_printer_gets_gb18030_in_chinese_mode_and_a_cut():
    printer = Dummy()
    lines = slip_lines(TASKS, store="GZ-TH01 天河店", day="2026-12-05")
    print_slip(printer, lines)
    out = printer.output
    assert out.startswith(b"\x1b@")  # ESC @: initialise
    assert out.index(CHINESE_ON) < out.index("回访任务单".encode("gb18030"))
    assert "回访任务单".encode("gb18030") == b"\xbb\xd8\xb7\xc3\xc8\xce\xce\xf1\xb5\xa5"
    assert "陈燕".encode("gb18030") in out
    assert "陈燕".encode() not in out  # not UTF-8
    assert out.endswith(b"\x1dV\x00")  # GS V 0: full cut


def test_a_device_file_or_a_network_printer():
    assert isinstance(parse_printer("/dev/usb/lp0"), File)
    network = parse_printer("192.168.1.50:9100")
    assert isinstance(network, Network)
    assert (network.host, network.port) == ("192.168.1.50", 9100)


@pytest.fixture(scope="module")
async def server(backend, tmp_path_factory):
    async with running_server(backend, tmp_path_factory.mktemp("slip")) as running:
        yield running


async def test_the_terminal_prints_the_days_tasks_and_the_slip(server, tmp_path):
    clerk = await clerk_token(server, 3)
    admin = await token(server, ADMIN_PHONE, ADMIN_PASSWORD, "ADMIN")
    registered = await server.graphql(
        "mutation($i: MemberRegisterInput!) { memberRegister(input: $i) "
        "{ member { id } errors { code } } }",
        {"i": {"phone": "13912340003", "password": "secret-pass-1", "name": "林小雨"}},
        clerk,
    )
    member = registered["data"]["memberRegister"]["member"]
    products = (await server.graphql("{ products { id } }"))["data"]["products"]
    sale = await server.graphql(
        "mutation($i: PurchaseRecordInput!) { purchaseRecord(input: $i) { errors { code } } }",
        {
            "i": {
                "memberId": member["id"],
                "lines": [{"productId": products[0]["id"], "quantity": 1}],
                "idempotencyKey": "slip-1",
            }
        },
        clerk,
    )
    assert sale["data"]["purchaseRecord"]["errors"] == []
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    day = (today + timedelta(days=3)).isoformat()
    made = await server.graphql(
        "mutation($d: Date!) { callbackTasksGenerate(day: $d) { created } }", {"d": day}, admin
    )
    assert made["data"]["callbackTasksGenerate"]["created"] >= 1

    def run(**options):
        out = io.StringIO()
        code = tasks(server.url, clerk_phone(3), STAFF_PASSWORD, day=day, out=out, **options)
        return code, out.getvalue()

    code, listing = await asyncio.to_thread(run)
    assert code == 0
    assert "FIRST_PURCHASE" in listing
    assert "林小雨" in listing
    assert "13912340003" in listing

    device = tmp_path / "lp0"
    code, slip = await asyncio.to_thread(run, slip=True, printer=str(device))
    assert code == 0
    lines = slip.splitlines()
    assert lines[0].strip() == "回访任务单"
    assert any("[首次购买] 林小雨" in line for line in lines)
    assert all(width(line) <= COLUMNS for line in lines)
    sent = device.read_bytes()
    assert CHINESE_ON in sent
    assert "林小雨".encode("gb18030") in sent
    assert sent.endswith(b"\x1dV\x00")

    # A printer that cannot be opened: said plainly, exit 1, no traceback.
    missing = tmp_path / "missing" / "lp0"
    code, _ = await asyncio.to_thread(run, printer=str(missing))
    assert code == 1
