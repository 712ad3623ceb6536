"""Joining with a qualifying purchase, expired cards at the till, and the monthly gift ladder through sales."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from tessera.checkout.commands import JoinIn, LineIn, RedemptionIn, SaleIn, TenderIn
from tessera.checkout.services import points_redeem, sale_commit, sale_quote
from tessera.checkout.tests.api.conftest import pos_for, sale_body
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.members.models import Member
from tessera.rewards.models import RewardGrant
from tessera.rewards.tests.factories import seed_ladder
from tessera.testing import give_back, key, member_new, sell, top_up, world_build

pytestmark = pytest.mark.django_db


def joining_sale(amount_minor: int, phone: str = "13912345678", pos: str = "J-1") -> SaleIn:
    return SaleIn(
        member="", pos_number=pos, event_at=now(), currency="CNY",
        lines=(LineIn(1, "COAT", "Wool coat", 1, amount_minor, category="outerwear"),),
        tenders=(TenderIn("wechat_pay", amount_minor),),
        join=JoinIn(phone=phone, name="Chen Jing", birthday=date(1992, 2, 29), locale="zh-hans"),
    )  # fmt: skip


@pytest.fixture
def chain():
    return world_build(join_min_purchase_minor=19800, card_validity_months=24, card_renewal_fee_minor=1000)


class TestJoinByPurchase:
    def test_a_purchase_of_the_threshold_enrols_and_earns(self, chain):
        receipt = sale_commit(actor=chain.a.actor, sale=joining_sale(19800), request_key=key(), now=now()).body
        member = Member.objects.get(public_id=receipt["member_id"])
        assert member.phone == "+8613912345678"
        assert receipt["points"]["earned"] == 198
        assert member.card_valid_until is not None

    def test_one_fen_below_the_threshold_is_refused_and_enrols_nobody(self, chain):
        with pytest.raises(DomainError) as exc:
            sale_commit(actor=chain.a.actor, sale=joining_sale(19799), request_key=key(), now=now())
        assert exc.value.code == "join_purchase_too_small"
        assert not Member.objects.exists()
        with pytest.raises(DomainError):
            sale_quote(actor=chain.a.actor, sale=joining_sale(19799), now=now())

    def test_the_quote_prices_a_joining_customer(self, chain):
        quote = sale_quote(actor=chain.a.actor, sale=joining_sale(25000), now=now())
        assert quote["points"]["earned"] == 250
        assert not Member.objects.exists()

    def test_a_phone_that_is_already_a_member_is_refused(self, chain):
        member_new(chain, phone="13912345678")
        with pytest.raises(DomainError) as exc:
            sale_commit(actor=chain.a.actor, sale=joining_sale(30000), request_key=key(), now=now())
        assert exc.value.code == "member_exists"

    def test_over_the_api(self, chain):
        pos = pos_for(chain)
        body = sale_body(Member(public_id=""), pos_number="J-9", member="",
                         join={"phone": "13700001111", "name": "Lin"},
                         lines=[{"line_no": 1, "sku": "S", "name": "Suit", "quantity": 1, "unit_price_minor": 59900}],
                         tenders=[{"kind": "alipay", "amount_minor": 59900}])  # fmt: skip
        response = pos.post("/sales", body, key="join-9")
        assert response.status_code == 201, response.content
        both = {**body, "member": "8000000000000000"}
        assert pos.post("/sales", both, key="join-10").status_code == 422


class TestExpiredCard:
    def test_an_expired_card_cannot_buy_top_up_or_redeem_but_can_return(self, chain):
        with time_machine.travel(datetime.fromisoformat("2024-03-01T10:00:00+08:00"), tick=False):
            member = member_new(chain)
            sell(chain.a, member, [(1, 20000)], pos_number="OLD")
        assert member.__class__.objects.get(id=member.id).card_valid_until == date(2026, 2, 28)
        with time_machine.travel(datetime.fromisoformat("2026-03-01T10:00:00+08:00"), tick=False):
            for attempt in (
                lambda: sell(chain.a, member, [(1, 5000)]),
                lambda: top_up(chain.a, member, 10000),
                lambda: points_redeem(actor=chain.a.actor, redemption=RedemptionIn(
                    member=member.public_id, pos_number=key(), event_at=now(), points=1), request_key=key(), now=now()),
            ):  # fmt: skip
                with pytest.raises(DomainError) as exc:
                    attempt()
                assert exc.value.code == "card_expired"


class TestGiftLadder:
    def test_a_months_points_unlock_the_seed_gifts_and_a_return_revokes_an_unclaimed_one(self, chain):
        seed_ladder(chain.program)
        member = member_new(chain)
        with time_machine.travel(datetime.fromisoformat("2026-04-10T12:00:00+08:00"), tick=False):
            sell(chain.a, member, [(1, 120000)], pos_number="A1")  # 1,200 points: the 50-yuan gift
            sell(chain.a, member, [(1, 90000)], pos_number="A2")  # 2,100: the 100-yuan gift too
        assert sorted(RewardGrant.objects.filter(member=member).values_list("state", flat=True)) == [
            "unlocked", "unlocked",
        ]  # fmt: skip
        with time_machine.travel(datetime.fromisoformat("2026-04-20T12:00:00+08:00"), tick=False):
            give_back(chain.a, "A2")  # back to 1,200 in April: the 100-yuan gift is revoked
        states = dict(RewardGrant.objects.filter(member=member).values_list("step__threshold_points", "state"))
        assert states == {1000: "unlocked", 2000: "revoked"}
