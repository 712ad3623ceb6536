"""The personal catalogue and the "due soon" list as the console and the POS API show them."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tessera.access.console.acting import SESSION_STORE_KEY
from tessera.access.models import StaffUser
from tessera.analytics.tests.test_recommend import NOW, zoe_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(tmp_path):
    world, members = zoe_world(tmp_path)
    return world, members


def console(world, role):
    user = StaffUser.objects.create_user(username=f"u-{role}", password="x" * 12, role=role, merchant=world.merchant)
    user.stores.set([world.a.store])
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_STORE_KEY] = world.a.store.id
    session.save()
    return client


def terminal(world):
    return Client(headers={"Authorization": f"Bearer {world.a.key}"})


def test_the_member_page_lists_recommendations_with_reasons_and_rhythms(shop):
    world, members = shop
    url = reverse("console:cycles:recommendations", kwargs={"member_id": members["zoe"].public_id})
    with time_machine.travel(NOW, tick=False):
        page = console(world, "cashier").get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "You buy coffee beans about every 21 days; the last was 17 days ago." in html
    assert "100 % of members who bought running shoes bought sports socks within 90 days." in html
    assert "Regular" in html


def test_the_due_page_shows_the_stores_members_and_refuses_a_bad_window_plainly(shop):
    world, members = shop
    client = console(world, "store_manager")
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("console:cycles:due"), {"days": "7"})
        bad = client.get(reverse("console:cycles:due"), {"days": "nine"})
        download = client.get(reverse("console:cycles:due"), {"days": "7", "format": "csv"})
    assert page.status_code == 200
    assert members["zoe"].name in page.content.decode()
    assert "The number of days must be a whole number from 1 to 366; showing 14." in bad.content.decode()
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [(r["member_id"], r["category"], r["days_until"]) for r in rows] == [
        (members["zoe"].public_id, "coffee beans", "4")
    ]


def test_a_cashier_may_not_see_the_due_list(shop):
    world, _members = shop
    assert console(world, "cashier").get(reverse("console:cycles:due")).status_code == 403


def test_the_pos_gets_the_personal_catalogue(shop):
    world, members = shop
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        answer = terminal(world).get(f"/api/v1/members/{members['zoe'].card_number}/recommendations", {"limit": 3})
    body = answer.json()
    assert answer.status_code == 200, body
    assert body["member_id"] == members["zoe"].public_id
    assert [(r["source"], r["category"], r["sku"]) for r in body["recommendations"]] == [
        ("due", "coffee beans", ""),
        ("affinity", "", "SOCK-1"),
        ("affinity", "sports socks", ""),
    ]
    beans = next(r for r in body["rhythms"] if r["category"] == "coffee beans")
    assert (beans["interval_days"], beans["regularity"], beans["days_until"], beans["state"]) == (
        21,
        "regular",
        4,
        "due",
    )


def test_the_pos_gets_its_own_stores_due_list_and_no_other(shop):
    world, members = shop
    with time_machine.travel(NOW, tick=False):
        answer = terminal(world).get("/api/v1/cycles/due", {"days": 7})
        other = terminal(world).get("/api/v1/cycles/due", {"store": world.b.store.code})
        too_wide = terminal(world).get("/api/v1/cycles/due", {"days": 400})
    body = answer.json()
    assert answer.status_code == 200, body
    assert (body["store"], body["days"], body["local_date"]) == (world.a.store.code, 7, NOW.date().isoformat())
    assert [(m["member_id"], m["rhythm"]["category"]) for m in body["members"]] == [
        (members["zoe"].public_id, "coffee beans")
    ]
    assert (other.status_code, other.json()["error"]["code"]) == (403, "wrong_store")
    assert too_wide.status_code == 422
