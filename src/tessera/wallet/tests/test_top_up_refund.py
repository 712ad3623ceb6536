"""Top-up refunds, worked examples: principal only, the bonus taken back or paid for, points, coupons, limits."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.test import Client

from tessera.blueprints.seeds import salon_ladder
from tessera.checkout.api.schemas import TopUpRefundOut
from tessera.checkout.commands import RedemptionIn, TenderIn, TopUpIn, TopUpRefundIn
from tessera.checkout.models import Document
from tessera.checkout.services import points_redeem, sale_commit, top_up_commit, top_up_refund_commit
from tessera.coupons.models import Coupon, CouponTemplate
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.models import Account, AccountKind, Entry
from tessera.ledger.verify import ledger_verify
from tessera.members.models import MemberStats
from tessera.members.selectors import member_balances
from tessera.programs.models import Program
from tessera.testing import key, member_new, sale_in, sell, world_build
from tessera.tiers.models import MemberTier
from tessera.tiers.services import tier_ladder_load
from tessera.wallet.models import TopUpBonusRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = world_build()
    coupon = CouponTemplate.objects.create(program=world.program, code="TU50", kind="cash", amount_minor=5_000,
                                           valid_days=90)  # fmt: skip
    # Top up 1,000 yuan: +100 bonus and a 50-yuan coupon. Top up 500 to 999: +20 bonus and 300 points.
    TopUpBonusRule.objects.create(program=world.program, name="1,000 club", min_amount_minor=100_000,
                                  bonus_minor=10_000, coupon_template=coupon)  # fmt: skip
    TopUpBonusRule.objects.create(program=world.program, name="500 with points", min_amount_minor=50_000,
                                  max_amount_minor=99_999, bonus_minor=2_000, bonus_points=300)  # fmt: skip
    return world


def top_up(world, member, amount, pos_number):
    command = TopUpIn(member=member.public_id, pos_number=pos_number, event_at=now(), currency="CNY",
                      amount_minor=amount)  # fmt: skip
    return top_up_commit(actor=world.a.actor, top_up=command, request_key=key(), now=now()).body


def refund(world, original, amount=None, *, shop=None, request_key=None):
    command = TopUpRefundIn(original_pos_number=original, pos_number=f"TR-{key()}", event_at=now(),
                            amount_minor=amount)  # fmt: skip
    actor = (shop or world.a).actor
    return top_up_refund_commit(actor=actor, refund=command, request_key=request_key or key(), now=now()).body


def balances(member):
    b = member_balances(member=member)
    return b.sv_principal_minor, b.sv_bonus_minor, b.points


def code_of(fn, *args, **kw):
    with pytest.raises(DomainError) as caught:
        fn(*args, **kw)
    return caught.value.code


def test_a_whole_refund_of_an_unspent_top_up_pays_the_principal_and_takes_the_bonus_and_coupon(world):
    member = member_new(world)
    (code,) = top_up(world, member, 100_000, "T1")["bonus_coupons"]
    receipt = refund(world, "T1")
    assert receipt["refund"] == {"principal_minor": 100_000, "bonus_clawed_minor": 10_000,
                                 "bonus_spent_kept_minor": 0, "points_kept_minor": 0,
                                 "paid_out_minor": 100_000}  # fmt: skip
    assert (receipt["coupons_voided"], receipt["coupons_kept"], receipt["fully_refunded"]) == ([code], [], True)
    assert Coupon.objects.get(code=code).state == Coupon.State.VOIDED
    assert balances(member) == (0, 0, 0)
    document = Document.objects.get(public_id=receipt["document_id"])
    assert (document.kind, document.original.pos_number, document.total_minor) == ("top_up_refund", "T1", 100_000)
    assert document.tenders.get().amount_minor == 100_000
    assert MemberStats.objects.get(member=member).top_up_minor == 0
    assert ledger_verify() == []


def test_bonus_already_spent_is_kept_from_the_money_paid_back(world):
    # Bonus first: a 300-yuan sale spends the 100 bonus and 200 of principal; 800 principal is left on the card.
    Program.objects.filter(id=world.program.id).update(stored_value_spend_order="bonus_first")
    member = member_new(world)
    top_up(world, member, 100_000, "T1")
    sell(world.a, member, [(1, 30_000)], sv=30_000)
    assert code_of(refund, world, "T1") == "top_up_refund_principal_spent"  # 1,000 asked, 800 left
    receipt = refund(world, "T1", 80_000)
    # 800 of 1,000 takes 80 of the 100 bonus with it; the card holds no bonus, so the 80 is kept from the money.
    assert receipt["refund"] == {"principal_minor": 80_000, "bonus_clawed_minor": 0, "bonus_spent_kept_minor": 8_000,
                                 "points_kept_minor": 0, "paid_out_minor": 72_000}  # fmt: skip
    assert balances(member) == (0, 0, receipt["balances"]["points"])
    assert code_of(refund, world, "T1", 20_000) == "top_up_refund_principal_spent"
    assert _store_net(world, AccountKind.STORE_SV_BONUS_OUT) == 10_000 - 8_000  # 80 of the spent bonus was paid for
    assert _store_net(world, AccountKind.STORE_SV_PRINCIPAL_OUT) == 20_000 + 8_000
    assert ledger_verify() == []


def test_partial_refunds_take_back_exactly_the_whole_bonus_and_the_coupon_only_at_the_end(world):
    Program.objects.filter(id=world.program.id).update(stored_value_spend_order="principal_first")
    member = member_new(world)
    (code,) = top_up(world, member, 100_000, "T1")["bonus_coupons"]
    parts = [refund(world, "T1", amount) for amount in (33_333, 33_333, 33_334)]
    assert [p["refund"]["bonus_clawed_minor"] for p in parts] == [3_333, 3_333, 3_334]  # rounded down, cumulative
    assert [p["fully_refunded"] for p in parts] == [False, False, True]
    assert [p["coupons_voided"] for p in parts] == [[], [], [code]]
    assert balances(member) == (0, 0, 0)
    assert code_of(refund, world, "T1") == "top_up_fully_refunded"
    assert ledger_verify() == []


def test_a_redeemed_coupon_is_kept_and_named(world):
    member = member_new(world)
    (code,) = top_up(world, member, 100_000, "T1")["bonus_coupons"]
    sale = replace(sale_in(member, [(1, 20_000)]), coupons=(code,))
    sale = replace(sale, tenders=(TenderIn("cash", 15_000),))  # 200 less the 50-yuan coupon
    sale_commit(actor=world.a.actor, sale=sale, request_key=key(), now=now())
    receipt = refund(world, "T1")
    assert (receipt["coupons_voided"], receipt["coupons_kept"]) == ([], [code])


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # 300 bonus points, 200 redeemed: 100 come back from the balance; the other 200 are owed, or bought back
        # at the point value (100 points = 1 yuan) from the money paid: 2 yuan.
        ("debt", {"from_balance": 100, "as_debt": 200, "in_money": 0, "paid": 60_000}),
        ("deduct_from_refund", {"from_balance": 100, "as_debt": 0, "in_money": 200, "paid": 59_800}),
    ],
)
def test_bonus_points_spent_are_settled_by_the_programmes_return_policy(world, policy, expected):
    Program.objects.filter(id=world.program.id).update(return_shortfall_policy=policy)
    member = member_new(world)
    top_up(world, member, 60_000, "T1")
    redemption = RedemptionIn(member=member.public_id, pos_number="RD1", event_at=now(), points=200)
    points_redeem(actor=world.a.actor, redemption=redemption, request_key=key(), now=now())
    receipt = refund(world, "T1")
    assert receipt["points"] == {"taken_back": 300, **{k: v for k, v in expected.items() if k != "paid"}}
    assert receipt["refund"]["paid_out_minor"] == expected["paid"]
    assert receipt["refund"]["bonus_clawed_minor"] == 2_000
    assert ledger_verify() == []


def test_a_replayed_refund_answers_again_and_counts_once(world):
    member = member_new(world)
    top_up(world, member, 60_000, "T1")
    command = TopUpRefundIn(original_pos_number="T1", pos_number="TR1", event_at=now(), amount_minor=10_000)
    first = top_up_refund_commit(actor=world.a.actor, refund=command, request_key="same", now=now())
    again = top_up_refund_commit(actor=world.a.actor, refund=command, request_key="same", now=now())
    fresh_key = top_up_refund_commit(actor=world.a.actor, refund=command, request_key="other", now=now())
    assert (again.replayed, fresh_key.replayed) == (True, True)
    assert again.body == first.body == fresh_key.body
    assert Document.objects.filter(kind="top_up_refund").count() == 1
    assert balances(member)[0] == 50_000


def test_refunds_are_refused_whole_and_change_nothing(world):
    member = member_new(world)
    top_up(world, member, 60_000, "T1")
    sell(world.a, member, [(1, 100)], pos_number="S1")
    before = (balances(member), Entry.objects.count(), Document.objects.count())
    assert code_of(refund, world, "NOPE") == "top_up_not_found"
    assert code_of(refund, world, "T1", shop=world.b) == "top_up_not_found"  # made at another store
    assert code_of(refund, world, "T1", 60_001) == "top_up_refund_exceeds_top_up"
    assert code_of(refund, world, "T1", 0) == "amount_invalid"
    assert code_of(refund, world, "T1", -5) == "amount_invalid"
    assert code_of(refund, world, "S1") == "top_up_not_found"  # a sale is not a top-up
    assert (balances(member), Entry.objects.count(), Document.objects.count()) == before


def test_the_api_refunds_and_answers_hostile_bodies_with_translated_errors(world):
    member = member_new(world)
    top_up(world, member, 60_000, "T1")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.a.key}")

    def post(body, lang="en"):
        base = {"store": world.a.store.code, "original_pos_number": "T1", "pos_number": f"TR-{key()}",
                "event_at": now().isoformat()}  # fmt: skip
        return client.post("/api/v1/top-ups/refunds", {**base, **body}, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY=key(), HTTP_ACCEPT_LANGUAGE=lang)  # fmt: skip

    assert post({"amount_minor": 0}).status_code == 422
    assert post({"amount_minor": "ten"}).status_code == 422
    assert post({"tender": "stored_value"}).status_code == 422
    refused = post({"amount_minor": 70_000}, lang="zh-hans")
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "top_up_refund_exceeds_top_up")
    assert "600" in refused.json()["error"]["message"]
    assert "Only" not in refused.json()["error"]["message"]
    done = post({"amount_minor": 10_000, "tender": "wechat_pay"})
    assert done.status_code == 201, done.content
    assert set(done.json()) == set(TopUpRefundOut.model_fields)  # the published shape
    assert (done.json()["refund"]["paid_out_minor"], done.json()["refund"]["bonus_clawed_minor"]) == (10_000, 333)
    assert balances(member)[0] == 50_000


def test_the_refund_takes_the_principal_off_a_stored_value_tier_count(world):
    # Seed 000's salon: tiers by stored value put in. A refund stops the principal counting; no downgrade at once.
    tier_ladder_load(program=world.program, spec=salon_ladder())
    member = member_new(world)
    assert top_up(world, member, 200_000, "T1")["tier_change"]["to_tier"] == "silver"
    refund(world, "T1", 40_000)
    row = MemberTier.objects.get(member=member)
    assert (row.stored_value_minor, row.tier.code) == (160_000, "silver")


def _store_net(world, kind):
    accounts = Account.objects.filter(program=world.program, kind=kind)
    return sum(e.amount for e in Entry.objects.filter(account__in=accounts))
