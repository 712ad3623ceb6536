from __future__ import annotations

import pytest
from django.test import Client

from tessera.kit.actor import Actor
from tessera.kit.clock import now
from tessera.members.services import Profile, member_enroll
from tessera.programs.services import program_create
from tessera.stores.services import merchant_create, store_create, terminal_create, terminal_key_issue


@pytest.mark.django_db
def test_sale_over_api_is_idempotent():
    m = merchant_create(name="Chain", country="CN", timezone="Asia/Shanghai", currency="CNY")
    s = store_create(merchant=m, code="S001", name="Store 1")
    t = terminal_create(store=s, name="till-1")
    key = terminal_key_issue(terminal=t).secret
    p = program_create(owner=m, name="Club")
    actor = Actor(store_id=s.id, merchant_id=m.id, currency="CNY", terminal_id=t.id)
    member = member_enroll(program=p, profile=Profile(phone="13800138000", name="Li"), actor=actor, now=now()).body
    c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {
        "store": "S001",
        "pos_number": "A1",
        "event_at": now().isoformat(),
        "member": member["member_id"],
        "currency": "CNY",
        "lines": [{"line_no": 1, "sku": "X", "name": "Shirt", "quantity": 1, "unit_price_minor": 12900}],
        "tenders": [{"kind": "cash", "amount_minor": 12900}],
    }
    r1 = c.post("/api/v1/sales", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert r1.status_code == 201, r1.content
    r2 = c.post("/api/v1/sales", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert r2.content == r1.content
    assert r2["Idempotent-Replayed"] == "true"
    assert r1.json()["points"]["earned"] == 129
    r3 = c.post(
        "/api/v1/sales", {**body, "pos_number": "A2"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert r3.status_code == 409
    assert r3.json()["error"]["code"] == "idempotency_key_reused"
    r4 = c.post("/api/v1/sales", {**body, "points": 5}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k9")
    assert r4.status_code == 422
    assert c.get("/api/docs").status_code == 200
