"""Returns: worked examples of partial and full returns, proportional refunds, and spent points."""

from __future__ import annotations

import pytest

from tessera.checkout.commands import RedemptionIn
from tessera.checkout.models import Document
from tessera.checkout.services import points_redeem
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.models import Posting
from tessera.members.models import MemberCategoryStats, MemberStats
from tessera.members.selectors import member_balances
from tessera.testing import band_set, give_back, key, member_new, sell, top_up, world_build

pytestmark = pytest.mark.django_db


def redeem(world, member, points):
    command = RedemptionIn(member=member.public_id, pos_number=key(), event_at=now(), points=points)
    return points_redeem(actor=world.a.actor, redemption=command, request_key=key(), now=now()).body


@pytest.fixture
def world():
    w = world_build()
    band_set(w, 100000, 10000)
    return w


@pytest.fixture
def bought(world):
    """Top up 1,000.00 (+100.00 bonus), then buy 2 x 129.00 + 1 x 299.00 paying 300.00 from stored value."""
    member = member_new(world)
    top_up(world.a, member, 100000)
    receipt = sell(world.a, member, [(2, 12900), (1, 29900)], sv=30000, pos_number="S-1")
    assert receipt["stored_value"] == {"principal_minor": 27272, "bonus_minor": 2728}
    return member


class TestPartialAndFullReturns:
    def test_partial_return_gives_back_in_proportion(self, world, bought):
        receipt = give_back(world.a, "S-1", [(1, 1)])
        assert receipt["value_minor"] == 12900
        assert receipt["points"]["taken_back"] == 60  # 257 earned, floor(257 x 428/557) = 197 kept
        assert receipt["refund"]["stored_value"] == {"principal_minor": 6315, "bonus_minor": 632}
        assert receipt["refund"]["other_tenders_minor"] == 5953
        b = member_balances(member=bought)
        assert (b.points, b.sv_principal_minor, b.sv_bonus_minor) == (197, 72728 + 6315, 7272 + 632)

    def test_then_the_rest_restores_every_balance_exactly(self, world, bought):
        give_back(world.a, "S-1", [(1, 1)])
        give_back(world.a, "S-1", [(2, 1)])
        last = give_back(world.a, "S-1")  # everything not yet returned: one shirt
        assert last["value_minor"] == 12900
        b = member_balances(member=bought)
        assert (b.points, b.sv_principal_minor, b.sv_bonus_minor) == (0, 100000, 10000)
        stats = MemberStats.objects.get(member=bought)
        assert (stats.return_count, stats.refund_minor, stats.points_taken_back) == (3, 55700, 257)
        assert MemberCategoryStats.objects.get(member=bought, category="tops").spend_minor == 0

    def test_nothing_left_to_return_is_refused(self, world, bought):
        give_back(world.a, "S-1")
        postings = Posting.objects.count()
        with pytest.raises(DomainError) as exc:
            give_back(world.a, "S-1")
        assert exc.value.code == "nothing_to_return"
        assert Posting.objects.count() == postings

    def test_more_than_sold_on_a_line_is_refused(self, world, bought):
        with pytest.raises(DomainError) as exc:
            give_back(world.a, "S-1", [(1, 3)])
        assert exc.value.code == "return_exceeds_sale"
        assert exc.value.details == {"line_no": 1, "requested": 3, "remaining": 2}

    def test_a_line_twice_in_one_return_is_refused(self, world, bought):
        with pytest.raises(DomainError) as exc:
            give_back(world.a, "S-1", [(1, 1), (1, 1)])
        assert exc.value.code == "line_invalid"

    def test_unknown_line_and_unknown_sale(self, world, bought):
        with pytest.raises(DomainError) as exc:
            give_back(world.a, "S-1", [(9, 1)])
        assert exc.value.code == "return_line_unknown"
        with pytest.raises(DomainError) as exc:
            give_back(world.a, "NOPE")
        assert exc.value.code == "document_not_found"

    def test_a_sale_is_returned_at_the_store_that_made_it(self, world, bought):
        with pytest.raises(DomainError) as exc:
            give_back(world.b, "S-1")
        assert exc.value.code == "document_not_found"


class TestSpentPoints:
    def test_deduct_policy_cuts_the_refund_by_the_points_already_spent(self, world, bought):
        redeem(world, bought, 250)  # 7 points left
        receipt = give_back(world.a, "S-1")
        assert receipt["points"] == {
            "taken_back": 257,
            "from_balance": 7,
            "as_debt": 0,
            "in_money": 250,
            "deducted_minor": 250,
        }
        assert receipt["refund"]["other_tenders_minor"] == 25700 - 250  # 2.50 yuan for 250 points
        assert member_balances(member=bought).points == 0

    def test_debt_policy_records_the_shortfall_and_next_earnings_repay_it(self):
        world = world_build(return_shortfall_policy="debt")
        member = member_new(world)
        sell(world.a, member, [(1, 30000)], pos_number="S-9")
        redeem(world, member, 280)
        receipt = give_back(world.a, "S-9")
        assert receipt["points"]["as_debt"] == 280
        assert receipt["refund"]["other_tenders_minor"] == 30000  # cash refund untouched
        assert member_balances(member=member).points_debt == 280
        later = sell(world.a, member, [(1, 50000)])
        assert later["points"] == {**later["points"], "earned": 500, "debt_repaid": 280, "credited": 220}
        b = member_balances(member=member)
        assert (b.points, b.points_debt) == (220, 0)

    def test_buy_spend_return_never_keeps_value(self, world):
        """odoo #257854: buy, spend the points, return the goods, keep the points' value. Never here."""
        member = member_new(world)
        for i in range(20):
            sell(world.a, member, [(1, 10000)], pos_number=f"X-{i}")
            redeem(world, member, 100)
            receipt = give_back(world.a, f"X-{i}")
            assert (
                receipt["refund"]["other_tenders_minor"] + receipt["refund"]["deducted_for_spent_points_minor"] == 10000
            )
        stats = MemberStats.objects.get(member=member)
        assert stats.spend_minor - stats.refund_minor == 0
        assert Document.objects.filter(kind="return").count() == 20
        assert member_balances(member=member).points == 0


class TestBuyAndRefundCycles:
    def test_a_hundred_full_cycles_net_to_zero(self, world):
        """F-5: 100 x (buy 100.00 partly from stored value, full refund) leaves every balance where it was."""
        member = member_new(world)
        top_up(world.a, member, 100000)
        before = member_balances(member=member)
        for i in range(100):
            sell(world.a, member, [(3, 3333), (1, 1)], sv=3700, pos_number=f"C-{i}")
            give_back(world.a, f"C-{i}", [(1, 2)])
            give_back(world.a, f"C-{i}")
        assert member_balances(member=member) == before
