"""Demo data around Guangzhou; running it again changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from domain.access.passwords import hash_password
from domain.enums import MemberSource, StaffRole
from domain.loyalty import record_purchase
from domain.loyalty.models import Activity, Campaign
from domain.people.models import Admin, Member, Staff
from domain.principal import Principal, Role
from domain.stores.lines import Line
from domain.stores.models import Product, Reward, Store

ADMIN_PHONE = "13800000000"
ADMIN_PASSWORD = "admin-demo-1"
STAFF_PASSWORD = "staff-demo-1"
MEMBER_PASSWORD = "member-demo-1"
MEMBER_COUNT = 36

# code, name, address, latitude, longitude, service radius (km)
STORES = [
    ("GZ-TH01", "Tianhe Sports Centre", "Tianhe Rd 299, Tianhe", 23.1375, 113.3238, 4.0),
    ("GZ-ZJ02", "Zhujiang New Town", "Huaxia Rd 8, Tianhe", 23.1195, 113.3260, 3.0),
    ("GZ-YX03", "Beijing Road", "Beijing Rd 218, Yuexiu", 23.1255, 113.2690, 3.5),
    ("GZ-HZ04", "Kecun", "Xingang Middle Rd 388, Haizhu", 23.0930, 113.3230, 4.0),
    ("GZ-LW05", "Shangxiajiu", "Shangxiajiu Rd 90, Liwan", 23.1170, 113.2450, 3.0),
    ("GZ-BY06", "Baiyun Wanda", "Yuncheng East Rd 501, Baiyun", 23.1720, 113.2720, 5.0),
    ("GZ-PY07", "Shiqiao", "Qiaoxing Ave 333, Panyu", 22.9380, 113.3570, 5.0),
    ("GZ-HP08", "Dashadi", "Huangpu East Rd 3346, Huangpu", 23.1050, 113.4580, 4.5),
    ("GZ-UT09", "University Town", "Zhongsan Rd 36, Panyu", 23.0550, 113.3900, 4.0),
    ("GZ-HD10", "Huadu Xinhua", "Xinhua Rd 18, Huadu", 23.4040, 113.2200, 5.0),
]

# sku, name, price, member pack, points per yuan, days one unit lasts
PRODUCTS = [
    ("PROBIO-PACK", "Probiotic member pack", "198.00", True, "1", 30),
    ("FORMULA-S1", "Infant formula stage 1, 800 g", "268.00", True, "1", 7),
    ("FORMULA-S2", "Follow-on formula stage 2, 800 g", "258.00", True, "1", 7),
    ("DIAPER-M60", "Diapers size M, 60", "129.00", False, "1", 10),
    ("WIPES-6X80", "Baby wipes, 6 x 80", "49.90", False, "1", 14),
    ("DHA-DROPS", "Algal DHA drops", "158.00", False, "2", 30),
    ("RICE-CEREAL", "Organic rice cereal", "68.00", False, "1", 20),
]

# name, points cost
REWARDS = [
    ("Baby wipes travel pack", 100),
    ("Bath toy set", 500),
    ("Insulated milk bottle", 800),
    ("Stroller fan", 1200),
    ("Probiotic member pack", 3000),
]

# The demo's policies run from 2026 to the end of 2030, so that the demo shows them for a while.
POLICY_START = datetime(2026, 1, 1, tzinfo=UTC)
POLICY_END = datetime(2031, 1, 1, tzinfo=UTC)
CAMPAIGN = ("Zhujiang New Town opening: triple points", Decimal(3), "GZ-ZJ02")
ACTIVITY = ("Baby crawling contest", 50, Decimal("300.00"))
# Members 3-12 have bought already (so the ranking has rows): n-th member, SKU, quantity.
DEMO_SALES = [(n, "FORMULA-S1" if n % 2 else "DIAPER-M60", n - 1) for n in range(3, 13)]

SURNAMES = ["Chen", "Li", "Wang", "Zhang", "Liu", "Huang", "Zhou", "Wu", "Lin", "He", "Guo", "Luo"]
GIVEN = ["Xiaoyu", "Mei", "Jing", "Hao", "Yan", "Ting", "Wei", "Fang"]


@dataclass
class SeedReport:
    created: int = 0
    existing: int = 0

    def count(self, created: bool) -> None:
        if created:
            self.created += 1
        else:
            self.existing += 1


def staff_phone(store_index: int, role: StaffRole) -> str:
    return f"1380000{store_index:02d}{1 if role is StaffRole.MANAGER else 2:02d}"


def member_phone(n: int) -> str:
    return f"1390000{n:04d}"


async def seed_demo(progress: Callable[[str], object] = print) -> SeedReport:
    report = SeedReport()
    staff_hash = await hash_password(STAFF_PASSWORD)
    member_hash = await hash_password(MEMBER_PASSWORD)
    _, created = await Admin.get_or_create(
        phone=ADMIN_PHONE,
        defaults={"name": "Brand admin", "password_hash": await hash_password(ADMIN_PASSWORD)},
    )
    report.count(created)
    stores = []
    for i, (code, name, address, lat, lng, radius) in enumerate(STORES, start=1):
        store, created = await Store.get_or_create(
            code=code,
            defaults={
                "name": name,
                "address": address,
                "latitude": lat,
                "longitude": lng,
                "service_radius_km": radius,
            },
        )
        report.count(created)
        stores.append(store)
        for role in (StaffRole.MANAGER, StaffRole.CLERK):
            _, created = await Staff.get_or_create(
                phone=staff_phone(i, role),
                defaults={
                    "name": f"{name} {role.value.lower()}",
                    "role": role,
                    "store_id": store.id,
                    "password_hash": staff_hash,
                },
            )
            report.count(created)
    progress(f"stores and staff: {len(stores)} stores")
    for sku, name, price, pack, per_yuan, days in PRODUCTS:
        _, created = await Product.get_or_create(
            sku=sku,
            defaults={
                "name": name,
                "price": Decimal(price),
                "is_member_pack": pack,
                "points_per_yuan": Decimal(per_yuan),
                "days_per_unit": days,
            },
        )
        report.count(created)
    for name, cost in REWARDS:
        _, created = await Reward.get_or_create(name=name, defaults={"points_cost": cost})
        report.count(created)
    progress(f"catalogue: {len(PRODUCTS)} products, {len(REWARDS)} rewards")
    for n in range(1, MEMBER_COUNT + 1):
        store = stores[(n - 1) % len(stores)]
        _, created = await Member.get_or_create(
            phone=member_phone(n),
            defaults={
                "name": f"{SURNAMES[n % len(SURNAMES)]} {GIVEN[n % len(GIVEN)]}",
                "home_store_id": store.id,
                "source": MemberSource.STORE_CODE,
                "password_hash": member_hash,
            },
        )
        report.count(created)
    progress(f"members: {MEMBER_COUNT}")
    await _seed_loyalty(report)
    progress(f"loyalty: 1 campaign, 1 activity, {len(DEMO_SALES)} counter sales")
    return report


async def _seed_loyalty(report: SeedReport) -> None:
    name, multiplier, code = CAMPAIGN
    store = await Store.get(code=code)
    _, created = await Campaign.get_or_create(
        name=name,
        defaults={
            "multiplier": multiplier,
            "starts_at": POLICY_START,
            "ends_at": POLICY_END,
            "store_ids": [store.id],
        },
    )
    report.count(created)
    name, points, cost = ACTIVITY
    _, created = await Activity.get_or_create(
        name=name,
        defaults={"points": points, "cost": cost, "starts_at": POLICY_START, "ends_at": POLICY_END},
    )
    report.count(created)
    for n, sku, quantity in DEMO_SALES:
        member = await Member.get(phone=member_phone(n))
        clerk = await Staff.get(store_id=member.home_store_id, role=StaffRole.CLERK)
        product = await Product.get(sku=sku)
        # The key makes a second seed a repeat that writes nothing.
        sale = await record_purchase(
            Principal(Role.CLERK, clerk.id, clerk.store_id),
            datetime.now(UTC),
            member_id=member.id,
            lines=[Line(product.id, quantity)],
            key=f"demo-sale-{n}",
        )
        report.count(not sale.repeated)


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(who, phone, password, tokenCreate's role) for the README and the seed command."""
    rows = [("admin", ADMIN_PHONE, ADMIN_PASSWORD, "ADMIN")]
    for i, (code, *_rest) in enumerate(STORES[:2], start=1):
        manager = staff_phone(i, StaffRole.MANAGER)
        rows.append((f"manager of {code}", manager, STAFF_PASSWORD, "STAFF"))
        rows.append((f"clerk of {code}", staff_phone(i, StaffRole.CLERK), STAFF_PASSWORD, "STAFF"))
    rows.append(("member (home store GZ-TH01)", member_phone(1), MEMBER_PASSWORD, "MEMBER"))
    rows.append(("member (home store GZ-ZJ02)", member_phone(2), MEMBER_PASSWORD, "MEMBER"))
    return rows
