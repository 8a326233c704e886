"""The store app as a test drives it: sign in, find an offer's card, read the connection."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Locator, Page, expect

from domain.seed import STAFF_PASSWORD
from tests.e2e.demo import clerk_phone
from tests.e2e.server import Server

# Generous for a loaded 2-core machine; each wait still ends as soon as its condition holds.
WAIT_MS = 15_000


class StoreApp:
    def __init__(self, page: Page, server: Server) -> None:
        self.page = page
        self.server = server

    async def open(self) -> None:
        await self.page.goto(f"{self.server.url}/store")

    async def sign_in(self, phone: str, password: str = STAFF_PASSWORD) -> None:
        await self.page.fill("#login-form input[name=phone]", phone)
        await self.page.fill("#login-form input[name=password]", password)
        await self.page.click("#login-form button[type=submit]")

    async def signed_in_as_clerk(self, store: int) -> StoreApp:
        await self.open()
        await self.sign_in(clerk_phone(store))
        await self.expect_connection("live")
        return self

    @property
    def connection(self) -> Locator:
        return self.page.locator("#connection")

    async def expect_connection(self, state: str) -> None:
        await expect(self.connection).to_have_attribute("data-state", state, timeout=WAIT_MS)

    def offer(self, order: dict[str, Any]) -> Locator:
        return self.page.locator(f".offer[data-number='{order['number']}']")

    def delivery(self, order: dict[str, Any]) -> Locator:
        return self.page.locator(f".delivery[data-number='{order['number']}']")

    def notice(self, kind: str) -> Locator:
        return self.page.locator(f"#notices .notice[data-kind='{kind}']")

    async def remaining_ms(self, order: dict[str, Any]) -> int:
        value = await self.offer(order).locator(".countdown").get_attribute("data-remaining-ms")
        assert value is not None
        return int(value)

    async def beeps(self) -> int:
        return int(await self.page.evaluate("Number(document.body.dataset.beeps || 0)"))
