"""Stock per store: an order takes the ordering store's units, a cancel gives them back there, restocking adds."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.test import Client
from django.utils import translation

from tessera.audit.models import AuditRecord
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.verify import ledger_verify
from tessera.mall.models import MallOrder, MallStoreStock
from tessera.mall.services import mall_order_cancel, mall_order_place, mall_store_stock_add
from tessera.mall.tests.factories import balance, item_new, points_give, store_stock, store_stock_give
from tessera.stores.selectors import headquarters_actor
from tessera.testing import key, member_new, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return world_build(stores=3)


@pytest.fixture
def member(world):
    member = member_new(world)
    points_give(world.a, member, 1000)
    return member


@pytest.fixture
def bag(world):
    """A tote bag at 300 points kept per store: 5 at store A, 2 at store B, none given to store C."""
    item = item_new(world.program, stock=0)
    store_stock_give(item, world.a, 5)
    store_stock_give(item, world.b, 2)
    return item


def place(shop, member, item, quantity=1):
    return mall_order_place(actor=shop.actor, member=member, item_id=item.public_id, quantity=quantity,
                            request_key=key(), now=now())  # fmt: skip


def refused(fn, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        fn(*args, **kwargs)
    return exc.value


def add(world, item, shop, units):
    actor = headquarters_actor(merchant_id=world.merchant.id, system="test-setup")
    return mall_store_stock_add(actor=actor, item_id=item.id, store_id=shop.store.id, units=units, now=now())


class TestOrders:
    def test_an_order_at_store_a_takes_a_stock_and_leaves_b_alone(self, world, member, bag):
        # 1,000 points; 2 × 300 at store A: A 5 → 3, B stays at 2, the item's own pool stays at 0.
        answer = place(world.a, member, bag, quantity=2)
        assert answer["points"] == 600
        assert balance(member) == 400
        assert store_stock(bag, world.a) == (3, 5)
        assert store_stock(bag, world.b) == (2, 2)
        bag.refresh_from_db()
        assert (bag.stock, bag.stock_given) == (0, 0)
        order = MallOrder.objects.get(public_id=answer["order_id"])
        assert order.store_stock == MallStoreStock.objects.get(item=bag, store=world.a.store)

    def test_out_of_stock_at_a_but_not_at_b_is_refused_at_a_only(self, world, member):
        # A cap at 100 points: 1 at store A, 2 at store B. A's one goes; the next order at A is refused, B's works.
        cap = item_new(world.program, stock=0, points_price=100)
        store_stock_give(cap, world.a, 1)
        store_stock_give(cap, world.b, 2)
        place(world.a, member, cap)
        with translation.override("zh-hans"):
            error = refused(place, world.a, member, cap)
            message = error.text()
        assert (error.code, error.status, error.details) == ("mall_out_of_stock", 409, {"stock": 0})
        assert message == "本门店库存不足：仅剩 0 件。"
        assert (store_stock(cap, world.a), balance(member)) == ((0, 1), 900)
        assert place(world.b, member, cap)["state"] == "ordered"
        assert (store_stock(cap, world.b), balance(member)) == ((1, 2), 800)

    def test_out_of_stock_at_a_is_a_409_over_http(self, world, member, bag):
        place(world.a, member, bag, quantity=3)  # A 5 → 2; stock is checked before the member's 100 points
        client = Client(HTTP_AUTHORIZATION=f"Bearer {world.a.key}")
        body = {"store": world.a.store.code, "member": member.public_id, "item": bag.public_id, "quantity": 3}
        response = client.post("/api/v1/mall/orders", body, content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY="s1", HTTP_ACCEPT_LANGUAGE="ko")  # fmt: skip
        assert response.status_code == 409, response.content
        error = response.json()["error"]
        assert (error["code"], error["details"]) == ("mall_out_of_stock", {"stock": 2})
        assert error["message"] == "이 매장의 재고가 부족합니다: 2개 남았습니다."
        assert store_stock(bag, world.a) == (2, 5)

    def test_a_store_never_given_the_item_has_none_even_though_others_do(self, world, member, bag):
        error = refused(place, world.shops[2], member, bag)
        assert (error.code, error.details) == ("mall_out_of_stock", {"stock": 0})
        assert balance(member) == 1000
        assert not MallStoreStock.objects.filter(item=bag, store=world.shops[2].store).exists()

    def test_cancelling_gives_the_units_back_to_the_store_they_came_from(self, world, member, bag):
        order = place(world.a, member, bag, quantity=2)["order_id"]
        # Cancelled at store B: the units still go back to A, where they were taken.
        cancelled = mall_order_cancel(actor=world.b.actor, order_id=order, request_key=key(), now=now())
        assert cancelled["state"] == "cancelled"
        assert store_stock(bag, world.a) == (5, 5)
        assert store_stock(bag, world.b) == (2, 2)
        assert balance(member) == 1000

    def test_an_item_without_store_rows_keeps_its_pool(self, world, member):
        item = item_new(world.program, stock=4)
        place(world.shops[2], member, item)
        item.refresh_from_db()
        assert (item.stock, item.stock_given) == (3, 4)
        assert MallOrder.objects.get().store_stock is None


class TestCatalogue:
    def test_each_store_sees_its_own_stock_and_why_it_cannot_order(self, world, member, bag):
        place(world.b, member, bag, quantity=2)  # B 2 → 0; the member keeps 400 points
        seen, reasons = {}, {}
        for shop in world.shops:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {shop.key}")
            response = client.get(f"/api/v1/members/{member.public_id}/mall?store={shop.store.code}",
                                  HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
            assert response.status_code == 200, response.content
            (entry,) = response.json()["items"]
            seen[shop.store.code] = (entry["stock"], entry["stock_scope"], entry["unavailable"])
            reasons[shop.store.code] = entry["unavailable_reason"]
        assert seen == {"S001": (5, "store", None), "S002": (0, "store", "stock"), "S003": (0, "store", "stock")}
        assert reasons["S001"] is None
        assert reasons["S002"] == reasons["S003"] != "Out of stock at this store."  # translated for the till
        assert reasons["S002"]

    def test_a_pool_item_says_programme_and_its_reason_in_english(self, world, member):
        item_new(world.program, stock=0)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {world.a.key}")
        (entry,) = client.get(f"/api/v1/members/{member.public_id}/mall?store={world.a.store.code}").json()["items"]
        assert (entry["stock"], entry["stock_scope"], entry["unavailable"]) == (0, "programme", "stock")
        assert entry["unavailable_reason"] == "Out of stock."


class TestRestock:
    def test_units_to_add_raise_stock_and_stock_given_on_top_of_what_orders_took(self, world, member, bag):
        place(world.a, member, bag, quantity=3)  # A: 2 left of 5 given
        assert (add(world, bag, world.a, 10).stock, store_stock(bag, world.a)) == (12, (12, 15))
        add(world, bag, world.a, -4)  # taking units away lowers both, so open orders plus stock still match
        assert store_stock(bag, world.a) == (8, 11)
        assert ledger_verify() == []
        record = AuditRecord.objects.filter(action="mall.stock_add").last()
        assert (record.object_id, record.details) == (bag.public_id, {"store_id": world.a.store.id, "units": -4})

    def test_a_new_store_row_with_nothing_in_it_is_allowed(self, world, bag):
        assert store_stock_give(bag, world.shops[2], 0).stock == 0
        assert store_stock(bag, world.shops[2]) == (0, 0)


class TestHostileInput:
    def test_the_database_refuses_negative_store_stock(self, world, bag):
        with pytest.raises(IntegrityError), transaction.atomic():
            MallStoreStock.objects.filter(item=bag, store=world.a.store).update(stock=-1)
        assert store_stock(bag, world.a) == (5, 5)

    def test_the_database_refuses_stock_above_the_stock_given(self, world, bag):
        with pytest.raises(IntegrityError), transaction.atomic():
            MallStoreStock.objects.filter(item=bag, store=world.a.store).update(stock=F("stock") + 1)

    def test_the_database_refuses_a_second_row_for_the_same_store(self, world, bag):
        with pytest.raises(IntegrityError), transaction.atomic():
            MallStoreStock.objects.create(item=bag, store=world.a.store)

    def test_taking_away_more_than_is_left_is_refused_and_nothing_changes(self, world, bag):
        audited = AuditRecord.objects.count()
        with translation.override("ko"):
            error = refused(add, world, bag, world.a, -6)
            assert error.text() != "Stock cannot be negative."
        assert (error.code, error.status) == ("mall_stock_invalid", 422)
        assert store_stock(bag, world.a) == (5, 5)
        assert AuditRecord.objects.count() == audited

    def test_minus_one_for_a_store_without_a_row_is_refused_and_makes_no_row(self, world, bag):
        assert refused(add, world, bag, world.shops[2], -1).code == "mall_stock_invalid"
        assert not MallStoreStock.objects.filter(item=bag, store=world.shops[2].store).exists()

    @pytest.mark.parametrize("units", [True, "3", 2.0, None])
    def test_units_that_are_not_a_whole_number_are_refused(self, world, bag, units):
        assert refused(add, world, bag, world.a, units).code == "mall_stock_invalid"
        assert store_stock(bag, world.a) == (5, 5)

    def test_an_item_with_units_in_its_pool_cannot_take_store_stock(self, world):
        item = item_new(world.program, stock=3)
        error = refused(add, world, item, world.a, 5)
        assert (error.code, error.details) == ("mall_stock_pool_in_use", {"stock": 3})
        assert not MallStoreStock.objects.exists()

    def test_a_store_of_a_merchant_outside_the_programme_is_refused(self, world):
        other = world_build(name="Other")
        item = item_new(world.program, stock=0)
        assert refused(add, world, item, other.a, 5).code == "mall_store_not_serving"
        assert not MallStoreStock.objects.exists()


class TestVerify:
    def test_the_check_notices_a_store_whose_stock_does_not_add_up(self, world, member, bag):
        place(world.a, member, bag)
        with transaction.atomic():
            MallStoreStock.objects.filter(item=bag, store=world.a.store).update(stock_given=F("stock_given") + 1)
            problems = [v.check for v in ledger_verify()]
            transaction.set_rollback(True)  # undo the damage, so the suite's own check after the test passes
        assert problems == [
            "M4 per-store mall stock is never negative and a store's orders never exceed the stock given there"
        ]

    def test_the_check_notices_an_order_that_took_another_stores_units(self, world, member, bag):
        order = place(world.a, member, bag)["order_id"]
        b_row = MallStoreStock.objects.get(item=bag, store=world.b.store)
        with transaction.atomic():
            MallOrder.objects.filter(public_id=order).update(store_stock=b_row)
            problems = {v.check[:2] for v in ledger_verify()}
            transaction.set_rollback(True)
        assert problems == {"M4", "M5"}
