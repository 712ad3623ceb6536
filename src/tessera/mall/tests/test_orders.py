"""Mall orders and cancellations at the till: worked examples, tiers, points plus cash, hostile input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from tessera.blueprints.seeds import diamonds_ladder
from tessera.coupons.models import Coupon, CouponTemplate
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.models import Posting
from tessera.mall.admin import MallItemForm
from tessera.mall.models import MallItem, MallOrder, MallOrderEvent
from tessera.mall.services import mall_order_advance, mall_order_cancel, mall_order_place
from tessera.mall.tests.factories import balance, item_new, lots_remaining, points_give
from tessera.members.models import Member
from tessera.testing import key, member_new, world_build
from tessera.tiers.services import tier_ladder_load
from tessera.tiers.tests.factories import record


@pytest.fixture
def world(db):
    return world_build()


@pytest.fixture
def member(world):
    member = member_new(world)
    points_give(world.a, member, 1000)
    return member


def place(world, member, item, quantity=1, shop=None, request_key=None):
    shop = shop or world.a
    return mall_order_place(actor=shop.actor, member=member, item_id=item.public_id, quantity=quantity,
                            request_key=request_key or key(), now=now())  # fmt: skip


def refused(fn, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        fn(*args, **kwargs)
    return exc.value


class TestPlace:
    def test_an_order_debits_points_takes_stock_and_records_the_cash_part(self, world, member):
        # 1,000 points; 2 × (300 points + ¥15.00) = 600 points and 3,000 fen; 400 points and 8 units left.
        item = item_new(world.program, cash_minor=1500)
        answer = place(world, member, item, quantity=2)
        assert (answer["points"], answer["cash_minor"], answer["currency"]) == (600, 3000, "CNY")
        assert answer["order_id"].startswith("mor_")
        assert answer["state"] == "ordered"
        assert balance(member) == 400
        assert lots_remaining(member) == 400
        item.refresh_from_db()
        assert (item.stock, item.stock_given) == (8, 10)
        posting = Posting.objects.get(public_id=answer["posting_id"])
        assert (posting.reason, posting.source_id) == ("mall_order", answer["order_id"])
        assert sorted(posting.entries.values_list("amount", flat=True)) == [-600, 600]

    def test_a_replay_returns_the_first_answer_and_writes_nothing_more(self, world, member):
        item = item_new(world.program)
        first = place(world, member, item, request_key="K1")
        assert place(world, member, item, request_key="K1") == first
        assert MallOrder.objects.count() == 1
        assert balance(member) == 700

    def test_the_same_key_with_another_quantity_is_refused_and_writes_nothing_more(self, world, member):
        item = item_new(world.program)
        place(world, member, item, request_key="K1")
        assert refused(place, world, member, item, quantity=2, request_key="K1").code == "idempotency_key_reused"
        assert MallOrder.objects.count() == 1
        assert balance(member) == 700

    def test_a_coupon_item_issues_the_coupon_in_the_order(self, world, member):
        template = CouponTemplate.objects.create(program=world.program, code="C20", kind="cash", amount_minor=2000,
                                                 valid_days=30)  # fmt: skip
        item = item_new(world.program, kind="coupon", coupon_template=template)
        answer = place(world, member, item)
        (coupon,) = Coupon.objects.filter(member=member)
        assert answer["coupon_ids"] == [coupon.public_id]
        assert coupon.state == "issued"

    def test_not_enough_points_is_refused_and_nothing_changes(self, world, member):
        item = item_new(world.program, points_price=600)
        error = refused(place, world, member, item, quantity=2)
        assert error.code == "insufficient_balance"
        item.refresh_from_db()
        assert (item.stock, balance(member), MallOrder.objects.count()) == (10, 1000, 0)

    def test_ordering_more_than_the_stock_is_refused(self, world, member):
        item = item_new(world.program, stock=1, points_price=10)
        assert refused(place, world, member, item, quantity=2).code == "mall_out_of_stock"
        assert balance(member) == 1000

    @pytest.mark.parametrize("quantity", [0, -1, 101, True])
    def test_a_quantity_outside_one_to_a_hundred_is_refused(self, world, member, quantity):
        item = item_new(world.program)
        assert refused(place, world, member, item, quantity=quantity).code == "mall_quantity_invalid"
        assert MallOrder.objects.count() == 0

    def test_another_programmes_item_looks_unknown(self, world, member):
        other = world_build(name="Other")
        foreign = item_new(other.program)
        assert refused(place, world, member, foreign).code == "mall_item_not_found"

    def test_another_merchants_till_cannot_order_for_the_member(self, world, member):
        other = world_build(name="Other")
        item = item_new(world.program)
        assert refused(place, world, member, item, shop=other.a).code == "mall_item_not_found"

    def test_an_unknown_item_is_not_found_and_translated(self, world, member):
        error = refused(mall_order_place, actor=world.a.actor, member=member, item_id="mit_nothing", quantity=1,
                        request_key=key(), now=now())  # fmt: skip
        assert error.code == "mall_item_not_found"
        with translation.override("zh-hans"):
            assert error.text() != "No such item in this programme's mall."

    def test_a_switched_off_item_cannot_be_ordered(self, world, member):
        item = item_new(world.program, is_active=False)
        assert refused(place, world, member, item).code == "mall_item_not_orderable"

    def test_a_tier_restricted_item_is_refused_to_a_member_of_no_listed_tier(self, world, member):
        item = item_new(world.program, tier_codes=["gold"])
        assert refused(place, world, member, item).code == "mall_tier_not_allowed"
        assert balance(member) == 1000


class TestTiers:
    @pytest.fixture
    def ranked(self, world, member):
        """``member`` under a diamonds ladder: card from 0 points earned this card year, red from 10,000. Loaded
        after the member earned 1,000 points (so that sale is not discounted), then the member read again, as a
        request would, so it sees the programme's new configuration."""
        tier_ladder_load(program=world.program, spec=diamonds_ladder())
        return Member.objects.select_related("program").get(id=member.id)

    def test_a_member_below_the_allowed_tier_is_refused_and_nothing_changes(self, world, ranked):
        record(ranked, now(), points=9_999)  # one point short of red: still a card member
        item = item_new(world.program, tier_codes=["red", "yellow"])
        error = refused(place, world, ranked, item)
        assert (error.code, error.status) == ("mall_tier_not_allowed", 409)
        item.refresh_from_db()
        assert (item.stock, balance(ranked), MallOrder.objects.count()) == (10, 1000, 0)

    def test_a_member_at_the_allowed_tier_can_order(self, world, ranked):
        record(ranked, now(), points=10_000)
        item = item_new(world.program, tier_codes=["red", "yellow"])
        assert place(world, ranked, item)["state"] == "ordered"
        assert balance(ranked) == 700


class TestDates:
    def order_at(self, world, member, item, at):
        return mall_order_place(actor=world.a.actor, member=member, item_id=item.public_id, quantity=1,
                                request_key=key(), now=at)  # fmt: skip

    def test_an_item_before_its_start_cannot_be_ordered(self, world, member):
        start = now() + timedelta(days=1)
        item = item_new(world.program, active_from=start)
        error = refused(self.order_at, world, member, item, start - timedelta(seconds=1))
        assert (error.code, error.status) == ("mall_item_not_orderable", 409)
        assert self.order_at(world, member, item, start)["state"] == "ordered"  # from the first instant on

    def test_an_item_at_or_after_its_end_cannot_be_ordered(self, world, member):
        end = now() - timedelta(hours=1)
        item = item_new(world.program, active_until=end)
        assert refused(self.order_at, world, member, item, end).code == "mall_item_not_orderable"  # end excluded
        assert refused(self.order_at, world, member, item, end + timedelta(days=1)).code == "mall_item_not_orderable"
        assert self.order_at(world, member, item, end - timedelta(seconds=1))["state"] == "ordered"
        item.refresh_from_db()
        assert (item.stock, balance(member), MallOrder.objects.count()) == (9, 700, 1)


class TestStock:
    def test_the_database_refuses_negative_stock(self, world):
        item = item_new(world.program)
        with pytest.raises(IntegrityError), transaction.atomic():
            MallItem.objects.filter(id=item.id).update(stock=-1)

    def test_the_admin_form_refuses_stock_of_minus_one_in_the_staff_language(self, world):
        form = MallItemForm(data={"program": world.program.id, "kind": "gift", "name": "Bag", "points_price": 10,
                                  "cash_minor": 0, "stock": -1, "tier_codes": "[]"})  # fmt: skip
        with translation.override("ko"):
            assert not form.is_valid()
            assert form.errors["stock"] != ["Stock cannot be negative."]


class TestFulfilment:
    def test_ready_then_picked_up_records_who_where_and_when(self, world, member):
        order = place(world, member, item_new(world.program))["order_id"]
        mall_order_advance(actor=world.b.actor, order_id=order, target="ready", now=now())
        assert mall_order_advance(actor=world.b.actor, order_id=order, target="picked_up", now=now())["state"] == (
            "picked_up"
        )
        events = list(MallOrderEvent.objects.filter(order__public_id=order).order_by("id"))
        assert [e.state for e in events] == ["ordered", "ready", "picked_up"]
        assert events[2].store_id == world.b.store.id
        assert events[2].terminal_id == world.b.terminal.id

    def test_a_shipped_order_cannot_be_picked_up_or_cancelled(self, world, member):
        order = place(world, member, item_new(world.program))["order_id"]
        mall_order_advance(actor=world.a.actor, order_id=order, target="shipped", now=now())
        error = refused(mall_order_advance, actor=world.a.actor, order_id=order, target="picked_up", now=now())
        assert (error.code, error.status) == ("mall_transition_refused", 409)
        error = refused(mall_order_cancel, actor=world.a.actor, order_id=order, request_key=key(), now=now())
        assert error.code == "mall_transition_refused"
        assert balance(member) == 700


class TestCancel:
    def test_cancelling_returns_points_as_a_lot_and_the_stock_with_a_reversing_posting(self, world, member):
        item = item_new(world.program)
        answer = place(world, member, item, quantity=3)
        mall_order_advance(actor=world.a.actor, order_id=answer["order_id"], target="ready", now=now())
        cancelled = mall_order_cancel(actor=world.a.actor, order_id=answer["order_id"], request_key=key(), now=now())
        assert cancelled["state"] == "cancelled"
        assert balance(member) == 1000
        assert lots_remaining(member) == 1000
        item.refresh_from_db()
        assert (item.stock, item.stock_given) == (10, 10)
        reversal = Posting.objects.get(public_id=cancelled["reversal_id"])
        assert reversal.reverses.public_id == answer["posting_id"]
        assert sorted(reversal.entries.values_list("amount", flat=True)) == [-900, 900]

    def test_a_cancelled_order_cannot_be_cancelled_twice(self, world, member):
        order = place(world, member, item_new(world.program))["order_id"]
        mall_order_cancel(actor=world.a.actor, order_id=order, request_key=key(), now=now())
        error = refused(mall_order_cancel, actor=world.a.actor, order_id=order, request_key=key(), now=now())
        assert error.code == "mall_transition_refused"
        assert balance(member) == 1000

    def test_cancelling_a_coupon_order_voids_the_unused_coupon(self, world, member):
        template = CouponTemplate.objects.create(program=world.program, code="C20", kind="cash", amount_minor=2000,
                                                 valid_days=30)  # fmt: skip
        order = place(world, member, item_new(world.program, kind="coupon", coupon_template=template))["order_id"]
        mall_order_cancel(actor=world.a.actor, order_id=order, request_key=key(), now=now())
        assert Coupon.objects.get(member=member).state == "voided"

    def test_another_merchant_cannot_see_the_order(self, world, member):
        order = place(world, member, item_new(world.program))["order_id"]
        other = world_build(name="Other")
        error = refused(mall_order_cancel, actor=other.a.actor, order_id=order, request_key=key(), now=now())
        assert error.code == "mall_order_not_found"

    def test_a_cancel_replay_returns_the_first_answer_and_gives_the_points_back_once(self, world, member):
        order = place(world, member, item_new(world.program))["order_id"]
        first = mall_order_cancel(actor=world.a.actor, order_id=order, request_key="C1", now=now())
        assert mall_order_cancel(actor=world.a.actor, order_id=order, request_key="C1", now=now()) == first
        assert Posting.objects.filter(reason="mall_cancel").count() == 1
        assert balance(member) == 1000

    def test_a_coupon_order_whose_coupon_a_till_holds_cannot_be_cancelled_and_nothing_changes(self, world, member):
        template = CouponTemplate.objects.create(program=world.program, code="C20", kind="cash", amount_minor=2000,
                                                 valid_days=30)  # fmt: skip
        item = item_new(world.program, kind="coupon", coupon_template=template)
        order = place(world, member, item)["order_id"]
        # A till holds the coupon for a sale in progress: it is no longer unused, so it cannot be voided.
        Coupon.objects.filter(member=member).update(
            state="held", hold_key="doc-1", held_until=now() + timedelta(hours=1)
        )
        with translation.override("ko"):
            error = refused(mall_order_cancel, actor=world.a.actor, order_id=order, request_key=key(), now=now())
            message = str(error.message)
        assert (error.code, error.status) == ("mall_coupon_already_used", 409)
        assert message != "The order's coupon is no longer unused, so the order cannot be cancelled."
        assert MallOrder.objects.get(public_id=order).state == "ordered"
        assert balance(member) == 700
        item.refresh_from_db()
        assert item.stock == 9
