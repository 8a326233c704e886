"""The counter (POS) in Chromium: find a member, record a sale, redeem a reward and a voucher.

Needs the loyalty operations (memberByPhone, purchaseRecord, pointsRedeem, voucherRedeem).
"""

import re

import pytest
from playwright.async_api import expect

from domain.seed import member_phone
from tests.browser.app_page import WAIT_MS, StoreApp
from tests.e2e.demo import clerk_token

pytestmark = pytest.mark.browser

MEMBER = """
query($phone: String!) {
  memberByPhone(phone: $phone) {
    id pointsBalance
    pointsHistory(first: 1) { edges { node { delta kind channel } } }
    vouchers(status: ISSUED) { id }
  }
}"""
CATALOGUE = "{ products { id name isMemberPack } rewards { id name pointsCost } }"


async def test_a_clerk_records_a_sale_and_redeems_a_reward_and_a_voucher(
    page, store_server, screenshots
):
    server = store_server
    clerk = await clerk_token(server, 1)
    phone = member_phone(1)  # home store GZ-TH01

    async def member():
        data = await server.graphql(MEMBER, {"phone": phone}, clerk)
        found = data["data"]["memberByPhone"]
        assert found is not None, data
        return found

    catalogue = (await server.graphql(CATALOGUE, token=clerk))["data"]
    pack = next(p for p in catalogue["products"] if p["isMemberPack"])
    reward = min(catalogue["rewards"], key=lambda r: r["pointsCost"])
    before = await member()

    app = await StoreApp(page, server).signed_in_as_clerk(1)
    await page.get_by_role("tab", name=re.compile("Counter")).click()
    counter = page.locator("#counter")
    await counter.locator("input[name=member-phone]").fill("13999999999")
    await counter.get_by_role("button", name="Find member").click()
    await expect(counter.locator(".counter-result")).to_have_text(
        "No member of this store has phone 13999999999.", timeout=WAIT_MS
    )

    await counter.locator("input[name=member-phone]").fill(phone)
    await counter.get_by_role("button", name="Find member").click()
    await expect(counter.locator(".points-balance")).to_have_text(
        str(before["pointsBalance"]), timeout=WAIT_MS
    )

    # Six member packs: points for the sale, and a "buy six, get one" voucher.
    await counter.locator("select[name=product]").select_option(pack["id"])
    await counter.locator("input[name=quantity]").fill("6")
    await counter.get_by_role("button", name="Add").click()
    await counter.get_by_role("button", name="Record sale").click()
    result = counter.locator(".counter-result.ok")
    await expect(result).to_contain_text("Sale recorded", timeout=WAIT_MS)
    sold = await member()
    entry = sold["pointsHistory"]["edges"][0]["node"]
    issued = len(sold["vouchers"]) - len(before["vouchers"])
    assert (entry["kind"], entry["delta"] > 0, issued >= 1) == ("PURCHASE", True, True)
    assert sold["pointsBalance"] == before["pointsBalance"] + entry["delta"]
    await expect(result).to_have_text(
        f"Sale recorded: +{entry['delta']} points (balance {sold['pointsBalance']}), "
        f"{issued} voucher(s) issued."
    )
    await expect(counter.locator(".points-balance")).to_have_text(str(sold["pointsBalance"]))
    await expect(counter.locator(".vouchers li")).to_have_count(len(sold["vouchers"]))
    await page.screenshot(path=screenshots / "store-counter.png", full_page=True)

    await counter.locator("select[name=reward]").select_option(reward["id"])
    await counter.get_by_role("button", name="Redeem reward").click()
    await expect(result).to_contain_text("Reward redeemed", timeout=WAIT_MS)
    redeemed = await member()
    entry = redeemed["pointsHistory"]["edges"][0]["node"]
    assert entry == {"delta": -reward["pointsCost"], "kind": "REDEMPTION", "channel": "STORE"}
    assert redeemed["pointsBalance"] == sold["pointsBalance"] - reward["pointsCost"]
    await expect(result).to_have_text(
        f"Reward redeemed: \N{MINUS SIGN}{reward['pointsCost']} points "
        f"(balance {redeemed['pointsBalance']})."
    )

    await counter.locator(".vouchers li .redeem-voucher").first.click()
    await expect(result).to_contain_text("Voucher used", timeout=WAIT_MS)
    used = await member()
    assert len(used["vouchers"]) == len(redeemed["vouchers"]) - 1
    await expect(counter.locator(".vouchers li")).to_have_count(len(used["vouchers"]))
    await expect(app.connection).to_have_attribute("data-state", "live")
