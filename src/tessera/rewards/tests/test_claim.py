"""Claiming a gift at the till: once, in its window, at a store serving the programme; audited and announced."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import translation

from tessera.audit.models import AuditRecord
from tessera.kit.errors import DomainError
from tessera.members.services import member_status_set
from tessera.messaging.models import OutboxMessage
from tessera.rewards.models import RewardGrant
from tessera.rewards.services import reward_claim
from tessera.rewards.tests.factories import local, record, seed_ladder
from tessera.testing import member_new, world_build

SH = "Asia/Shanghai"


@pytest.fixture
def world(db):
    world = world_build(timezone=SH)
    seed_ladder(world.program)
    return world


@pytest.fixture
def gift(world):
    # 1,000 points on 10 March unlock the 50 yuan coupon, claimable until 1 May 00:00 Shanghai time.
    (gift,) = record(member_new(world), 1000, local(SH, 2026, 3, 10, 12, 0))
    return gift


def refused(grant, actor, now):
    with pytest.raises(DomainError) as exc:
        reward_claim(grant=grant, actor=actor, now=now)
    return exc.value


class TestClaim:
    def test_claiming_records_where_when_and_by_which_till(self, world, gift):
        claimed = reward_claim(grant=gift, actor=world.b.actor, now=local(SH, 2026, 3, 11, 15, 30))
        claimed.refresh_from_db()
        assert claimed.state == "claimed"
        assert claimed.claimed_at == local(SH, 2026, 3, 11, 15, 30)
        assert (claimed.claimed_store_id, claimed.claimed_terminal_id) == (world.b.store.id, world.b.terminal.id)
        audit = AuditRecord.objects.get(action="reward.claim")
        assert (audit.object_id, audit.store_id) == (gift.public_id, world.b.store.id)
        assert (audit.details["amount_minor"], audit.details["currency"]) == (5000, "CNY")

    def test_the_coupon_capability_is_asked_once_through_the_outbox(self, world, gift):
        reward_claim(grant=gift, actor=world.a.actor, now=local(SH, 2026, 3, 11, 15, 30))
        (message,) = OutboxMessage.objects.filter(kind="reward.claimed")
        assert message.dedupe_key == f"reward.claimed:{gift.public_id}"
        assert message.payload["grant_id"] == gift.public_id
        assert message.payload["month"] == "2026-03-01"
        assert message.payload["reward"] == {"kind": "cash_coupon", "amount_minor": 5000, "currency": "CNY",
                                             "categories": ["clothing"], "usable_at_once": True,
                                             "valid_days": None}  # fmt: skip

    def test_a_second_claim_is_refused_and_says_when_the_first_was(self, world, gift):
        reward_claim(grant=gift, actor=world.a.actor, now=local(SH, 2026, 3, 11, 15, 30))
        error = refused(gift, world.a.actor, local(SH, 2026, 3, 11, 15, 31))
        assert error.code == "reward_already_claimed"
        assert "2026-03-11 15:30" in error.text()
        assert AuditRecord.objects.filter(action="reward.claim").count() == 1
        assert OutboxMessage.objects.filter(kind="reward.claimed").count() == 1

    def test_the_last_minute_of_the_window_is_in_and_its_end_is_out(self, world, gift):
        error = refused(gift, world.a.actor, local(SH, 2026, 5, 1, 0, 0))
        assert error.code == "reward_claim_closed"
        assert "2026-05-01 00:00" in error.text()
        gift.refresh_from_db()
        assert gift.state == "unlocked"  # the lapse job marks it lost; a refused claim writes nothing
        reward_claim(grant=gift, actor=world.a.actor, now=local(SH, 2026, 4, 30, 23, 59))

    def test_a_revoked_gift_is_refused(self, world, gift):
        record(gift.member, -1, local(SH, 2026, 3, 10, 12, 0))
        assert refused(gift, world.a.actor, local(SH, 2026, 3, 11, 9, 0)).code == "reward_revoked"

    def test_another_merchants_store_cannot_see_the_gift(self, gift):
        other = world_build(name="Other", timezone=SH)
        assert refused(gift, other.a.actor, local(SH, 2026, 3, 11, 9, 0)).code == "reward_not_found"

    def test_a_frozen_membership_cannot_claim(self, world, gift):
        member_status_set(member=gift.member, status="frozen", reason="asked", actor=world.a.actor,
                          now=local(SH, 2026, 3, 11, 9, 0))  # fmt: skip
        assert refused(gift, world.a.actor, local(SH, 2026, 3, 11, 9, 1)).code == "member_not_active"

    @pytest.mark.parametrize(
        ("language", "expected"),
        [("zh-hans", "已经领取"), ("zh-hant", "已經領取"), ("ko", "이미")],
    )
    def test_the_refusal_is_translated(self, world, gift, language, expected):
        reward_claim(grant=gift, actor=world.a.actor, now=local(SH, 2026, 3, 11, 15, 30))
        error = refused(gift, world.a.actor, local(SH, 2026, 3, 11, 15, 31))
        with translation.override(language):
            assert expected in error.text()


@pytest.mark.django_db(transaction=True)
def test_two_tills_claiming_the_same_gift_at_once_hand_it_out_once():
    world = world_build(timezone=SH)
    seed_ladder(world.program)
    (gift,) = record(member_new(world), 1000, local(SH, 2026, 3, 10, 12, 0))

    def claim(shop):
        try:
            reward_claim(grant=gift, actor=shop.actor, now=local(SH, 2026, 3, 11, 9, 0))
            return "claimed"
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(claim, [world.a, world.b] * 4))
    assert outcomes == ["claimed"] + ["reward_already_claimed"] * 7
    assert RewardGrant.objects.get(id=gift.id).state == "claimed"
    assert OutboxMessage.objects.filter(kind="reward.claimed").count() == 1


class TestClaimIssuesCoupon:
    def test_the_claimed_gift_is_a_cash_coupon_for_its_categories(self, world, gift):
        from tessera.coupons.models import Coupon

        reward_claim(grant=gift, actor=world.a.actor, now=local(SH, 2026, 3, 11, 15, 30))
        (coupon,) = Coupon.objects.filter(source="gift_ladder", source_id=gift.public_id).select_related("template")
        assert coupon.member_id == gift.member_id
        assert (coupon.template.kind, coupon.template.amount_minor) == ("cash", 5000)
        assert coupon.template.categories == ["clothing"]
        assert coupon.valid_from == local(SH, 2026, 3, 11, 15, 30)  # usable at once

    def test_a_gift_not_usable_at_once_pays_from_the_next_day(self, world, gift):
        from tessera.coupons.models import Coupon
        from tessera.rewards.models import GiftStep

        GiftStep.objects.filter(pk=gift.step_id).update(usable_at_once=False)
        gift.reward = {**gift.reward, "usable_at_once": False}
        RewardGrant.objects.filter(pk=gift.pk).update(reward=gift.reward)
        reward_claim(grant=gift, actor=world.a.actor, now=local(SH, 2026, 3, 11, 15, 30))
        coupon = Coupon.objects.get(source_id=gift.public_id)
        assert coupon.valid_from == local(SH, 2026, 3, 12, 0, 0)

    def test_refused_claims_issue_nothing(self, world, gift):
        from tessera.coupons.models import Coupon

        reward_claim(grant=gift, actor=world.a.actor, now=local(SH, 2026, 3, 11, 15, 30))
        refused(gift, world.a.actor, local(SH, 2026, 3, 12, 9, 0))
        assert Coupon.objects.filter(source_id=gift.public_id).count() == 1
