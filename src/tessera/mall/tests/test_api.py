"""The mall over the POS API: catalogue with reasons, order, read, advance, cancel, refusals translated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tessera.kit.clock import now
from tessera.mall.models import MallItem, MallItemTranslation, MallOrder
from tessera.mall.tests.factories import balance, item_new, points_give
from tessera.testing import member_new, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    world = world_build()
    member = member_new(world)
    points_give(world.a, member, 500)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.a.key}")
    return world, member, client


def post(client, path, body, **headers):
    return client.post(path, body, content_type="application/json", **headers)


def test_the_catalogue_says_why_an_item_cannot_be_ordered(setup):
    world, member, client = setup
    bag = item_new(world.program, points_price=300)
    MallItemTranslation.objects.create(item=bag, language_code="zh-hans", name="帆布袋")
    item_new(world.program, points_price=300, stock=0)
    item_new(world.program, points_price=900)
    item_new(world.program, points_price=10, tier_codes=["gold"])
    response = client.get(f"/api/v1/members/{member.public_id}/mall?store={world.a.store.code}",
                          HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [(i["points_price"], i["unavailable"]) for i in items] == [
        (10, "tier"),
        (300, None),
        (300, "stock"),
        (900, "points"),
    ]
    assert items[1]["name"] == "帆布袋"


def test_order_read_advance_and_cancel_over_http(setup):
    world, member, client = setup
    item = item_new(world.program, points_price=200, cash_minor=990)
    body = {"store": world.a.store.code, "member": member.public_id, "item": item.public_id, "quantity": 2}
    created = post(client, "/api/v1/mall/orders", body, HTTP_IDEMPOTENCY_KEY="m1")
    assert created.status_code == 201, created.content
    order = created.json()["order_id"]
    assert created.json()["cash_minor"] == 1980
    assert post(client, "/api/v1/mall/orders", body, HTTP_IDEMPOTENCY_KEY="m1").json() == created.json()
    assert client.get(f"/api/v1/mall/orders/{order}?store={world.a.store.code}").json()["state"] == "ordered"
    ready = post(client, f"/api/v1/mall/orders/{order}/advance", {"store": world.a.store.code, "state": "ready"})
    assert ready.json()["state"] == "ready"
    cancelled = post(client, f"/api/v1/mall/orders/{order}/cancel", {"store": world.a.store.code},
                     HTTP_IDEMPOTENCY_KEY="c1")  # fmt: skip
    assert cancelled.json()["state"] == "cancelled"
    again = post(client, f"/api/v1/mall/orders/{order}/advance", {"store": world.a.store.code, "state": "ready"},
                 HTTP_ACCEPT_LANGUAGE="ko")  # fmt: skip
    assert again.status_code == 409
    assert "주문" in again.content.decode()
    assert balance(member) == 500
    assert MallItem.objects.get(id=item.id).stock == 10


@pytest.mark.parametrize("quantity", [0, -3])
def test_a_bad_quantity_is_a_translated_4xx_and_changes_nothing(setup, quantity):
    world, member, client = setup
    item = item_new(world.program)
    body = {"store": world.a.store.code, "member": member.public_id, "item": item.public_id, "quantity": quantity}
    response = post(client, "/api/v1/mall/orders", body, HTTP_IDEMPOTENCY_KEY="q1", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    assert "数量" in response.content.decode()
    assert MallOrder.objects.count() == 0
    assert balance(member) == 500


def test_not_enough_points_is_a_409_and_an_unknown_item_a_404(setup):
    world, member, client = setup
    item = item_new(world.program, points_price=501)
    body = {"store": world.a.store.code, "member": member.public_id, "item": item.public_id}
    assert post(client, "/api/v1/mall/orders", body, HTTP_IDEMPOTENCY_KEY="p1").status_code == 409
    body["item"] = "mit_unknown"
    assert post(client, "/api/v1/mall/orders", body, HTTP_IDEMPOTENCY_KEY="p2").status_code == 404
    assert MallOrder.objects.count() == 0
    assert balance(member) == 500


def test_the_catalogue_shows_an_item_not_yet_on_sale_as_dates_and_leaves_out_an_ended_one(setup):
    world, member, client = setup
    soon = item_new(world.program, points_price=100, active_from=now() + timedelta(days=3))
    item_new(world.program, points_price=100, active_until=now() - timedelta(days=1))
    response = client.get(f"/api/v1/members/{member.public_id}/mall?store={world.a.store.code}")
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [(i["item_id"], i["unavailable"]) for i in items] == [(soon.public_id, "dates")]
    assert items[0]["active_from"] == soon.active_from.isoformat()
