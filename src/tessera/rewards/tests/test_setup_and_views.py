"""Setting up ladders (bad configuration refused, in the service and in admin) and the member's view."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tessera.access.models import StaffUser
from tessera.rewards.errors import GiftLadderInvalid
from tessera.rewards.models import GiftLadder, GiftStep, MemberPeriodPoints, RewardGrant
from tessera.rewards.selectors import gift_ladder_progress, reward_grant_get_for_merchant, reward_grant_list_open
from tessera.rewards.services import StepSpec, gift_ladder_create, reward_claim
from tessera.rewards.tests.factories import local, record, seed_ladder
from tessera.testing import member_new, world_build

pytestmark = pytest.mark.django_db

SH = "Asia/Shanghai"


@pytest.fixture
def world():
    return world_build(timezone=SH)


def step(threshold=1000, amount=5000, categories=("clothing",), **kw):
    return StepSpec(threshold_points=threshold, amount_minor=amount, categories=list(categories), **kw)


class TestSetup:
    @pytest.mark.parametrize(
        ("kwargs", "reason"),
        [
            ({"steps": []}, "at least one step"),
            ({"steps": [step(), step(amount=9000)]}, "same number of points"),
            ({"claim_policy": "days_after_unlock"}, "needs the number of days"),
            ({"active_to": date(2026, 1, 1)}, "must come after the first day"),
            ({"steps": [step(threshold=0)]}, "above zero"),
            ({"steps": [step(amount=0)]}, "above zero"),
            ({"steps": [step(categories=())]}, "categories"),
            ({"steps": [step(names={"fr": "Bon"})]}, "not a supported language"),
        ],
    )
    def test_bad_configuration_is_refused_with_the_reason(self, world, kwargs, reason):
        args = {"program": world.program, "name": "Ladder", "steps": [step()], "active_from": date(2026, 1, 1)}
        with pytest.raises(GiftLadderInvalid) as exc:
            gift_ladder_create(**{**args, **kwargs})
        assert reason in exc.value.text()
        assert not GiftLadder.objects.exists()


class TestMemberView:
    def test_progress_names_the_next_step_in_the_members_language(self, world):
        seed_ladder(world.program)
        member = member_new(world)
        record(member, 2300, local(SH, 2026, 3, 10, 12, 0))
        (progress,) = gift_ladder_progress(member=member, now=local(SH, 2026, 3, 20, 9, 0))
        assert [s.threshold_points for s in progress.reached] == [1000, 2000]
        assert (progress.next_step.threshold_points, progress.points_to_next) == (3000, 700)
        assert progress.as_dict()["reached"] == [1000, 2000]
        with translation.override("zh-hant"):
            (progress,) = gift_ladder_progress(member=member, now=local(SH, 2026, 3, 20, 9, 0))
        assert progress.next_step.name == "150元服裝現金券"

    def test_a_new_month_starts_from_zero_and_last_months_gifts_stay_open(self, world):
        seed_ladder(world.program)
        member = member_new(world)
        record(member, 1200, local(SH, 2026, 3, 31, 23, 59))
        (progress,) = gift_ladder_progress(member=member, now=local(SH, 2026, 4, 1, 0, 0))
        assert (progress.month, progress.points, progress.reached) == (date(2026, 4, 1), 0, [])
        (open_gift,) = reward_grant_list_open(member=member, now=local(SH, 2026, 4, 1, 0, 0))
        assert open_gift.month == date(2026, 3, 1)
        assert reward_grant_list_open(member=member, now=local(SH, 2026, 5, 1, 0, 0)) == []

    def test_a_gift_is_found_only_by_a_merchant_serving_its_programme(self, world):
        seed_ladder(world.program)
        (gift,) = record(member_new(world), 1000, local(SH, 2026, 3, 10, 12, 0))
        other = world_build(name="Other", timezone=SH)
        assert reward_grant_get_for_merchant(merchant_id=world.merchant.id, public_id=gift.public_id) == gift
        assert reward_grant_get_for_merchant(merchant_id=other.merchant.id, public_id=gift.public_id) is None


class TestAdmin:
    @pytest.fixture
    def client(self):
        client = Client()
        client.force_login(StaffUser.objects.create_superuser(username="root", password="root pw 123", email=""))
        return client

    def test_every_rewards_page_opens(self, client, world):
        ladder = seed_ladder(world.program)
        (gift,) = record(member_new(world), 1000, local(SH, 2026, 3, 10, 12, 0))
        reward_claim(grant=gift, actor=world.a.actor, now=local(SH, 2026, 3, 11, 9, 0))
        rows = [ladder, ladder.steps.first(), gift, MemberPeriodPoints.objects.get()]
        for row in rows:
            opts = row._meta
            assert client.get(reverse(f"admin:rewards_{opts.model_name}_changelist")).status_code == 200, opts
            assert client.get(reverse(f"admin:rewards_{opts.model_name}_change", args=[row.pk])).status_code == 200

    def test_gifts_and_monthly_points_are_read_only(self, client):
        request = client.get("/admin/").wsgi_request
        for model in (RewardGrant, MemberPeriodPoints):
            model_admin = site._registry[model]
            assert not model_admin.has_add_permission(request)
            assert not model_admin.has_change_permission(request)
            assert not model_admin.has_delete_permission(request)

    def test_a_ladder_with_its_steps_is_added_and_a_window_without_an_end_is_refused(self, client, world):
        url = reverse("admin:rewards_giftladder_add")
        data = {
            "program": world.program.id, "name": "Spring", "claim_policy": "days_after_unlock", "claim_days": "",
            "active_from": "2026-03-01", "active_to": "",
            "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000", "steps-0-threshold_points": "1000", "steps-0-reward_kind": "cash_coupon",
            "steps-0-amount_minor": "5000", "steps-0-categories": '["clothing"]', "steps-0-usable_at_once": "on",
            "steps-0-valid_days": "",
        }  # fmt: skip
        refused = client.post(url, data)
        assert refused.status_code == 200
        assert "A claim window in days needs the number of days." in refused.content.decode()
        assert client.post(url, {**data, "claim_days": "7"}).status_code == 302
        assert GiftStep.objects.get().ladder.claim_days == 7
