"""A mall item with 10 in stock, ordered 200 times at once from 16 tills: exactly 10 orders, never below zero.

Once with the programme's pool, once with the 10 kept at one store.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.models import Posting
from tessera.ledger.verify import ledger_verify
from tessera.mall.models import MallItem, MallOrder, MallStoreStock
from tessera.mall.services import mall_order_place
from tessera.mall.tests.factories import balance, item_new, points_give, store_stock, store_stock_give
from tessera.testing import key, member_new, world_build

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]
TILLS = 16
ATTEMPTS = 200
MEMBERS = 20


def test_two_hundred_orders_for_ten_units_make_exactly_ten_orders():
    world = world_build(stores=2)
    members = [member_new(world) for _ in range(MEMBERS)]
    for member in members:
        points_give(world.a, member, 500)
    item = item_new(world.program, stock=10, points_price=100)

    def attempt(i):
        try:
            mall_order_place(actor=world.shops[i % 2].actor, member=members[i % MEMBERS], item_id=item.public_id,
                             quantity=1, request_key=key(), now=now())  # fmt: skip
            return "ok"
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=TILLS) as pool:
        outcomes = Counter(pool.map(attempt, range(ATTEMPTS)))

    assert outcomes == Counter({"ok": 10, "mall_out_of_stock": ATTEMPTS - 10})
    assert MallItem.objects.get(id=item.id).stock == 0
    assert MallOrder.objects.count() == 10
    assert Posting.objects.filter(reason="mall_order").count() == 10
    assert sum(500 - balance(m) for m in members) == 10 * 100
    assert ledger_verify() == []


def test_two_hundred_orders_at_one_store_holding_ten_make_exactly_ten_orders():
    world = world_build(stores=2)
    members = [member_new(world) for _ in range(MEMBERS)]
    for member in members:
        points_give(world.a, member, 500)
    item = item_new(world.program, stock=0, points_price=100)
    store_stock_give(item, world.a, 10)
    store_stock_give(item, world.b, 3)

    def attempt(i):
        try:
            mall_order_place(actor=world.a.actor, member=members[i % MEMBERS], item_id=item.public_id, quantity=1,
                             request_key=key(), now=now())  # fmt: skip
            return "ok"
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=TILLS) as pool:
        outcomes = Counter(pool.map(attempt, range(ATTEMPTS)))

    assert outcomes == Counter({"ok": 10, "mall_out_of_stock": ATTEMPTS - 10})
    assert store_stock(item, world.a) == (0, 10)
    assert store_stock(item, world.b) == (3, 3)
    assert MallItem.objects.values_list("stock", "stock_given").get(id=item.id) == (0, 0)
    a_row = MallStoreStock.objects.get(item=item, store=world.a.store)
    assert MallOrder.objects.filter(store_stock=a_row).count() == MallOrder.objects.count() == 10
    assert Posting.objects.filter(reason="mall_order").count() == 10
    assert sum(500 - balance(m) for m in members) == 10 * 100
    assert ledger_verify() == []
