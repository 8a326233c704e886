"""The store app in Chromium against one real demo server: sign-in, offers, answers, delivery."""

import asyncio
import re

import pytest
from playwright.async_api import WebSocketRoute, expect

from domain.seed import MEMBER_PASSWORD, member_phone
from tests.browser.app_page import WAIT_MS, StoreApp
from tests.browser.conftest import PHONE
from tests.e2e.demo import clerk_phone, order_now, place_order, token
from tests.e2e.server import poll

pytestmark = pytest.mark.browser

# Each test works at its own demo store so that they can share the module's server.


async def test_a_wrong_password_says_so_and_a_clerk_signs_in_and_out(page, store_server):
    app = StoreApp(page, store_server)
    await app.open()
    await app.sign_in(clerk_phone(2), "not-the-password")
    await expect(page.locator("#login-error")).to_have_text("Wrong phone or password.")
    await expect(page.locator("#work-view")).to_be_hidden()
    await app.sign_in(clerk_phone(2))
    await app.expect_connection("live")
    await expect(page.locator("#store-name")).to_contain_text("GZ-ZJ02")
    await page.reload()  # the token is kept for the browser session
    await app.expect_connection("live")
    await page.click("#logout")
    await expect(page.locator("#login-form")).to_be_visible()
    await expect(app.connection).to_have_attribute("data-state", "signed-out")


async def test_a_new_offer_rings_counts_down_and_is_accepted_and_delivered(page, store_server):
    app = await StoreApp(page, store_server).signed_in_as_clerk(3)
    beeps = await app.beeps()
    order = await place_order(store_server, 3, qty=2)
    card = app.offer(order)
    await expect(card).to_be_visible(timeout=WAIT_MS)
    await expect(card).to_have_class(re.compile(r"\bfresh\b"))
    assert await app.beeps() == beeps + 1
    await expect(card.locator(".lines")).to_have_text(
        "2 \N{MULTIPLICATION SIGN} Probiotic member pack"
    )
    await expect(card.locator(".address")).to_have_text("Flat 1, Beijing Rd 218, Yuexiu")
    await expect(card.locator(".distance")).to_have_text("1.1 km away")
    await expect(card.locator(".countdown")).to_have_text(re.compile(r"^(1:00:00|59:\d\d)$"))
    first = await app.remaining_ms(order)

    async def counted_down():
        return await app.remaining_ms(order) <= first - 1000

    await poll(counted_down, timeout=10)

    await card.locator("button.accept").click()
    await expect(card).to_be_hidden(timeout=WAIT_MS)
    await expect(app.notice("accepted")).to_contain_text(order["number"])
    assert (await order_now(store_server, order["id"]))["status"] == "ACCEPTED"
    delivery = app.delivery(order)
    await expect(delivery).to_have_attribute("data-status", "ACCEPTED", timeout=WAIT_MS)
    await delivery.get_by_role("button", name="Start delivery").click()
    await expect(delivery).to_have_attribute("data-status", "OUT_FOR_DELIVERY", timeout=WAIT_MS)
    assert (await order_now(store_server, order["id"]))["status"] == "OUT_FOR_DELIVERY"
    await delivery.get_by_role("button", name="Complete").click()
    await expect(delivery).to_be_hidden(timeout=WAIT_MS)
    assert (await order_now(store_server, order["id"]))["status"] == "DELIVERED"


async def test_a_declined_offer_records_the_reason_and_moves_on(page, store_server):
    app = await StoreApp(page, store_server).signed_in_as_clerk(4)
    order = await place_order(store_server, 4)
    card = app.offer(order)
    await card.locator("button.decline").click(timeout=WAIT_MS)
    await card.locator("input[name=reason]").fill("Freezer broken")
    await card.locator("button.confirm-decline").click()
    await expect(card).to_be_hidden(timeout=WAIT_MS)
    await expect(app.notice("declined")).to_contain_text(order["number"])
    offers = (await order_now(store_server, order["id"]))["offers"]
    assert offers[0] == {
        "status": "DECLINED",
        "reason": "Freezer broken",
        "store": {"code": "GZ-HZ04"},
    }
    assert all(offer["store"]["code"] != "GZ-HZ04" for offer in offers[1:])


async def test_an_offer_accepted_on_another_device_disappears_with_the_reason(
    browser, page, store_server
):
    app = await StoreApp(page, store_server).signed_in_as_clerk(7)
    order = await place_order(store_server, 7)
    await expect(app.offer(order)).to_be_visible(timeout=WAIT_MS)
    context = await browser.new_context(viewport=PHONE, locale="en-US")
    other = await StoreApp(await context.new_page(), store_server).signed_in_as_clerk(7)
    await other.offer(order).locator("button.accept").click(timeout=WAIT_MS)
    await expect(other.delivery(order)).to_be_attached(timeout=WAIT_MS)
    await context.close()
    await expect(app.offer(order)).to_be_hidden(timeout=WAIT_MS)
    notice = app.notice("withdrawn")
    await expect(notice).to_contain_text(f"Order #{order['number']} withdrawn")
    await expect(notice).to_contain_text("accepted on another device")
    await expect(app.delivery(order)).to_be_attached(timeout=WAIT_MS)


async def test_after_a_server_restart_the_pending_offers_come_back(page, store_server):
    app = await StoreApp(page, store_server).signed_in_as_clerk(5)
    orders = [await place_order(store_server, 5), await place_order(store_server, 5, qty=1)]
    for order in orders:
        await expect(app.offer(order)).to_be_visible(timeout=WAIT_MS)

    store_server.stop()
    await app.expect_connection("reconnecting")
    await expect(page.locator("#stale-banner")).to_be_visible()
    await expect(page.locator("#stale-banner")).to_contain_text("Connection lost")
    for order in orders:  # the last known state stays on screen, marked stale
        await expect(app.offer(order)).to_be_visible()
        await expect(app.offer(order).locator("button.accept")).to_be_disabled()

    await store_server.start()
    await app.expect_connection("live")
    await expect(page.locator("#stale-banner")).to_be_hidden()
    for order in orders:
        await expect(app.offer(order).locator("button.accept")).to_be_enabled()
    await app.offer(orders[0]).locator("button.accept").click()
    await expect(app.offer(orders[0])).to_be_hidden(timeout=WAIT_MS)
    assert (await order_now(store_server, orders[0]["id"]))["status"] == "ACCEPTED"


async def test_an_offer_that_ended_while_the_app_was_away_is_gone_after_it_reconnects(
    page, store_server
):
    """The replay brings back what is pending; what ended meanwhile must not linger."""
    sockets: list[WebSocketRoute] = []
    retried, let_through = asyncio.Event(), asyncio.Event()

    async def hold_reconnections(route):
        # The test's network: the first socket passes; later ones wait until it says so.
        if sockets:
            retried.set()
            await let_through.wait()
        sockets.append(route)
        route.connect_to_server()

    await page.route_web_socket(re.compile(r"/graphql$"), hold_reconnections)
    app = await StoreApp(page, store_server).signed_in_as_clerk(8)
    cancelled, kept = await place_order(store_server, 8), await place_order(store_server, 8)
    for order in (cancelled, kept):
        await expect(app.offer(order)).to_be_visible(timeout=WAIT_MS)
    await sockets[0].close()
    await app.expect_connection("reconnecting")
    await asyncio.wait_for(retried.wait(), WAIT_MS / 1000)
    member = await token(store_server, member_phone(8), MEMBER_PASSWORD)
    cancel = "mutation($id: ID!) { orderCancel(id: $id) { errors { code } } }"
    answer = await store_server.graphql(cancel, {"id": cancelled["id"]}, member)
    assert answer["data"]["orderCancel"]["errors"] == []
    await expect(app.offer(cancelled)).to_be_visible()  # nothing told the app yet
    let_through.set()
    await app.expect_connection("live")
    await expect(app.offer(cancelled)).to_be_hidden(timeout=WAIT_MS)
    await expect(app.offer(kept)).to_be_visible()


async def test_phone_and_desktop_layouts_and_the_chinese_labels(page, store_server, screenshots):
    await page.set_viewport_size(PHONE)
    app = await StoreApp(page, store_server).signed_in_as_clerk(6)
    accepted, waiting = (
        await place_order(store_server, 6),
        await place_order(store_server, 6, qty=3),
    )
    await app.offer(accepted).locator("button.accept").click(timeout=WAIT_MS)
    await expect(app.offer(accepted)).to_be_hidden(timeout=WAIT_MS)
    await expect(app.offer(waiting)).to_be_visible(timeout=WAIT_MS)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at 360 px: {width} px wide"
    await page.screenshot(path=screenshots / "store-phone-offers.png", full_page=True)
    await page.get_by_role("tab", name=re.compile("Deliveries")).click()
    await expect(app.delivery(accepted)).to_be_visible(timeout=WAIT_MS)
    await page.screenshot(path=screenshots / "store-phone-deliveries.png", full_page=True)

    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.get_by_role("tab", name=re.compile("Offers")).click()
    await expect(app.offer(waiting)).to_be_visible()
    await expect(app.delivery(accepted)).to_be_visible()  # side by side on a desktop
    await page.screenshot(path=screenshots / "store-desktop.png", full_page=True)

    await page.click("#lang")
    await expect(app.offer(waiting).locator("button.accept")).to_have_text("接单")
    await expect(app.connection).to_have_text("在线")
    await page.reload()  # the choice is remembered
    await expect(page.get_by_role("tab", name=re.compile("新订单"))).to_be_visible()
    await page.screenshot(path=screenshots / "store-desktop-zh.png", full_page=True)
