"""Offers whose window closes: withdrawn by the worker, or refused to a clerk who was too late."""

import pytest
from playwright.async_api import expect

from tests.browser.app_page import WAIT_MS, StoreApp
from tests.browser.conftest import PHONE
from tests.e2e.demo import order_now, place_order, running_server

pytestmark = pytest.mark.browser


async def test_an_offer_that_runs_out_is_withdrawn_and_goes_to_the_next_store(
    browser, page, backend, tmp_path
):
    async with running_server(backend, tmp_path, OFFER_TIMEOUT_SECONDS="4") as server:
        zhujiang = await StoreApp(page, server).signed_in_as_clerk(2)
        context = await browser.new_context(viewport=PHONE, locale="en-US")
        tianhe = await StoreApp(await context.new_page(), server).signed_in_as_clerk(1)
        order = await place_order(server, 2)  # 0.9 km from Tianhe, inside its radius too
        await expect(zhujiang.offer(order)).to_be_visible(timeout=WAIT_MS)
        await expect(tianhe.offer(order)).to_be_attached(timeout=WAIT_MS)
        await expect(zhujiang.offer(order)).to_be_hidden(timeout=WAIT_MS)
        notice = zhujiang.notice("withdrawn")
        await expect(notice).to_contain_text(f"Order #{order['number']} withdrawn")
        await expect(notice).to_contain_text("the time to accept ran out")
        await context.close()


async def test_accepting_an_offer_that_has_just_expired_says_it_was_taken_away(
    page, backend, tmp_path
):
    # Without a worker nothing withdraws the offer: the clerk's tap is the first to find it late.
    async with running_server(
        backend, tmp_path, "--no-worker", OFFER_TIMEOUT_SECONDS="2"
    ) as server:
        app = await StoreApp(page, server).signed_in_as_clerk(3)
        order = await place_order(server, 3)
        card = app.offer(order)
        await expect(card.locator(".countdown")).to_have_text("time is up", timeout=WAIT_MS)
        await card.locator("button.accept").click()
        await expect(app.notice("taken")).to_contain_text(
            f"Order #{order['number']} was taken away"
        )
        await expect(card).to_be_hidden()
        seen = await order_now(server, order["id"])
        assert (seen["status"], seen["offers"][0]["status"]) == ("PENDING", "PENDING")
