"""Programme templates: listed, applied all or nothing, through the service, the HQ API and the command line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tessera.access.models import StaffUser
from tessera.access.services import staff_token_issue
from tessera.audit.models import AuditRecord
from tessera.blueprints.catalogue import BLUEPRINTS
from tessera.blueprints.errors import BlueprintUnknown
from tessera.blueprints.services import blueprint_apply
from tessera.earning.models import EarningRule
from tessera.kit.actor import Actor
from tessera.kit.clock import now
from tessera.programs.models import Program
from tessera.rewards.models import GiftLadder, GiftStep
from tessera.stores.models import Store
from tessera.testing import world_build
from tessera.tiers.errors import TierLadderActiveExists
from tessera.tiers.models import Tier, TierLadder

pytestmark = pytest.mark.django_db


def hq_actor(world) -> Actor:
    hq = Store.objects.get(merchant=world.merchant, kind=Store.Kind.HEADQUARTERS)
    return Actor(store_id=hq.id, merchant_id=world.merchant.id, currency=hq.currency, system="test")


def apply(world, code: str):
    return blueprint_apply(program=world.program, code=code, actor=hq_actor(world), now=now())


def fresh(world) -> Program:
    return Program.objects.get(id=world.program.id)


def test_the_diamonds_template_sets_one_yuan_one_point_the_128_join_and_the_ladder():
    world = world_build()
    applied = apply(world, "clothing_diamonds")
    program = fresh(world)
    assert (program.earn_points, program.earn_per_minor, program.join_min_purchase_minor) == (1, 100, 12_800)
    ladder = TierLadder.objects.get(id=applied.tier_ladder_id)
    tiers = list(Tier.objects.filter(ladder=ladder).order_by("rank").values_list("code", "threshold", "discount_bp"))
    assert tiers == [("card", 0, 1000), ("red", 10_000, 1000), ("yellow", 20_000, 1500), ("blue", 30_000, 2000),
                     ("purple", 50_000, 2000)]  # fmt: skip
    assert (ladder.measure, ladder.window_kind) == ("points_in_window", "anniversary_year")
    record = AuditRecord.objects.get(action="program.blueprint_apply")
    assert record.details["blueprint"] == "clothing_diamonds"


def test_the_salon_ladder_counts_stored_value_in_the_programmes_minor_units():
    cny = world_build()
    apply(cny, "salon_stored_value")
    assert list(Tier.objects.filter(ladder__program=cny.program).order_by("rank").values_list("threshold", flat=True)) \
        == [0, 200_000, 500_000, 800_000]  # fmt: skip
    # Won have no minor unit: 2,000 won is 2,000.
    krw = world_build(name="Seoul", country="KR", timezone="Asia/Seoul", currency="KRW")
    apply(krw, "salon_stored_value")
    assert list(Tier.objects.filter(ladder__program=krw.program).order_by("rank").values_list("threshold", flat=True)) \
        == [0, 2_000, 5_000, 8_000]  # fmt: skip


def test_the_gift_ladder_card_lifecycle_and_member_days_combine_with_diamonds():
    world = world_build()
    for code in ("clothing_diamonds", "clothing_monthly_gifts", "card_lifecycle", "member_days"):
        apply(world, code)
    program = fresh(world)
    # The card lifecycle, applied last, sets the 198 join of the seed's membership rules.
    assert (program.join_min_purchase_minor, program.card_validity_months, program.card_renewal_fee_minor) == (
        19_800, 24, 1_000)  # fmt: skip
    steps = GiftStep.objects.filter(ladder__program=program).order_by("threshold_points")
    assert [(s.threshold_points, s.amount_minor) for s in steps] == [(1000, 5000), (2000, 10000), (3000, 15000)]
    assert sorted(EarningRule.objects.filter(program=program).values_list("code", flat=True)) == [
        "double-wednesday", "member-day"]  # fmt: skip


def test_a_template_that_cannot_apply_changes_nothing():
    world = world_build()
    apply(world, "salon_stored_value")
    before = fresh(world).earn_per_minor
    # The diamonds bring a second active ladder: refused, and its settings are rolled back with it.
    with pytest.raises(TierLadderActiveExists):
        blueprint_apply(program=fresh(world), code="clothing_diamonds", actor=hq_actor(world), now=now())
    assert fresh(world).earn_per_minor == before
    assert fresh(world).join_min_purchase_minor is None
    assert TierLadder.objects.filter(program=world.program).count() == 1
    # Adding the member days twice: the second time the rule codes are taken.
    apply(world, "member_days")
    with pytest.raises(Exception, match="earning_rule_invalid"):
        apply(world, "member_days")
    assert EarningRule.objects.filter(program=world.program).count() == 2
    with pytest.raises(BlueprintUnknown):
        apply(world, "nope")


def staff_client(world, username: str = "hq") -> Client:
    user = StaffUser.objects.create_user(username=username, password="x" * 16, role="hq_admin", merchant=world.merchant)
    return Client(HTTP_AUTHORIZATION=f"Bearer {staff_token_issue(staff=user, now=now()).secret}")


def test_headquarters_lists_and_applies_templates_over_the_api():
    world = world_build()
    client = staff_client(world)
    listed = client.get("/api/v1/blueprints", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert [b["code"] for b in listed] == list(BLUEPRINTS)
    assert listed[1]["title"] == "服装连锁年度钻石会员"
    response = client.post(f"/api/v1/programs/{world.program.public_id}/blueprints/clothing_monthly_gifts")
    assert response.status_code == 201, response.content
    assert response.json()["settings"] == ["earn_per_minor", "earn_points", "join_min_purchase_minor"]
    assert GiftLadder.objects.filter(program=world.program).count() == 1
    missing = client.post(f"/api/v1/programs/{world.program.public_id}/blueprints/nope")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "blueprint_unknown")
    rival = world_build(name="Rival")
    foreign = staff_client(rival, "rival").post(f"/api/v1/programs/{world.program.public_id}/blueprints/member_days")
    assert foreign.status_code == 404
    assert not EarningRule.objects.filter(program=world.program).exists()


LADDER = {
    "name": "Spend ladder", "measure": "spend_in_window", "window": "calendar_year",
    "tiers": [{"code": "base", "threshold": 0, "translations": {"en": {"name": "Member"}}},
              {"code": "gold", "threshold": 500_000, "discount_bp": 500, "translations": {"en": {"name": "Gold"}}}],
}  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("tier-ladders", {**LADDER, "window": "fortnight"}, "tier_ladder_invalid"),
        ("tier-ladders", {**LADDER, "tiers": [LADDER["tiers"][1], LADDER["tiers"][0]]}, "tier_ladder_invalid"),
        # Two tiers on one threshold overlap: a member would hold both.
        ("tier-ladders", {**LADDER, "tiers": [LADDER["tiers"][0], {**LADDER["tiers"][1], "threshold": 0}]},
         "tier_ladder_invalid"),
        # A base tier with a threshold lets a member fall below the ladder.
        ("tier-ladders", {**LADDER, "tiers": [{**LADDER["tiers"][0], "threshold": 100}, LADDER["tiers"][1]]},
         "tier_ladder_invalid"),
        # A rolling window with no length never ends.
        ("tier-ladders", {**LADDER, "window": "rolling_months"}, "tier_ladder_invalid"),
        ("tier-ladders", {**LADDER, "grace_days": -1}, "tier_ladder_invalid"),
        ("earning-rules", {"code": "wed", "kind": "weekday", "weekday": 9, "factor_permille": 2000},
         "earning_rule_invalid"),
        ("earning-rules", {"code": "wed", "kind": "weekday", "weekday": 3, "factor_permille": 0},
         "earning_multiplier_not_positive"),
        ("earning-rules", {"code": "wed", "kind": "weekday", "weekday": 3, "factor_permille": -500},
         "earning_multiplier_not_positive"),
        ("earning-rules", {"code": "wed", "kind": "fortnightly", "factor_permille": 2000}, "blueprint_invalid"),
        ("gift-ladders", {"name": "G", "active_from": "2026-01-01", "steps": []}, "gift_ladder_invalid"),
        # A claim window of "days after unlock" without its days never closes.
        ("gift-ladders", {"name": "G", "active_from": "2026-01-01", "claim_policy": "days_after_unlock", "steps": [
            {"threshold_points": 1000, "amount_minor": 5000, "categories": ["clothing"]}]}, "gift_ladder_invalid"),
        ("gift-ladders", {"name": "G", "active_from": "2026-01-01", "steps": [
            {"threshold_points": 1000, "amount_minor": 0, "categories": ["clothing"]}]}, "gift_ladder_invalid"),
    ],
)  # fmt: skip
def test_bad_configuration_is_refused_with_a_reason_and_saves_nothing(path, body, code):
    world = world_build()
    response = staff_client(world).post(f"/api/v1/programs/{world.program.public_id}/{path}", body,
                                        content_type="application/json")  # fmt: skip
    assert response.status_code in (400, 409, 422), response.content
    error = response.json()["error"]
    if code is not None:
        assert error["code"] == code
    assert error["message"]
    assert not TierLadder.objects.filter(program=world.program).exists()
    assert not EarningRule.objects.filter(program=world.program).exists()
    assert not GiftLadder.objects.filter(program=world.program).exists()


def test_good_configuration_is_saved_over_the_api():
    world = world_build()
    client = staff_client(world)
    base = f"/api/v1/programs/{world.program.public_id}"
    ladder = client.post(f"{base}/tier-ladders", LADDER, content_type="application/json")
    assert (ladder.status_code, ladder.json()["tiers"]) == (201, ["base", "gold"])
    rule = client.post(f"{base}/earning-rules", {"code": "member-day", "kind": "member_day", "day_of_month": 8,
                                                 "factor_permille": 2000}, content_type="application/json")  # fmt: skip
    assert (rule.status_code, rule.json()) == (201, {"code": "member-day", "kind": "member_day"})
    gifts = client.post(f"{base}/gift-ladders", {"name": "G", "active_from": "2026-01-01", "steps": [
        {"threshold_points": 2000, "amount_minor": 10000, "categories": ["clothing"]},
        {"threshold_points": 1000, "amount_minor": 5000, "categories": ["clothing"]}]},
        content_type="application/json")  # fmt: skip
    assert (gifts.status_code, gifts.json()["steps"]) == (201, [1000, 2000])


def test_the_command_line_lists_and_applies():
    world = world_build()
    out = StringIO()
    call_command("blueprint", "list", stdout=out)
    assert "card_lifecycle" in out.getvalue()
    out = StringIO()
    call_command("blueprint", "apply", "card_lifecycle", "--program", world.program.public_id, stdout=out)
    assert json.loads(out.getvalue())["settings"] == ["card_renewal_fee_minor", "card_validity_months",
                                                     "join_min_purchase_minor"]  # fmt: skip
    with pytest.raises(CommandError, match="no programme"):
        call_command("blueprint", "apply", "card_lifecycle", "--program", "prg_missing")
