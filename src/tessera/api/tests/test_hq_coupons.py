"""Headquarters issues coupons to a list of members: all or none, limits enforced, other programmes refused."""

from __future__ import annotations

import pytest

from tessera.api.tests.test_hq_programs import client, token_for
from tessera.coupons.models import Coupon, CouponTemplate
from tessera.testing import member_new, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = world_build()
    CouponTemplate.objects.create(program=world.program, code="VIP", kind="cash", amount_minor=2_000, valid_days=7,
                                  total_limit=3)  # fmt: skip
    return world


def issue(token, world, body, **headers):
    return client(token).post(f"/api/v1/programs/{world.program.public_id}/coupons/issue", body,
                              content_type="application/json", **headers)  # fmt: skip


def test_issue_to_a_list(world):
    hq = token_for(world, "hq_admin", "hq")
    members = [member_new(world), member_new(world)]
    response = issue(hq, world, {"template": "VIP", "members": [m.public_id for m in members]})
    assert response.status_code == 201, response.content
    issued = response.json()["issued"]
    assert [row["member_id"] for row in issued] == [m.public_id for m in members]
    assert Coupon.objects.filter(source="bulk").count() == 2


def test_all_or_none_and_clear_refusals(world):
    hq = token_for(world, "hq_admin", "hq")
    members = [member_new(world) for _ in range(4)]
    over = issue(hq, world, {"template": "VIP", "members": [m.public_id for m in members]}, HTTP_ACCEPT_LANGUAGE="ko")
    assert over.status_code == 409
    assert over.json()["error"]["code"] == "coupon_issue_limit_reached"
    assert not Coupon.objects.exists()
    unknown = issue(hq, world, {"template": "NOPE", "members": [members[0].public_id]})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "coupon_template_not_found")
    stranger = member_new(world_build(name="Rival"))
    foreign = issue(hq, world, {"template": "VIP", "members": [stranger.public_id]})
    assert foreign.status_code == 404
    assert not Coupon.objects.exists()


def test_only_headquarters_may_issue(world):
    manager = token_for(world, "store_manager", "mgr")
    assert issue(manager, world, {"template": "VIP", "members": [member_new(world).public_id]}).status_code == 403
