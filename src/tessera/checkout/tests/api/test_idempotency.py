"""Every POS write replays: same key and body give the same answer and no new rows (L-3, L-4, F-9)."""

from __future__ import annotations

import pytest

from tessera.checkout.tests.api.conftest import pos_for, sale_body, snapshot
from tessera.kit.clock import now

pytestmark = pytest.mark.django_db


def writes(member):
    at = now().isoformat()
    return [
        ("/members", {"store": "S001", "phone": "13912345678", "name": "Wang Fang"}),
        ("/sales", sale_body(member, pos_number="S-1")),
        (
            "/top-ups",
            {
                "store": "S001",
                "pos_number": "T-1",
                "event_at": at,
                "member": member.public_id,
                "currency": "CNY",
                "amount_minor": 20000,
                "tender": "alipay",
            },
        ),
        (
            "/redemptions",
            {"store": "S001", "pos_number": "R-1", "event_at": at, "member": member.public_id, "points": 1},
        ),
        (
            "/returns",
            {
                "store": "S001",
                "pos_number": "B-1",
                "event_at": at,
                "original_pos_number": "S-1",
                "lines": [{"line_no": 1, "quantity": 1}],
            },
        ),
    ]


def test_every_write_replays_byte_for_byte_without_new_rows(pos, member):
    for path, body in writes(member):
        first = pos.post(path, body, key=f"key{path}")
        assert first.status_code == 201, (path, first.content)
        before = snapshot()
        again = pos.post(path, body, key=f"key{path}")
        assert (again.status_code, again.content) == (201, first.content), path
        assert again["Idempotent-Replayed"] == "true"
        assert snapshot() == before, path


def test_same_key_with_another_body_is_a_conflict_that_writes_nothing(pos, member):
    for path, body in writes(member):
        assert pos.post(path, body, key=f"key{path}").status_code == 201
        before = snapshot()
        changed = {**body, "pos_number": "OTHER"} if "pos_number" in body else {**body, "name": "Someone Else"}
        response = pos.post(path, changed, key=f"key{path}")
        assert response.status_code == 409, path
        assert response.json()["error"]["code"] == "idempotency_key_reused"
        assert snapshot() == before


def test_same_key_on_another_endpoint_is_a_conflict(pos, member):
    assert pos.post("/sales", sale_body(member), key="shared").status_code == 201
    response = pos.post(
        "/top-ups",
        {
            "store": "S001",
            "pos_number": "T-9",
            "event_at": now().isoformat(),
            "member": member.public_id,
            "currency": "CNY",
            "amount_minor": 100,
        },
        key="shared",
    )
    assert response.status_code == 409


def test_offline_resync_with_a_new_key_never_counts_a_document_twice(pos, member):
    first = pos.post("/sales", sale_body(member, pos_number="OFF-1"), key="before-the-outage")
    before = snapshot()
    resent = pos.post(
        "/sales", sale_body(member, pos_number="OFF-1") | {"event_at": first.json()["event_at"]}, key="after-the-outage"
    )
    assert resent.status_code == 201
    assert resent.json()["document_id"] == first.json()["document_id"]
    assert resent["Idempotent-Replayed"] == "true"
    assert snapshot()["Posting"] == before["Posting"]


def test_a_reused_document_number_with_other_contents_is_a_conflict(pos, member):
    body = sale_body(member, pos_number="DUP-1")
    assert pos.post("/sales", body, key="a").status_code == 201
    before = snapshot()
    other = {**body, "lines": body["lines"][:1], "tenders": [{"kind": "cash", "amount_minor": 25800}]}
    response = pos.post("/sales", other, key="b")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "document_number_conflict"
    assert snapshot() == before


def test_the_same_number_at_another_store_is_another_document(world, member):
    a, b = pos_for(world, 0), pos_for(world, 1)
    assert a.post("/sales", sale_body(member, pos_number="N-1"), key="x").status_code == 201
    assert b.post("/sales", sale_body(member, store="S002", pos_number="N-1"), key="x").status_code == 201


def test_a_failed_request_stores_nothing_so_the_key_can_be_retried(pos, member):
    too_much = sale_body(
        member,
        pos_number="F-1",
        tenders=[{"kind": "stored_value", "amount_minor": 55700}],
        lines=[{"line_no": 1, "sku": "C", "name": "Coat", "quantity": 2, "unit_price_minor": 278500}],
    )
    too_much["tenders"] = [{"kind": "stored_value", "amount_minor": 557000}]
    first = pos.post("/sales", too_much, key="retry-me")
    assert first.status_code == 409
    assert first.json()["error"]["code"] == "insufficient_balance"
    fixed = sale_body(member, pos_number="F-1")
    assert pos.post("/sales", fixed, key="retry-me").status_code == 201
