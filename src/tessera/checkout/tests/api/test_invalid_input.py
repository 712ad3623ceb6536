"""Bad input gets a 4xx with a clear, coded error and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from tessera.checkout.tests.api.conftest import pos_for, sale_body, snapshot
from tessera.kit.clock import now
from tessera.stores.models import TerminalKey
from tessera.stores.services import terminal_key_revoke

pytestmark = pytest.mark.django_db

LINE = {"line_no": 1, "sku": "A", "name": "Scarf", "quantity": 1, "unit_price_minor": 9900}


def bad_sales(member):
    yield "unknown member", 404, "member_not_found", sale_body(member, member="mbr_01aaaaaaaaaaaaaaaaaaaaaaaa")
    yield "guessed card", 404, "member_not_found", sale_body(member, member="8000000000000000")
    yield "negative quantity", 422, "invalid_request", sale_body(member, lines=[{**LINE, "quantity": -1}])
    yield "zero quantity", 422, "invalid_request", sale_body(member, lines=[{**LINE, "quantity": 0}])
    yield "negative price", 422, "invalid_request", sale_body(member, lines=[{**LINE, "unit_price_minor": -5}])
    yield "unknown currency", 422, "unknown_currency", sale_body(member, currency="XYZ")
    yield "other currency", 422, "currency_mismatch", sale_body(member, currency="KRW")
    yield "overflow", 422, "invalid_request", sale_body(member, lines=[{**LINE, "unit_price_minor": 10**19}])
    yield (
        "total overflow",
        422,
        "amount_invalid",
        sale_body(
            member,
            lines=[{**LINE, "quantity": 100000, "unit_price_minor": 10**13}],
            tenders=[{"kind": "cash", "amount_minor": 10**13}],
        ),
    )
    yield "tenders short", 422, "tender_mismatch", sale_body(member, tenders=[{"kind": "cash", "amount_minor": 1}])
    yield "unknown tender", 422, "invalid_request", sale_body(member, tenders=[{"kind": "gold", "amount_minor": 1}])
    yield "tampered points", 422, "invalid_request", {**sale_body(member), "points_earned": 99999}
    yield "tampered total", 422, "invalid_request", {**sale_body(member), "total_minor": 1}
    yield "naive time", 422, "invalid_request", sale_body(member, event_at="2026-11-01T10:00:00")
    yield "future time", 422, "event_time_invalid", sale_body(member, event_at="2099-01-01T00:00:00+08:00")
    yield "no lines", 422, "invalid_request", sale_body(member, lines=[])
    yield (
        "twice line 1",
        422,
        "line_invalid",
        sale_body(member, lines=[LINE, LINE], tenders=[{"kind": "cash", "amount_minor": 19800}]),
    )
    yield (
        "discount over value",
        422,
        "line_invalid",
        sale_body(member, lines=[{**LINE, "discount_minor": 10000}], tenders=[]),
    )
    yield "wrong store", 403, "wrong_store", sale_body(member, store="S002")
    yield "not json", 400, "malformed_request", "{"


def test_bad_sales_are_refused_and_change_nothing(pos, member):
    for label, status, code, body in bad_sales(member):
        before = snapshot()
        response = pos.post("/sales", body, key=f"k-{label}")
        assert response.status_code == status, (label, response.content)
        error = response.json()["error"]
        assert error["code"] == code, label
        assert error["message"], label
        assert snapshot() == before, label


def test_missing_or_malformed_idempotency_key(pos, member):
    before = snapshot()
    assert pos.post("/sales", sale_body(member), key=None).json()["error"]["code"] == "idempotency_key_missing"
    assert pos.post("/sales", sale_body(member), key="é" * 3).status_code == 400
    assert snapshot() == before


def test_malformed_phone_on_enrolment(pos):
    for phone in ["12345", "not a phone", "+86 000 0000 0000"]:
        before = snapshot()
        response = pos.post("/members", {"store": "S001", "phone": phone, "name": "X"}, key=f"p-{phone}")
        assert response.status_code == 422, phone
        assert response.json()["error"]["code"] == "phone_invalid"
        assert snapshot() == before


def test_duplicate_phone_on_enrolment(pos):
    assert pos.post("/members", {"store": "S001", "phone": "13900001111", "name": "A"}, key="e1").status_code == 201
    response = pos.post("/members", {"store": "S001", "phone": "+86 139 0000 1111", "name": "B"}, key="e2")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "member_exists"


def test_top_up_bad_amounts(pos, member):
    base = {
        "store": "S001",
        "pos_number": "T",
        "event_at": now().isoformat(),
        "member": member.public_id,
        "currency": "CNY",
    }
    for amount in [0, -100, 10**14]:
        before = snapshot()
        response = pos.post("/top-ups", {**base, "amount_minor": amount}, key=f"t{amount}")
        assert response.status_code == 422
        assert snapshot() == before
    response = pos.post("/top-ups", {**base, "amount_minor": 100, "tender": "stored_value"}, key="sv")
    assert response.status_code == 422


def test_keys_are_checked(world, member):
    anonymous = Client()
    assert anonymous.post("/api/v1/sales", {}, content_type="application/json").status_code == 401
    forged = Client(HTTP_AUTHORIZATION="Bearer tsk_0000000000000000_nope")
    response = forged.get("/api/v1/members/lookup", {"q": member.card_number})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    terminal_key_revoke(key=TerminalKey.objects.get(terminal=world.a.terminal), now=now())
    assert pos_for(world, 0).get("/members/lookup", q=member.card_number).status_code == 401
    assert (
        Client(HTTP_X_API_KEY=world.b.key).get("/api/v1/members/lookup", {"q": member.card_number}).status_code == 200
    )


def test_errors_are_translated(pos, member):
    response = pos.post("/sales", sale_body(member, member="mbr_x"), key="zh", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json()["error"]["code"] == "member_not_found"
    english = pos.post("/sales", sale_body(member, member="mbr_x"), key="en", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["message"].startswith("No member")
