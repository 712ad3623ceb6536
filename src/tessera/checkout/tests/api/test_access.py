"""A terminal acts only as its own store, and sees only members of programmes its merchant serves."""

from __future__ import annotations

import pytest

from tessera.checkout.tests.api.conftest import pos_for, sale_body, snapshot
from tessera.testing import member_new, sell, world_build

pytestmark = pytest.mark.django_db


def test_store_a_key_cannot_act_as_store_b(world, member):
    a = pos_for(world, 0)
    for path, body in [
        ("/sales", sale_body(member, store="S002")),
        ("/members", {"store": "S002", "phone": "13911112222", "name": "X"}),
    ]:
        before = snapshot()
        response = a.post(path, body, key=f"x{path}")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "wrong_store"
        assert snapshot() == before


def test_any_store_of_the_chain_serves_the_member(world, member):
    b = pos_for(world, 1)
    assert b.post("/sales", sale_body(member, store="S002"), key="b1").status_code == 201
    assert b.get(f"/members/{member.public_id}").json()["balances"]["points"] == 257


def test_another_merchant_cannot_see_or_charge_the_member(world, member):
    other = world_build(name="Rival")
    rival = pos_for(other, 0)
    assert rival.get(f"/members/{member.public_id}").status_code == 404
    assert rival.get("/members/lookup", q=member.card_number).json() == {"members": []}
    assert rival.get("/members/lookup", q=member.phone).json() == {"members": []}
    before = snapshot()
    assert rival.post("/sales", sale_body(member), key="r").status_code == 404
    assert snapshot() == before


def test_lookup_by_phone_card_and_code(world, member, pos):
    for query in [member.phone, member.phone[3:], member.card_number, f"TSR1:{member.card_code}", member.card_code]:
        found = pos.get("/members/lookup", q=query).json()["members"]
        assert [m["member_id"] for m in found] == [member.public_id], query
        assert "****" in found[0]["phone_masked"]


def test_history_lists_every_entry_with_store_time_and_reason(world, member, pos):
    sell(world.b, member, [(1, 5000)])
    history = pos.get(f"/members/{member.public_id}/history", limit=2).json()
    assert [e["reason"] for e in history["entries"]] == ["sale", "top_up"]
    assert history["entries"][0]["store_code"] == "S002"
    older = pos.get(f"/members/{member.public_id}/history", before=history["next_before"]).json()
    assert {e["reason"] for e in older["entries"]} == {"top_up"}
    assert member_new(world).public_id  # a member with no history has an empty page
