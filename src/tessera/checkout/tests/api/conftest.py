from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tessera.checkout.models import Document, DocumentLine, Tender
from tessera.idempotency.models import IdempotencyRecord
from tessera.kit.clock import now
from tessera.ledger.models import Account, Entry, Posting
from tessera.members.models import Member
from tessera.testing import World, band_set, member_new, top_up, world_build


@dataclass
class Pos:
    """A POS terminal talking to the API with its key."""

    client: Client
    store_code: str

    def post(self, path: str, body: dict[str, Any], key: str | None = "auto", **headers: str) -> Any:
        if key == "auto":
            key = f"{path}-{body.get('pos_number', '')}"
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", **headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params)


def pos_for(world: World, index: int = 0) -> Pos:
    shop = world.shops[index]
    return Pos(Client(HTTP_AUTHORIZATION=f"Bearer {shop.key}"), shop.store.code)


def snapshot() -> dict[str, int]:
    """Row counts of everything a write could touch; equal snapshots mean nothing changed."""
    models = [Document, DocumentLine, Tender, Posting, Entry, Account, Member, IdempotencyRecord]
    counts = {m.__name__: m.objects.count() for m in models}
    counts["balances"] = sum(a.balance or 0 for a in Account.objects.filter(balance__isnull=False))
    return counts


@pytest.fixture
def world(db) -> World:
    w = world_build()
    band_set(w, 100000, 10000)
    return w


@pytest.fixture
def member(world) -> Member:
    m = member_new(world)
    top_up(world.a, m, 100000)
    return m


@pytest.fixture
def pos(world) -> Pos:
    return pos_for(world, 0)


def sale_body(who: Member, store: str = "S001", pos_number: str = "P-1", **overrides: Any) -> dict[str, Any]:
    body = {
        "store": store,
        "pos_number": pos_number,
        "event_at": now().isoformat(),
        "member": who.public_id,
        "currency": "CNY",
        "lines": [
            {
                "line_no": 1,
                "sku": "T-100",
                "name": "Linen shirt",
                "brand": "Mori",
                "category": "tops",
                "quantity": 2,
                "unit_price_minor": 12900,
            },
            {
                "line_no": 2,
                "sku": "J-200",
                "name": "Straight jeans",
                "category": "trousers",
                "quantity": 1,
                "unit_price_minor": 29900,
            },
        ],
        "tenders": [{"kind": "stored_value", "amount_minor": 30000}, {"kind": "wechat_pay", "amount_minor": 25700}],
    }
    body.update(overrides)
    return body
