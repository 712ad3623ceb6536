"""One single-use coupon, sixteen tills at once: exactly one sale gets it (on PostgreSQL: row locks)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from django.db import connection

from tessera.checkout.commands import LineIn, TenderIn
from tessera.checkout.models import Document
from tessera.checkout.services import sale_commit, sale_quote
from tessera.coupons.models import Coupon, CouponEvent, CouponTemplate
from tessera.coupons.services import IssueSource, coupon_issue
from tessera.kit.clock import now
from tessera.kit.db import use_case
from tessera.kit.errors import DomainError
from tessera.ledger.verify import ledger_verify
from tessera.testing import key, member_new, sale_in, world_build

pytestmark = pytest.mark.django_db(transaction=True)
TILLS = 16


def race(attempt, count=TILLS):
    def run(i):
        try:
            attempt(i)
            return "ok"
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=TILLS) as pool:
        return Counter(pool.map(run, range(count)))


@pytest.fixture
def setup():
    world = world_build(stores=TILLS)
    member = member_new(world)
    template = CouponTemplate.objects.create(program=world.program, code="C20", kind="cash", amount_minor=2_000,
                                             valid_days=30)  # fmt: skip
    with use_case():
        (coupon,) = coupon_issue(template=template, member=member, actor=world.a.actor, source=IssueSource("staff"),
                                 now=now())  # fmt: skip
    return world, member, coupon


def _sale(member, coupon, i, *, coupons=True):
    sale = sale_in(member, [(1, 10_000)], pos_number=f"RACE-{i}")
    return replace(sale, lines=(LineIn(1, "SKU1", "Item", 1, 10_000),), tenders=(TenderIn("cash", 8_000),),
                   coupons=(coupon.code,) if coupons else None)  # fmt: skip


def test_sixteen_tills_redeem_one_coupon_exactly_once(setup):
    world, member, coupon = setup
    outcomes = race(lambda i: sale_commit(actor=world.shops[i].actor, sale=_sale(member, coupon, i),
                                          request_key=key(), now=now()))  # fmt: skip
    assert outcomes == Counter({"ok": 1, "coupon_unavailable": TILLS - 1})
    coupon.refresh_from_db()
    assert coupon.state == "redeemed"
    assert Document.objects.filter(kind="sale", member=member).count() == 1
    assert Document.objects.get(kind="sale", member=member).public_id == coupon.redeemed_document
    assert CouponEvent.objects.filter(coupon=coupon, kind="redeemed").count() == 1
    assert ledger_verify() == []


def test_sixteen_quotes_hold_one_coupon_once(setup):
    world, member, coupon = setup
    held = []

    def quote(i):
        body = sale_quote(actor=world.shops[i].actor, sale=_sale(member, coupon, i, coupons=False), now=now(),
                          hold=True)  # fmt: skip
        held.extend(body["coupons"].get("held", []))

    race(quote)
    assert held == [coupon.code]
    assert Coupon.objects.get(pk=coupon.pk).state == "held"
