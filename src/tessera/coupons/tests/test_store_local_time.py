"""Weekday and hour conditions follow the clock of the store making the sale, not the programme's.

A chain run from Shanghai (the programme's zone) with a store in Shanghai and one in Seoul, an hour ahead. At one
and the same instant the two tills show different hours, and near midnight different days, so one coupon can
apply at one store and be refused at the other.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
import time_machine
from django.utils import translation

from tessera.checkout.commands import TenderIn
from tessera.checkout.services import sale_commit, sale_quote
from tessera.coupons.errors import CouponNotApplicable
from tessera.coupons.models import CouponTemplate
from tessera.coupons.services import IssueSource, coupon_issue
from tessera.kit.clock import now
from tessera.kit.db import use_case
from tessera.stores.services import store_create, terminal_create, terminal_key_issue
from tessera.testing import Shop, World, key, member_new, sale_in, world_build

pytestmark = pytest.mark.django_db

# Thursday 9 April 2026, 05:30 UTC: 13:30 in Shanghai (UTC+8), 14:30 in Seoul (UTC+9).
LUNCH_END_NEAR = datetime.fromisoformat("2026-04-09T05:30:00+00:00")
# Thursday 9 April 2026, 15:30 UTC: 23:30 Thursday in Shanghai, 00:30 Friday in Seoul.
MIDNIGHT_NEAR = datetime.fromisoformat("2026-04-09T15:30:00+00:00")


def chain() -> tuple[World, Shop, Shop]:
    """The programme and its first store keep the merchant's zone, Asia/Shanghai; a second store is in Seoul."""
    world = world_build(timezone="Asia/Shanghai", stores=1)
    store = store_create(merchant=world.merchant, code="SEL01", name="Seoul store", timezone="Asia/Seoul")
    terminal = terminal_create(store=store, name="till-1")
    world.shops.append(Shop(store=store, terminal=terminal, key=terminal_key_issue(terminal=terminal).secret))
    return world, world.a, world.b


def coupon_for(world: World, member, **terms) -> str:
    """A ¥10.00 coupon with ``terms``, issued to ``member``; returns its code."""
    template = CouponTemplate.objects.create(program=world.program, code="LUNCH", kind="cash", amount_minor=1_000,
                                             valid_days=30, **terms)  # fmt: skip
    with use_case():
        (coupon,) = coupon_issue(template=template, member=member, actor=world.a.actor, source=IssueSource("staff"),
                                 now=now())  # fmt: skip
    return coupon.code


def lunch(member, *, coupons=None, paid=5_000):
    sale = sale_in(member, [(1, 5_000)])
    return replace(sale, tenders=(TenderIn("cash", paid),), coupons=None if coupons is None else tuple(coupons))


def test_lunch_hours_are_inside_at_the_shanghai_till_and_over_at_the_seoul_till():
    world, shanghai, seoul = chain()
    with time_machine.travel(LUNCH_END_NEAR, tick=False):
        member = member_new(world)
        code = coupon_for(world, member, hour_from=11, hour_to=14)  # 11:00 to 14:00, end exclusive

        at_shanghai = sale_quote(actor=shanghai.actor, sale=lunch(member), now=now())  # 13:30 there
        at_seoul = sale_quote(actor=seoul.actor, sale=lunch(member), now=now())  # 14:30 there

    assert [u["code"] for u in at_shanghai["coupons"]["used"]] == [code]
    assert at_shanghai["total_minor"] == 4_000  # ¥50.00 less ¥10.00
    assert at_seoul["coupons"]["used"] == []
    assert at_seoul["total_minor"] == 5_000
    assert [(c["code"], c["reason"]) for c in at_seoul["coupons"]["not_used"]] == [(code, "hours")]


def test_a_sale_at_the_seoul_till_after_lunch_is_refused_in_the_language_of_the_request():
    world, shanghai, seoul = chain()
    with time_machine.travel(LUNCH_END_NEAR, tick=False):
        member = member_new(world)
        code = coupon_for(world, member, hour_from=11, hour_to=14)
        with translation.override("ko"):
            with pytest.raises(CouponNotApplicable) as refused:
                sale_commit(actor=seoul.actor, sale=lunch(member, coupons=[code], paid=4_000), request_key=key(),
                            now=now())  # fmt: skip
            refusal = refused.value.text()  # the error reads in the request's language when it is shown
        with translation.override("zh-hans"):
            quoted = sale_quote(actor=seoul.actor, sale=lunch(member), now=now())
        body = sale_commit(actor=shanghai.actor, sale=lunch(member, coupons=[code], paid=4_000), request_key=key(),
                           now=now()).body  # fmt: skip

    assert refusal == f"쿠폰 {code}은(는) 이 판매에 사용할 수 없습니다: 이 시간대에는 사용할 수 없음"
    assert quoted["coupons"]["not_used"][0]["reason_text"] == "此时段不可用"
    assert (body["total_minor"], body["coupons"]["total_minor"]) == (4_000, 1_000)


def test_near_midnight_it_is_friday_at_the_seoul_till_and_still_thursday_at_the_shanghai_till():
    world, shanghai, seoul = chain()
    with time_machine.travel(MIDNIGHT_NEAR, tick=False):
        member = member_new(world)
        code = coupon_for(world, member, weekdays=[5])  # ISO: 5 = Friday

        at_shanghai = sale_quote(actor=shanghai.actor, sale=lunch(member), now=now())  # Thursday 23:30
        # Friday 00:30 at this till.
        body = sale_commit(actor=seoul.actor, sale=lunch(member, coupons=[code], paid=4_000), request_key=key(),
                           now=now()).body  # fmt: skip

    assert [(c["code"], c["reason"]) for c in at_shanghai["coupons"]["not_used"]] == [(code, "weekday")]
    assert at_shanghai["coupons"]["not_used"][0]["reason_text"] == "not valid on this day of the week"
    assert (body["total_minor"], body["coupons"]["total_minor"]) == (4_000, 1_000)
