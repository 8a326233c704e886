"""`o2o shipments import FILE.csv` run as a process against a served demo database."""

from pathlib import Path

from tests.e2e.demo import counter_sale, create_distributor
from tests.e2e.server import Server, o2o_run
from tests.e2e.test_observability import sample, scrape

LINES = [
    "distributor,store,product,serial",
    "NORTH,GZ-TH01,FORMULA-S1,IMP-00000001",
    "NORTH,GZ-TH01,FORMULA-S1,IMP-00000002",
    "NORTH,GZ-TH01,WIPES-6X80,IMP-00000003",
    "NORTH,GZ-TH01,FORMULA-S1,imp 4",
    "NORTH,GZ-TH01,FORMULA-S1,IMP-00000001",
    "WEST,GZ-TH01,FORMULA-S1,IMP-00000005",
    "NORTH,GZ-XX99,FORMULA-S1,IMP-00000006",
    "NORTH,GZ-TH01,NO-SUCH-SKU,IMP-00000007",
    "NORTH,GZ-ZJ02,FORMULA-S1,IMP-00000008",
    "NORTH,GZ-TH01",
    "",
]


async def test_a_csv_file_is_recorded_once_with_each_rejected_line_named(
    server: Server, tmp_path: Path
):
    await create_distributor(server, "NORTH", ["GZ-TH01"])
    path = tmp_path / "north-2026-12.csv"
    # With the BOM Excel writes for "CSV UTF-8", and Windows line ends.
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(LINES).encode())

    first = o2o_run(["shipments", "import", str(path)], server.env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "north-2026-12.csv: 3 codes recorded in 2 shipments",
        "7 rejected",
        "  line 5: imp 4: malformed code: not 8 to 40 characters of A-Z, 0-9 and '-'",
        "  line 6: IMP-00000001: repeat: given earlier in the file",
        "  line 7: IMP-00000005: unknown distributor 'WEST'",
        "  line 8: IMP-00000006: unknown store 'GZ-XX99'",
        "  line 9: IMP-00000007: unknown product 'NO-SUCH-SKU'",
        "  line 10: IMP-00000008: store GZ-ZJ02 is outside NORTH's territory",
        "  line 11: NORTH,GZ-TH01: not 4 fields",
    ]
    assert "[####################] 3/3 codes recorded" in first.stderr

    again = o2o_run(["shipments", "import", str(path)], server.env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[:3] == [
        "north-2026-12.csv: 0 codes recorded in 0 shipments",
        "3 codes recorded by an earlier run of this file",
        "7 rejected",
    ]

    # The recorded codes are the shipped units the counter's scan checks.
    sale = await counter_sale(server, 1, ["IMP-00000001", "IMP-00000009"], "import-sale-1")
    assert [(s["code"], s["kind"]) for s in sale["serials"]] == [
        ("IMP-00000001", None),
        ("IMP-00000009", "UNKNOWN_SERIAL"),
    ]
    metrics = (await scrape(server)).text
    assert sample(metrics, "o2o_diversion_alerts", kind="UNKNOWN_SERIAL", status="OPEN") == 1
    assert sample(metrics, "o2o_diversion_alerts", kind="DIVERTED", status="OPEN") == 0


async def test_a_file_that_is_not_utf8_is_refused_whole(server: Server, tmp_path: Path):
    await create_distributor(server, "NORTH", ["GZ-TH01"])
    path = tmp_path / "gbk.csv"
    text = "distributor,store,product,serial\nNORTH,GZ-TH01,FORMULA-S1,GBK-00000001\n"
    path.write_bytes((text + "NORTH,GZ-TH01,FORMULA-S1,天河-00000002\n").encode("gb18030"))

    run = o2o_run(["shipments", "import", str(path)], server.env)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.splitlines() == [
        f"o2o: {path} is not UTF-8 (line 3: byte 0xCC); save it as UTF-8 CSV and run"
        " again. Nothing was recorded."
    ]
    sale = await counter_sale(server, 1, ["GBK-00000001"], "gbk-sale-1")
    assert sale["serials"][0]["kind"] == "UNKNOWN_SERIAL"
