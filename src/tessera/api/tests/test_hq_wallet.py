"""Headquarters reads the stored-value liability of its programme: per store, per merchant, with the custody."""

from __future__ import annotations

import pytest

from tessera.api.tests.test_hq_programs import client, token_for
from tessera.checkout.commands import TopUpRefundIn
from tessera.checkout.services import top_up_refund_commit
from tessera.kit.clock import now
from tessera.testing import band_set, key, member_new, sell, top_up, world_build
from tessera.wallet.models import StoredValueProfile

pytestmark = pytest.mark.django_db


def liability(token, program):
    return client(token).get(f"/api/v1/programs/{program.public_id}/stored-value/liability")


def test_the_liability_nets_stores_per_merchant_and_follows_refunds():
    # 1,000.00 + 100.00 bonus put in at A, 110.00 spent at B (100.00 principal, 10.00 bonus), then 200.00 of the
    # top-up refunded at A with its 20.00 share of the bonus: the merchant owes 700.00 + 70.00; custody 20% = 154.00.
    # All of it is A's money, wherever it was spent: B holds nothing for members (ADR 0017).
    world = world_build()
    band_set(world, 100_000, 10_000)
    StoredValueProfile.objects.create(program=world.program, jurisdiction="cn", named_balance_max_minor=500_000,
                                      anonymous_balance_max_minor=100_000, custody_ratio_bp=2000)  # fmt: skip
    member = member_new(world)
    original = top_up(world.a, member, 100_000)["pos_number"]
    sell(world.b, member, [(1, 11_000)], sv=11_000)
    command = TopUpRefundIn(original_pos_number=original, pos_number="TR1", event_at=now(), amount_minor=20_000)
    top_up_refund_commit(actor=world.a.actor, refund=command, request_key=key(), now=now())
    other = world_build(name="Other")  # another programme's figures never show
    top_up(other.a, member_new(other), 5_000)

    response = liability(token_for(world, "hq_admin", "hq"), world.program)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["jurisdiction"], body["custody_ratio_bp"]) == ("cn", 2000)
    stores = {(s["store"], s["principal_minor"], s["bonus_minor"]) for s in body["stores"]}
    assert stores == {(world.a.store.code, 70_000, 7_000)}
    (merchant,) = body["merchants"]
    assert (merchant["merchant_id"], merchant["principal_minor"], merchant["bonus_minor"]) == (
        world.merchant.public_id, 70_000, 7_000)  # fmt: skip
    assert merchant["custody_minor"] == 15_400


def test_only_headquarters_of_the_owner_reads_it():
    world = world_build()
    other = world_build(name="Other")
    assert liability(token_for(world, "store_manager", "manager"), world.program).status_code == 403
    assert liability(token_for(other, "hq_admin", "stranger"), world.program).status_code == 404
