"""Earning rules and paying with points, through the sale service."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from tessera.checkout.commands import LineIn, SaleIn, TenderIn
from tessera.checkout.models import DocumentLine
from tessera.checkout.services import sale_commit, sale_quote
from tessera.earning.models import EarningRule
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.members.selectors import member_balances
from tessera.points.models import PointsLot
from tessera.testing import give_back, key, member_new, sell, world_build

pytestmark = pytest.mark.django_db
WEDNESDAY = datetime.fromisoformat("2026-11-18T15:00:00+08:00")
THURSDAY = datetime.fromisoformat("2026-11-19T15:00:00+08:00")


@pytest.fixture(autouse=True)
def _not_on_a_double_points_day():
    # The world doubles Wednesday's points: a test that does not choose its day would pass or fail by the calendar.
    with time_machine.travel(THURSDAY, tick=False):
        yield


def sale(member, lines, tenders, pos="P-1", at=None):
    return SaleIn(
        member=member.public_id, pos_number=pos, event_at=at or now(), currency="CNY",
        lines=tuple(LineIn(i, sku, sku, 1, price, category=cat) for i, (sku, cat, price) in enumerate(lines, 1)),
        tenders=tuple(TenderIn(kind, amount) for kind, amount in tenders),
    )  # fmt: skip


@pytest.fixture
def world():
    w = world_build(burn_enabled=True, burn_max_share_pct=50, burn_min_points=100)
    EarningRule.objects.create(program=w.program, code="double-wednesday", kind="weekday",
                               factor_permille=2000, weekday=3)  # ISO: 3 = Wednesday  # fmt: skip
    EarningRule.objects.create(program=w.program, code="no-gift-cards", kind="product_exclusion", match_on="category",
                               match_value="gift card")  # fmt: skip
    return w


def test_a_wednesday_sale_earns_double_and_the_gift_card_nothing(world):
    member = member_new(world)
    with time_machine.travel(WEDNESDAY, tick=False):
        lines = [("SHIRT", "tops", 16800), ("GC-50", "gift card", 5000)]
        outcome = sale_commit(actor=world.a.actor, sale=sale(member, lines, [("cash", 21800)]), request_key=key(),
                              now=now())  # fmt: skip
    points = outcome.body["points"]
    assert points["earned"] == 336  # 168 base on the shirt, doubled; the gift card excluded
    codes = [part["code"] for part in points["explanation"]["parts"]]
    assert "double-wednesday" in codes
    assert sum(part["points"] for part in points["explanation"]["parts"]) == 336
    assert dict(DocumentLine.objects.filter(document__kind="sale").values_list("sku", "points")) == {
        "SHIRT": 336, "GC-50": 0,
    }  # fmt: skip
    receipt = give_back(world.a, "P-1", [(2, 1)])  # returning the gift card takes back nothing
    assert receipt["points"]["taken_back"] == 0


def test_paying_partly_with_points_takes_them_from_the_oldest_lots(world):
    member = member_new(world)
    sell(world.a, member, [(1, 30000)], pos_number="EARN")  # 300 points
    body = sale(member, [("DRESS", "dresses", 40000)], [("points", 200), ("cash", 39800)], pos="BURN")
    quote = sale_quote(actor=world.a.actor, sale=body, now=now())
    assert quote["points_payment"] == {"points": 200, "minor": 200}
    receipt = sale_commit(actor=world.a.actor, sale=body, request_key=key(), now=now()).body
    assert receipt["points"]["earned"] == 398  # the part paid with points earns nothing
    assert member_balances(member=member).points == 300 - 200 + 398
    assert list(PointsLot.objects.filter(member=member).order_by("id").values_list("remaining", flat=True)) == [
        100,
        398,
    ]


@pytest.mark.parametrize(
    ("tenders", "code"),
    [
        ([("points", 50), ("cash", 39950)], "points_payment_below_minimum"),
        ([("points", 25000), ("cash", 15000)], "points_payment_above_max_share"),
        ([("points", 400), ("cash", 39600)], "points_payment_insufficient_points"),
    ],
)
def test_refused_points_payments_change_nothing(world, tenders, code):
    member = member_new(world)
    sell(world.a, member, [(1, 30000)], pos_number="EARN")
    with pytest.raises(DomainError) as exc:
        sale_commit(actor=world.a.actor, sale=sale(member, [("DRESS", "dresses", 40000)], tenders, pos="X"),
                    request_key=key(), now=now())  # fmt: skip
    assert exc.value.code == code
    assert member_balances(member=member).points == 300


def test_points_cannot_pay_a_sum_they_do_not_divide(world):
    world.program.point_value_points, world.program.point_value_minor = 7, 10
    world.program.save()
    member = member_new(world)
    sell(world.a, member, [(1, 100000)], pos_number="EARN")
    with pytest.raises(DomainError) as exc:
        sale_commit(actor=world.a.actor, sale=sale(member, [("COAT", "outerwear", 4000)],
                                                   [("points", 1005), ("cash", 2995)], pos="X"),
                    request_key=key(), now=now())  # fmt: skip
    assert exc.value.code == "points_payment_inexact"
    assert exc.value.details == {"coverable": 1004, "points": 703}


def test_programmes_without_points_payment_refuse_it():
    world = world_build()
    member = member_new(world)
    sell(world.a, member, [(1, 30000)], pos_number="EARN")
    with pytest.raises(DomainError) as exc:
        sale_commit(actor=world.a.actor, sale=sale(member, [("TEE", "tops", 5000)], [("points", 100), ("cash", 4900)]),
                    request_key=key(), now=now())  # fmt: skip
    assert exc.value.code == "points_payment_disabled"


def test_a_day_without_rules_earns_the_flat_rate(world):
    member = member_new(world)
    with time_machine.travel(datetime.fromisoformat("2026-11-19T15:00:00+08:00"), tick=False):
        receipt = sell(world.a, member, [(1, 16800)])
    assert receipt["points"]["earned"] == 168
    assert date(2026, 11, 19).weekday() == 3
