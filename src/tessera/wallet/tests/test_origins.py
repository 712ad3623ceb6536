"""Where value came from: stored-value lots and points lots name their store, and every entry that spends value
held from another store names it, which is what settlement between stores adds up (docs/settlement.md)."""

from __future__ import annotations

import pytest

from tessera.checkout.commands import RedemptionIn, TopUpRefundIn
from tessera.checkout.services import points_redeem, top_up_refund_commit
from tessera.kit.clock import now
from tessera.ledger.models import AccountKind, Entry
from tessera.ledger.verify import ledger_verify
from tessera.mall.services import mall_order_cancel, mall_order_place
from tessera.mall.tests.factories import item_new, points_give
from tessera.members.selectors import member_balances
from tessera.points.models import PointsLot
from tessera.testing import band_set, give_back, key, member_new, sell, top_up, world_build
from tessera.wallet.models import StoredValueLot

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    # Three stores of one chain: A and B take top-ups, C only sells. 1 point per yuan; no bonus bands.
    return world_build(stores=3)


def held(member, kind="principal"):
    """What the member's lots hold of ``kind``, per store code."""
    rows = StoredValueLot.objects.filter(member=member, kind=kind, remaining_minor__gt=0).select_related("store")
    totals: dict[str, int] = {}
    for lot in rows:
        totals[lot.store.code] = totals.get(lot.store.code, 0) + lot.remaining_minor
    return totals


def spent_entries(document_id, kind=AccountKind.STORE_SV_PRINCIPAL_OUT):
    """(account store, origin store or None, amount) of a document's entries on ``kind`` accounts."""
    rows = Entry.objects.filter(posting__public_id=document_id, account__kind=kind).select_related(
        "account__store", "origin_store"
    )
    return sorted((e.account.store.code, e.origin_store.code if e.origin_store else None, e.amount) for e in rows)


def posting_of(receipt):
    return receipt["posting_id"]


class TestStoredValue:
    def test_a_top_up_opens_a_lot_at_its_store(self, world):
        member = member_new(world)
        top_up(world.a, member, 50_000)
        assert held(member) == {"S001": 50_000}
        assert ledger_verify() == []

    def test_spending_at_another_store_names_the_store_whose_money_it_was(self, world):
        member = member_new(world)
        top_up(world.a, member, 50_000)
        receipt = sell(world.c, member, [(1, 20_000)], sv=20_000)
        assert spent_entries(posting_of(receipt)) == [("S003", "S001", 20_000)]
        assert held(member) == {"S001": 30_000}
        assert ledger_verify() == []

    def test_spending_at_the_store_that_took_the_money_names_no_other_store(self, world):
        member = member_new(world)
        top_up(world.a, member, 50_000)
        receipt = sell(world.a, member, [(1, 20_000)], sv=20_000)
        assert spent_entries(posting_of(receipt)) == [("S001", None, 20_000)]

    def test_money_from_two_stores_is_spent_oldest_first_and_split_by_store(self, world):
        member = member_new(world)
        top_up(world.a, member, 10_000)
        top_up(world.b, member, 30_000)
        receipt = sell(world.c, member, [(1, 25_000)], sv=25_000)
        assert spent_entries(posting_of(receipt)) == [("S003", "S001", 10_000), ("S003", "S002", 15_000)]
        assert held(member) == {"S002": 15_000}
        assert ledger_verify() == []

    def test_a_partial_return_gives_back_first_what_was_spent_first(self, world):
        member = member_new(world)
        top_up(world.a, member, 10_000)
        top_up(world.b, member, 30_000)
        sale = sell(world.c, member, [(1, 5_000), (1, 20_000)], sv=25_000, pos_number="S-1")
        first = give_back(world.c, "S-1", [(1, 1)])  # 5,000 of the 25,000 comes back: all from A's share
        assert spent_entries(posting_of(first)) == [("S003", "S001", -5_000)]
        second = give_back(world.c, "S-1")  # the rest: A's other 5,000, then B's 15,000
        assert spent_entries(posting_of(second)) == [("S003", "S001", -5_000), ("S003", "S002", -15_000)]
        assert held(member) == {"S001": 10_000, "S002": 30_000}
        assert member_balances(member=member).sv_principal_minor == 40_000
        assert sale["document_id"] != first["document_id"]
        assert ledger_verify() == []

    def test_bonus_lots_are_kept_apart_and_name_their_store_when_spent(self, world):
        world.program.stored_value_spend_order = "bonus_first"
        world.program.save()
        band_set(world, 10_000, 1_000)
        member = member_new(world)
        top_up(world.b, member, 10_000)
        assert (held(member), held(member, "bonus")) == ({"S002": 10_000}, {"S002": 1_000})
        receipt = sell(world.c, member, [(1, 3_000)], sv=3_000)
        assert spent_entries(posting_of(receipt), AccountKind.STORE_SV_BONUS_OUT) == [("S003", "S002", 1_000)]
        assert spent_entries(posting_of(receipt)) == [("S003", "S002", 2_000)]
        assert ledger_verify() == []

    def test_a_top_up_refund_takes_its_own_lot_first_then_names_the_store_it_takes_from(self, world):
        member = member_new(world)
        top_up(world.b, member, 20_000)  # oldest: B's money
        refunded = top_up(world.a, member, 30_000)
        sell(world.a, member, [(1, 25_000)], sv=25_000)  # oldest first: B's 20,000, then 5,000 of A's
        assert held(member) == {"S001": 25_000}
        command = TopUpRefundIn(original_pos_number=refunded["pos_number"], pos_number=f"TR-{key()}",
                                event_at=now(), amount_minor=25_000)  # fmt: skip
        receipt = top_up_refund_commit(actor=world.a.actor, refund=command, request_key=key(), now=now()).body
        assert spent_entries(posting_of(receipt), AccountKind.STORE_SV_PRINCIPAL_IN) == [("S001", None, 25_000)]
        assert held(member) == {}
        assert ledger_verify() == []


class TestPoints:
    def test_points_redeemed_at_another_store_name_the_store_that_issued_them(self, world):
        member = member_new(world)
        points_give(world.a, member, 300)
        points_give(world.b, member, 200)
        assert sorted(PointsLot.objects.filter(member=member).values_list("store__code", "remaining")) == [
            ("S001", 300), ("S002", 200)]  # fmt: skip
        command = RedemptionIn(member=member.public_id, pos_number=f"PR-{key()}", event_at=now(), points=400)
        receipt = points_redeem(actor=world.c.actor, redemption=command, request_key=key(), now=now()).body
        assert spent_entries(posting_of(receipt), AccountKind.STORE_POINTS_REDEEMED) == [
            ("S003", "S001", 300), ("S003", "S002", 100)]  # fmt: skip
        assert ledger_verify() == []

    def test_a_cancelled_mall_order_gives_the_points_back_to_the_stores_that_issued_them(self, world):
        member = member_new(world)
        points_give(world.a, member, 200)
        points_give(world.b, member, 200)
        item = item_new(world.program, points_price=300)
        order = mall_order_place(actor=world.c.actor, member=member, item_id=item.public_id, quantity=1,
                                 request_key=key(), now=now())  # fmt: skip
        redeemed = Entry.objects.filter(posting__source_id=order["order_id"],
                                        account__kind=AccountKind.STORE_POINTS_REDEEMED)  # fmt: skip
        assert sorted(redeemed.values_list("origin_store__code", "amount")) == [("S001", 200), ("S002", 100)]
        mall_order_cancel(actor=world.c.actor, order_id=order["order_id"], request_key=key(), now=now())
        lots = PointsLot.objects.filter(member=member, remaining__gt=0)
        totals: dict[str, int] = {}
        for code, left in lots.values_list("store__code", "remaining"):
            totals[code] = totals.get(code, 0) + left
        assert totals == {"S001": 200, "S002": 200}
        assert ledger_verify() == []

    def test_a_return_takes_back_points_from_the_sales_own_lot(self, world):
        member = member_new(world)
        sell(world.b, member, [(1, 10_000)], pos_number="S-9")
        receipt = give_back(world.b, "S-9")
        assert spent_entries(posting_of(receipt), AccountKind.STORE_POINTS_ISSUED) == [("S002", None, 100)]
        assert ledger_verify() == []
