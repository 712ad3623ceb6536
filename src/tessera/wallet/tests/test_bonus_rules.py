"""Top-up bonus rules, worked examples: stored value, points, coupons and gifts; dates and per-member limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tessera.checkout.commands import TopUpIn
from tessera.checkout.services import top_up_commit, top_up_quote
from tessera.coupons.models import Coupon, CouponTemplate
from tessera.kit.clock import now
from tessera.ledger.models import POINTS, Account, AccountKind
from tessera.points.models import PointsLot
from tessera.testing import band_set, key, member_new, world_build
from tessera.wallet.models import TopUpBonusRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = world_build()
    band_set(world, 50_000, 5_000)  # superseded as soon as the programme has a rule
    coupon = CouponTemplate.objects.create(program=world.program, code="TU50", kind="cash", amount_minor=5_000,
                                           valid_days=90)  # fmt: skip
    # The worked example: top up 1,000 yuan, get 100 yuan of bonus and a 50-yuan coupon.
    TopUpBonusRule.objects.create(program=world.program, name="1,000 club", min_amount_minor=100_000,
                                  bonus_minor=10_000, coupon_template=coupon, per_member_limit=1)  # fmt: skip
    TopUpBonusRule.objects.create(program=world.program, name="500 with points", min_amount_minor=50_000,
                                  max_amount_minor=99_999, bonus_minor=2_000, bonus_points=300,
                                  gift="Travel-size lotion")  # fmt: skip
    return world


def top_up(world, member, amount, **kw):
    command = TopUpIn(member=member.public_id, pos_number=f"T-{key()}", event_at=kw.get("at", now()), currency="CNY",
                      amount_minor=amount)  # fmt: skip
    return top_up_commit(actor=world.a.actor, top_up=command, request_key=key(), now=kw.get("now", now())).body


def test_top_up_1000_gives_100_bonus_and_a_50_coupon(world):
    member = member_new(world)
    receipt = top_up(world, member, 100_000)
    assert (receipt["bonus_minor"], receipt["bonus_rule"], receipt["bonus_points"]) == (10_000, "1,000 club", 0)
    (code,) = receipt["bonus_coupons"]
    coupon = Coupon.objects.get(code=code)
    assert (coupon.member_id, coupon.template.code, coupon.source) == (member.id, "TU50", "top_up")
    assert coupon.source_id == receipt["document_id"]
    assert receipt["balances"]["stored_value"]["principal_minor"] == 100_000
    assert receipt["balances"]["stored_value"]["bonus_minor"] == 10_000


def test_the_per_member_limit_falls_back_to_the_next_rule_and_nothing_more(world):
    member = member_new(world)
    top_up(world, member, 100_000)
    second = top_up(world, member, 100_000)  # the 1,000 club is once per member; nothing else covers 1,000
    assert (second["bonus_minor"], second["bonus_coupons"], second["bonus_rule"]) == (0, [], "")
    assert top_up(world, member_new(world), 100_000)["bonus_minor"] == 10_000  # another member still gets it


def test_points_and_a_gift_come_with_the_500_rule(world):
    member = member_new(world)
    receipt = top_up(world, member, 60_000)
    assert (receipt["bonus_minor"], receipt["bonus_points"], receipt["gift"]) == (2_000, 300, "Travel-size lotion")
    points = Account.objects.get(member=member, kind=AccountKind.MEMBER_POINTS, unit=POINTS)
    assert points.balance == 300
    assert PointsLot.objects.get(member=member).remaining == 300  # a lot, so the points expire like earned ones


def test_rules_supersede_the_bands_and_dates_bound_them(world):
    member = member_new(world)
    assert top_up(world, member, 40_000)["bonus_minor"] == 0  # the 500-yuan band no longer applies
    TopUpBonusRule.objects.update(active_to=now() - timedelta(days=1))
    assert top_up(world, member, 60_000)["bonus_minor"] == 0


def test_the_quote_shows_the_bonus_and_writes_nothing(world):
    member = member_new(world)
    before = (Coupon.objects.count(), Account.objects.get(member=member, kind="member_sv_principal").balance)
    command = TopUpIn(member=member.public_id, pos_number="Q1", event_at=now(), currency="CNY", amount_minor=100_000)
    quote = top_up_quote(actor=world.a.actor, top_up=command, now=now())
    assert (quote["bonus_minor"], quote["bonus_coupon"], quote["refusal"]) == (10_000, {"template": "TU50",
                                                                                         "count": 1}, None)  # fmt: skip
    assert (Coupon.objects.count(), Account.objects.get(member=member, kind="member_sv_principal").balance) == before


def test_the_quote_over_http_names_a_cap_refusal(world):
    from tessera.wallet.models import StoredValueProfile

    StoredValueProfile.objects.create(program=world.program, jurisdiction="cn", named_balance_max_minor=500_000,
                                      anonymous_balance_max_minor=100_000, custody_ratio_bp=2_000)  # fmt: skip
    member = member_new(world)
    body = {"store": world.a.store.code, "member": member.public_id, "pos_number": "Q2", "event_at": now().isoformat(),
            "currency": "CNY", "amount_minor": 500_000}  # fmt: skip
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.a.key}")
    response = client.post("/api/v1/top-ups/quote", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["refusal"]["code"] == "top_up_above_balance_cap"  # 5,000 + the 100 bonus is over 5,000
