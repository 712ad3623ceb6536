"""The coupon parts of the POS API: quote, commit, member coupons, release, refusals in the till's language."""

from __future__ import annotations

import pytest
from django.test import Client

from tessera.coupons.models import Coupon, CouponTemplate, CouponTemplateTranslation
from tessera.coupons.services import coupons_issue
from tessera.kit.clock import now
from tessera.testing import member_new, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    world = world_build()
    member = member_new(world)
    tpl = CouponTemplate.objects.create(program=world.program, code="C30", kind="cash", amount_minor=3_000,
                                        valid_days=30)  # fmt: skip
    CouponTemplateTranslation.objects.create(template=tpl, language_code="zh-hans", name="满减券 30 元")
    (coupon,) = coupons_issue(actor=world.a.actor, template_code="C30", members=[member], now=now())
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.a.key}")
    return world, member, coupon, client


def _sale(world, member, pos_number, total, coupons=None, **extra):
    body = {
        "store": world.a.store.code, "member": member.public_id, "pos_number": pos_number,
        "event_at": now().isoformat(), "currency": "CNY",
        "lines": [{"line_no": 1, "sku": "S1", "name": "Shirt", "quantity": 1, "unit_price_minor": 10_000}],
        "tenders": [{"kind": "cash", "amount_minor": total}], **extra,
    }  # fmt: skip
    if coupons is not None:
        body["coupons"] = coupons
    return body


def test_quote_hold_commit_over_http(setup):
    world, member, coupon, client = setup
    quote = client.post("/api/v1/sales/quote", _sale(world, member, "H1", 10_000, hold_coupons=True),
                        content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert quote.status_code == 200, quote.content
    body = quote.json()
    assert body["total_minor"] == 7_000
    assert body["coupons"]["used"][0]["name"] == "满减券 30 元"
    assert body["coupons"]["held"] == [coupon.code]
    sale = client.post("/api/v1/sales", _sale(world, member, "H1", 7_000, [coupon.code]),
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-h1")  # fmt: skip
    assert sale.status_code == 201, sale.content
    assert sale.json()["coupons"]["total_minor"] == 3_000
    assert Coupon.objects.get(pk=coupon.pk).state == "redeemed"


def test_unknown_code_is_a_translated_404_and_changes_nothing(setup):
    world, member, coupon, client = setup
    response = client.post("/api/v1/sales", _sale(world, member, "X1", 7_000, ["AAAA-BBBB-CCCC-D"]),
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-x1",
                           HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "coupon_not_found"
    assert response.json()["error"]["message"] != "No such coupon for this member."
    assert Coupon.objects.get(pk=coupon.pk).state == "issued"


def test_member_coupons_and_release(setup):
    world, member, coupon, client = setup
    listed = client.get(f"/api/v1/members/{member.public_id}/coupons", {"store": world.a.store.code})
    assert listed.status_code == 200
    (only,) = listed.json()["coupons"]
    assert (only["code"], only["state"]) == (coupon.code, "issued")
    assert only["display_code"].replace("-", "") == coupon.code
    client.post("/api/v1/sales/quote", _sale(world, member, "R1", 10_000, hold_coupons=True),
                content_type="application/json")  # fmt: skip
    released = client.post("/api/v1/coupons/release", {"store": world.a.store.code, "pos_number": "R1"},
                           content_type="application/json")  # fmt: skip
    assert released.json() == {"released": 1}
    assert Coupon.objects.get(pk=coupon.pk).state == "issued"
