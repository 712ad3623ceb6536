"""Benchmark fixtures: a clothing chain with stores, terminals, keys, a programme and members with stored value.

Everything goes through Tessera's own services (``merchant_create``, ``terminal_key_issue``, ``member_enroll``,
``top_up_commit``), so the ledger the benchmark starts from is one the product itself wrote; a few thousand
members take well under a minute that way, so no bulk shortcut is needed. Call ``django_setup`` first.
"""

from __future__ import annotations

import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

CURRENCY = "CNY"
TOP_UP_MINOR = 300_000  # 3,000.00 yuan per member, plus the band's bonus
BAND_FROM_MINOR = 100_000  # top-ups from 1,000.00 yuan earn 100.00 yuan bonus
BAND_BONUS_MINOR = 10_000
SETUP_THREADS = 4

CATEGORIES = ["tops", "trousers", "dresses", "outerwear", "knitwear", "shoes", "accessories", "underwear"]
BRANDS = ["Tessera Basics", "Lumen", "Harbour & Pine", "Qinghe", "North Loom", "Saltmarsh"]
ADJECTIVES = ["Linen", "Cotton", "Wool", "Denim", "Silk", "Fleece", "Merino", "Canvas", "Corduroy", "Twill"]
ITEMS = {
    "tops": ["T-shirt", "Shirt", "Polo", "Blouse"],
    "trousers": ["Chinos", "Jeans", "Joggers", "Shorts"],
    "dresses": ["Midi Dress", "Shirt Dress", "Slip Dress"],
    "outerwear": ["Jacket", "Parka", "Trench Coat", "Gilet"],
    "knitwear": ["Cardigan", "Jumper", "Roll Neck"],
    "shoes": ["Trainers", "Loafers", "Boots"],
    "accessories": ["Scarf", "Belt", "Cap", "Tote Bag"],
    "underwear": ["Socks 3-pack", "Boxers", "Vest"],
}


def django_setup(*, database_url: str, home: Path, settings: str = "tessera.config.settings") -> None:
    """Point Tessera's settings at ``database_url`` (DEBUG off, nothing written to the checkout) and load Django."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ.setdefault("SECRET_KEY", "bench-" + os.urandom(16).hex())
    os.environ["TESSERA_HOME"] = str(home)
    os.environ["DEBUG"] = "0"
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


@dataclass
class Fixture:
    """What the load generators need: where to send, with which keys, for which members, what to sell."""

    stores: list[str]
    keys: list[dict[str, str]]  # {"store": code, "key": "tsk_..."}, one per terminal
    members: list[str]
    products: list[dict[str, Any]]
    currency: str = CURRENCY
    timings: dict[str, float] = field(default_factory=dict)
    discount_bp: int = 0  # the members' tier discount, which the till applies to what it asks them to pay
    # Every tier's discount by code: a member who moves up during the run is asked for less from then on.
    tier_discounts: dict[str, int] = field(default_factory=dict)
    # --coupons: each member's single-use cash coupon codes (each used once), and the coupon's value.
    coupons: dict[str, list[str]] = field(default_factory=dict)
    coupon_minor: int = 0

    def as_spec(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "discount_bp": self.discount_bp,
            "tier_discounts": self.tier_discounts,
            "terminals": self.keys,
            "members": self.members,
            "products": self.products,
            "coupons": self.coupons,
            "coupon_minor": self.coupon_minor,
        }


def product_catalogue(count: int, rng: random.Random) -> list[dict[str, Any]]:
    products = []
    for n in range(count):
        category = CATEGORIES[n % len(CATEGORIES)]
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(ITEMS[category])}"
        price = rng.choice([2900, 3900, 4900, 5900, 7900, 9900, 12900, 15900, 19900, 25900, 39900, 59900])
        products.append(
            {"sku": f"SKU{n:05d}", "name": name, "brand": rng.choice(BRANDS), "category": category, "price": price}
        )
    return products


def build(*, stores: int, terminals_per_store: int, members: int, seed: int = 7) -> Fixture:
    """Create the chain, its programme and ``members`` members, each topped up through the till services."""
    from tessera.checkout.commands import TopUpIn
    from tessera.checkout.services import top_up_commit
    from tessera.kit.actor import Actor
    from tessera.kit.clock import now
    from tessera.members.services import Profile, member_enroll
    from tessera.programs.services import program_create, top_up_band_set
    from tessera.stores.services import merchant_create, store_create, terminal_create, terminal_key_issue

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    merchant = merchant_create(name="Qinghe Apparel", country="CN", timezone="Asia/Shanghai", currency=CURRENCY)
    program = program_create(owner=merchant, name="Qinghe Club")
    top_up_band_set(program=program, min_amount_minor=BAND_FROM_MINOR, bonus_minor=BAND_BONUS_MINOR)
    keys: list[dict[str, str]] = []
    store_rows = []
    for s in range(1, stores + 1):
        store = store_create(merchant=merchant, code=f"SH{s:03d}", name=f"Qinghe Shanghai {s}")
        store_rows.append(store)
        for t in range(1, terminals_per_store + 1):
            terminal = terminal_create(store=store, name=f"till-{t}")
            keys.append({"store": store.code, "key": terminal_key_issue(terminal=terminal, label="bench").secret})
    timings["setup_org_s"] = time.perf_counter() - started

    started = time.perf_counter()
    at = now()
    locales = [rng.choice(["zh-hans", "en"]) for _ in range(members)]

    def enrol_and_top_up(n: int) -> str:
        store = store_rows[n % len(store_rows)]
        actor = Actor(store_id=store.id, merchant_id=merchant.id, currency=CURRENCY, system="bench-fixture")
        profile = Profile(phone=f"+86139{n:08d}", name=f"Member {n}", locale=locales[n])
        member_id: str = member_enroll(program=program, profile=profile, actor=actor, now=at).body["member_id"]
        top_up = TopUpIn(
            member=member_id,
            pos_number=f"TU-{n:07d}",
            event_at=at - timedelta(minutes=5),
            currency=CURRENCY,
            amount_minor=TOP_UP_MINOR,
            tender_kind="wechat_pay",
        )
        top_up_commit(actor=actor, top_up=top_up, request_key=f"bench-topup-{n}", now=at)
        return member_id

    def chunk(numbers: range) -> list[str]:
        try:
            return [enrol_and_top_up(n) for n in numbers]
        finally:
            close_connections()  # this thread's connection

    # Each member is one enrolment and one top-up through the services; four threads overlap their round trips.
    with ThreadPoolExecutor(max_workers=SETUP_THREADS) as pool:
        parts = pool.map(chunk, [range(k, members, SETUP_THREADS) for k in range(SETUP_THREADS)])
        by_thread = list(parts)
    member_ids = [by_thread[n % SETUP_THREADS][n // SETUP_THREADS] for n in range(members)]
    timings["setup_members_s"] = time.perf_counter() - started

    return Fixture(
        stores=[s.code for s in store_rows],
        keys=keys,
        members=member_ids,
        products=product_catalogue(240, rng),
        timings=timings,
    )


# The clothing chain of seed 002 as its owners run it: annual diamonds, the monthly gift ladder, the card
# lifecycle and the double-points days, so every sale goes through tiers, earning rules and the gift ladder.
CLOTHING = ("clothing_diamonds", "clothing_monthly_gifts", "card_lifecycle", "member_days")


def template_apply(codes: tuple[str, ...]) -> dict[str, int]:
    """Apply programme templates to the bench's programme; returns each tier's discount in basis points by code,
    the base tier first."""
    from tessera.blueprints.services import blueprint_apply
    from tessera.kit.actor import Actor
    from tessera.kit.clock import now
    from tessera.programs.models import Program
    from tessera.stores.models import Store
    from tessera.tiers.models import Tier

    program = Program.objects.get()
    hq = Store.objects.get(merchant_id=program.owner_id, kind=Store.Kind.HEADQUARTERS)
    actor = Actor(store_id=hq.id, merchant_id=program.owner_id, currency=hq.currency, system="bench-fixture")
    for code in codes:
        blueprint_apply(program=program, code=code, actor=actor, now=now())
    tiers = Tier.objects.filter(ladder__program=program, ladder__is_active=True).order_by("rank")
    return {tier.code: tier.discount_bp for tier in tiers}


def sale_documents() -> int:
    from tessera.checkout.models import Document

    return Document.objects.filter(kind=Document.Kind.SALE).count()


def verify() -> list[str]:
    """``ledger_verify`` over the whole database: an empty list means every invariant holds."""
    from tessera.ledger.verify import ledger_verify

    return [f"{v.check}: {v.detail}" for v in ledger_verify()]


def close_connections() -> None:
    from django.db import connections

    connections.close_all()


COUPON_MINOR = 500  # a 5-yuan cash coupon, no minimum spend, so it applies to every bench sale


def coupons_give(member_ids: list[str], per_member: int) -> dict[str, list[str]]:
    """Issue ``per_member`` single-use 5-yuan cash coupons to each member; returns their codes by member.

    Written in bulk rather than through ``coupon_issue``: tens of thousands of coupons would take minutes one
    transaction at a time, and the benchmark measures redeeming them, not issuing them.
    """
    from tessera.coupons.codes import code_new
    from tessera.coupons.models import Coupon, CouponEvent, CouponTemplate, CouponTemplateUsage
    from tessera.kit.clock import now
    from tessera.members.models import Member

    at = now()
    members = dict(Member.objects.filter(public_id__in=member_ids).values_list("public_id", "id"))
    program_id = Member.objects.get(public_id=member_ids[0]).program_id
    template = CouponTemplate.objects.create(program_id=program_id, code="BENCH5", kind="cash",
                                             amount_minor=COUPON_MINOR, valid_days=30)  # fmt: skip
    codes = {m: [code_new() for _ in range(per_member)] for m in member_ids}
    rows = [
        Coupon(code=code, template=template, program_id=program_id, member_id=members[m], valid_from=at,
               valid_until=at + timedelta(days=30), source="bulk", issued_at=at, updated_at=at)
        for m in member_ids for code in codes[m]
    ]  # fmt: skip
    created = Coupon.objects.bulk_create(rows, batch_size=5000)
    CouponEvent.objects.bulk_create(
        (CouponEvent(coupon=c, kind="issued", system="bench-fixture", at=at) for c in created), batch_size=5000
    )
    CouponTemplateUsage.objects.create(template=template, issued_count=len(rows))
    return codes
