"""The call-back tasks in Chromium at 360 px: the day's list made by callbackTasksGenerate for
a member who bought, a call recorded with a note (checked through the API), and the morning
slip at receipt width (58 mm) in print media, in Chinese."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from domain.seed import ADMIN_PASSWORD, ADMIN_PHONE
from tests.browser.app_page import WAIT_MS, StoreApp
from tests.browser.conftest import PHONE
from tests.e2e.demo import clerk_token, token
from tests.e2e.server import ROOT

pytestmark = pytest.mark.browser

DOCS = ROOT / "docs"
REGISTER = """
mutation($input: MemberRegisterInput!) {
  memberRegister(input: $input) { member { id } errors { code message } }
}"""
SALE = """
mutation($input: PurchaseRecordInput!) {
  purchaseRecord(input: $input) { entry { id } errors { code message } }
}"""
GENERATE = "mutation($day: Date!) { callbackTasksGenerate(day: $day) { created errors { code } } }"
TASKS = """
query($day: Date) {
  callbackTasks(dueOn: $day, first: 100) {
    edges { node { kind status outcome note doneBy { name } member { name } } }
  }
}"""
# 58 mm at CSS's 96 px per inch.
SLIP_PX = 58 / 25.4 * 96


async def test_the_tasks_tab_and_the_morning_slip(browser, store_server):
    server = store_server
    clerk = await clerk_token(server, 2)
    admin = await token(server, ADMIN_PHONE, ADMIN_PASSWORD, "ADMIN")
    name = "Zhou Xiaomei"
    registered = await server.graphql(
        REGISTER,
        {"input": {"phone": "13912345678", "password": "secret-pass-1", "name": name}},
        clerk,
    )
    member = registered["data"]["memberRegister"]
    assert member["errors"] == [], member
    products = (await server.graphql("{ products { id } }"))["data"]["products"]
    sale = await server.graphql(
        SALE,
        {
            "input": {
                "memberId": member["member"]["id"],
                "lines": [{"productId": products[0]["id"], "quantity": 1}],
                "idempotencyKey": "tasks-browser-1",
            }
        },
        clerk,
    )
    assert sale["data"]["purchaseRecord"]["errors"] == [], sale
    # Three days after the first purchase: the FIRST_PURCHASE call.
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    day = (today + timedelta(days=3)).isoformat()
    made = await server.graphql(GENERATE, {"day": day}, admin)
    assert made["data"]["callbackTasksGenerate"]["errors"] == [], made
    assert made["data"]["callbackTasksGenerate"]["created"] >= 1

    context = await browser.new_context(viewport=PHONE, locale="en-US")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        await StoreApp(page, server).signed_in_as_clerk(2)
        await page.get_by_role("tab", name=re.compile("Tasks")).click()
        pane = page.locator("#tasks")
        await pane.locator("input[name=task-day]").fill(day)
        card = pane.locator("article.task", has_text=name)
        await expect(card).to_have_count(1, timeout=WAIT_MS)
        await expect(card.locator(".kind")).to_have_text("First purchase")
        await expect(card.locator("a.call")).to_have_attribute("href", "tel:13912345678")
        for label in ("Reached", "No answer", "Wrong number", "Declined"):
            await expect(card.get_by_role("button", name=label)).to_be_visible()
        await card.locator("textarea[name=note]").fill("Baby likes it; call again next month")
        await page.screenshot(path=DOCS / "store-app-tasks.png", full_page=True)

        await card.get_by_role("button", name="Reached").click()
        await expect(card).to_have_attribute("data-status", "DONE", timeout=WAIT_MS)
        await expect(card.locator(".done-as")).to_have_text(
            "Reached — Baby likes it; call again next month"
        )
        listed = await server.graphql(TASKS, {"day": day}, clerk)
        ours = [
            e["node"]
            for e in listed["data"]["callbackTasks"]["edges"]
            if e["node"]["member"]["name"] == name
        ]
        assert len(ours) == 1
        assert ours[0]["kind"] == "FIRST_PURCHASE"
        assert ours[0]["status"] == "DONE"
        assert ours[0]["outcome"] == "REACHED"
        assert ours[0]["note"] == "Baby likes it; call again next month"
        assert ours[0]["doneBy"] is not None

        # The slip, in Chinese, as the printer gets it.
        await page.click("#lang")
        await pane.get_by_role("button", name="打印回访单").click()
        slip = pane.locator(".slip")
        await expect(slip).to_contain_text("回访任务单", timeout=WAIT_MS)
        await expect(slip).to_contain_text(name)
        await expect(slip).to_contain_text("首次购买")
        await page.emulate_media(media="print")
        box = await slip.bounding_box()
        assert box is not None
        assert abs(box["width"] - SLIP_PX) < 2, box
        for hidden in (".bar", ".tabs", ".task-tools"):
            assert not await page.locator(hidden).is_visible(), hidden
        await page.screenshot(path=DOCS / "store-app-slip.png", full_page=True)
    finally:
        await context.close()
    assert errors == [], f"script errors on the page: {errors}"
