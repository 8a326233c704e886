"""The counter's serial-code field in Chromium at 360 px: codes typed as a barcode scanner types
them (the code, then Enter), refused at once when malformed, removable, sent with the sale,
and each code's state shown after recording, in English and Chinese."""

import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from domain.seed import ADMIN_PASSWORD, ADMIN_PHONE, member_phone
from tests.browser.app_page import WAIT_MS, StoreApp
from tests.browser.conftest import PHONE
from tests.e2e.demo import clerk_token, create_distributor, token
from tests.e2e.server import ROOT, o2o_run

pytestmark = pytest.mark.browser

DOCS_SCREENSHOT = ROOT / "docs" / "store-app-serials.png"
IN_TERRITORY = "BRW-00000001"  # shipped by NORTH to GZ-TH01, where the sale is
DIVERTED = "BRW-00000002"  # shipped by SOUTH to GZ-ZJ02, outside NORTH's territory
NEVER_SHIPPED = "BRW-00000099"


async def test_scanned_codes_go_with_the_sale_and_their_states_are_shown(
    page, store_server, screenshots, tmp_path: Path
):
    server = store_server
    await create_distributor(server, "NORTH", ["GZ-TH01"])
    await create_distributor(server, "SOUTH", ["GZ-ZJ02"])
    shipped = tmp_path / "browser-shipments.csv"
    shipped.write_text(
        "distributor,store,product,serial\n"
        f"NORTH,GZ-TH01,FORMULA-S1,{IN_TERRITORY}\n"
        f"SOUTH,GZ-ZJ02,FORMULA-S1,{DIVERTED}\n"
    )
    run = o2o_run(["shipments", "import", str(shipped)], server.env)
    assert run.returncode == 0, run.stderr
    assert "2 codes recorded" in run.stdout, run.stdout
    clerk = await clerk_token(server, 1)
    products = (await server.graphql("{ products { id sku } }", token=clerk))["data"]["products"]
    formula = next(p for p in products if p["sku"] == "FORMULA-S1")

    await page.set_viewport_size(PHONE)
    app = await StoreApp(page, server).signed_in_as_clerk(1)
    await page.get_by_role("tab", name=re.compile("Counter")).click()
    counter = page.locator("#counter")
    await counter.locator("input[name=member-phone]").fill(member_phone(1))
    await counter.get_by_role("button", name="Find member").click()
    await expect(counter.locator(".points-balance")).to_be_visible(timeout=WAIT_MS)
    await counter.locator("select[name=product]").select_option(formula["id"])
    await counter.locator("input[name=quantity]").fill("3")
    await counter.get_by_role("button", name="Add").click()

    # The scanner is a keyboard: it types into the focused field and ends with Enter, and
    # the field keeps the focus from one code to the next.
    await counter.locator("input[name=serial]").click()
    for code in ["brw 1", IN_TERRITORY.lower(), "REMOVE-ME-01", DIVERTED, NEVER_SHIPPED]:
        await page.keyboard.type(code)
        await page.keyboard.press("Enter")
        if code == "brw 1":
            await expect(counter.locator(".serial-error")).to_have_text(
                "BRW 1 is not a unit code: 8 to 40 of A\N{EN DASH}Z, 0\N{EN DASH}9 and '-'."
            )
    await page.keyboard.type(DIVERTED)
    await page.keyboard.press("Enter")
    await expect(counter.locator(".serial-error")).to_have_text(f"{DIVERTED} is scanned already.")
    await counter.get_by_role("button", name="Remove REMOVE-ME-01").click()
    listed = counter.locator(".serials li")
    await expect(listed).to_have_count(3)
    assert [await li.get_attribute("data-code") for li in await listed.all()] == [
        IN_TERRITORY,
        DIVERTED,
        NEVER_SHIPPED,
    ]
    await expect(counter.locator("h3", has_text="Unit codes")).to_have_text("Unit codes (3)")

    await counter.get_by_role("button", name="Record sale").click()
    await expect(counter.locator(".counter-result.ok")).to_contain_text(
        "Sale recorded", timeout=WAIT_MS
    )
    states = counter.locator(".serial-states li")
    await expect(states).to_have_count(3)
    await expect(states.nth(0)).to_have_text(f"{IN_TERRITORY} in order")
    await expect(states.nth(1)).to_have_text(
        f"{DIVERTED} diverted: sold outside its distributor's territory"
    )
    await expect(states.nth(2)).to_have_text(f"{NEVER_SHIPPED} unknown code: never shipped")
    await expect(counter.locator(".serials li")).to_have_count(0)  # the next sale starts empty
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the counter scrolls sideways at 360 px: {width} px wide"
    await page.screenshot(path=DOCS_SCREENSHOT, full_page=True)

    await page.click("#lang")
    await expect(states.nth(0)).to_have_text(f"{IN_TERRITORY} 正常")
    await expect(states.nth(1)).to_have_text(
        f"{DIVERTED} 串货\N{FULLWIDTH COLON}在经销商区域外销售"
    )
    await expect(states.nth(2)).to_have_text(f"{NEVER_SHIPPED} 未知码\N{FULLWIDTH COLON}未发货登记")
    await page.screenshot(path=screenshots / "store-phone-serials-zh.png", full_page=True)

    # What the app showed is what the server recorded.
    admin = await token(server, ADMIN_PHONE, ADMIN_PASSWORD, "ADMIN")
    alerts = await server.graphql(
        "{ diversionAlerts { edges { node { serial kind } } } }", token=admin
    )
    found = {
        (e["node"]["serial"], e["node"]["kind"]) for e in alerts["data"]["diversionAlerts"]["edges"]
    }
    assert found == {(DIVERTED, "DIVERTED"), (NEVER_SHIPPED, "UNKNOWN_SERIAL")}
    await expect(app.connection).to_have_attribute("data-state", "live")
