"""The tier designer over the API: the salon's file flags the six-tier ladder and prefers the redesign; reasons in
the caller's language; bad input refused clearly; headquarters with program.configure only."""

from __future__ import annotations

import base64
import itertools
import json
from datetime import date

import pytest
from django.test import Client

from tessera.access.models import StaffUser
from tessera.access.services import staff_token_issue
from tessera.blueprints.seeds import salon_ladder
from tessera.kit.clock import now
from tessera.members.models import Member
from tessera.testing import member_new, sell, world_build
from tessera.tiers.services import tier_ladder_load
from tessera.tiers.tests.designer_data import salon_spends
from tessera.tiers.tests.factories import at, member_carded, record
from tessera.tiers.tests.test_designer_io import SALON_CSV, xlsx

pytestmark = pytest.mark.django_db
SIX = [("Card 1", 1_000, 500), ("Card 2", 2_000, 1_000), ("Card 3", 4_000, 1_500), ("Card 4", 8_000, 2_000),
       ("Card 5", 10_000, 2_500), ("Card 6", 12_000, 3_000)]  # fmt: skip
_serial = itertools.count(1)
REDESIGN = [("Silver", 2_000, 1_000), ("Gold", 5_000, 2_000), ("Platinum", 8_000, 3_000)]


def tiers(rows: list[tuple[str, int, int]]) -> list[dict]:
    return [{"name": n, "threshold_minor": yuan * 100, "discount_bp": bp} for n, yuan, bp in rows]


def salon_file() -> str:
    return base64.b64encode(SALON_CSV.read_bytes()).decode()


@pytest.fixture
def world():
    return world_build()


def token(world, role: str = "hq_admin") -> str:
    user = StaffUser.objects.create_user(
        username=f"{role}.{next(_serial)}", password="x" * 16, role=role, merchant=world.merchant
    )
    user.stores.set([world.a.store])
    return staff_token_issue(staff=user, now=now()).secret


def post(world, what: str, body: dict, *, credential: str | None = None, language: str = "en"):
    headers = {"Authorization": f"Bearer {credential or token(world)}", "Accept-Language": language}
    path = f"/api/v1/programs/{world.program.public_id}/tier-designer/{what}"
    return Client().post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_the_salon_file_flags_the_six_tier_ladder_with_its_reasons(world):
    response = post(world, "evaluate", {"tiers": tiers(SIX), "spend_file": salon_file()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["distribution"], body["member_count"], body["max_spend_minor"]) == ("spend_file", 1000, 400_000)
    assert body["flagged"]
    assert not body["is_diamond"]
    codes = [f["code"] for f in body["findings"]]
    assert codes.count("tier_unreachable") == 3
    assert codes.count("step_beyond_band") == 3
    assert {"shape_empty_tiers", "shape_entry_largest"} <= set(codes)
    messages = [f["message"] for f in body["findings"]]
    assert (
        "Nobody can reach Card 4: its threshold of 8,000 is 100% above the most any member spent (4,000)." in messages
    )
    assert [t["members"] for t in body["tiers"]] == [336, 412, 251, 1, 0, 0, 0]
    assert body["discount_cost_minor"] == 9_805_790


def test_the_redesign_is_preferred_on_the_salon_members(world):
    body = {"first": tiers(SIX), "second": tiers(REDESIGN), "spend_file": salon_file()}
    response = post(world, "compare", body)
    assert response.status_code == 200, response.content
    comparison = response.json()["comparison"]
    assert (comparison["preferred"], comparison["first_better"], comparison["second_better"]) == ("second", 1, 4)
    better = {c["code"]: c["better"] for c in comparison["criteria"]}
    assert better["tiers_unreachable"] == better["steps_beyond_band"] == better["discount_cost_minor"] == "second"
    assert better["members_within_reach"] == "first"
    assert comparison["summary"].startswith("Preferred: the second ladder, better on 4 criteria against 1")


def test_a_suggestion_comes_with_its_explanation_and_beats_the_given_ladder(world):
    histogram = [{"spend_minor": s, "members": 1} for s in salon_spends()]
    response = post(world, "suggest", {"tiers": tiers(REDESIGN), "histogram": histogram})
    assert response.status_code == 200, response.content
    body = response.json()
    suggested = body["suggestion"]
    assert [r["threshold_minor"] for r in suggested["ladder"]] == [130_000, 156_000, 280_000]
    assert suggested["evaluation"]["is_diamond"]
    assert suggested["explanation"][0]["code"] == "suggested_shares"
    assert body["given"]["flagged"]
    assert body["comparison"]["preferred"] == "second"


def test_the_reasons_come_in_the_callers_language(world):
    response = post(world, "evaluate", {"tiers": tiers(SIX), "spend_file": salon_file()}, language="ko")
    messages = [f["message"] for f in response.json()["findings"] if f["code"] == "tier_unreachable"]
    assert messages[0].startswith("Card 4 등급에는 아무도 도달할 수 없습니다")


def test_by_default_the_programmes_active_ladder_and_real_spend_are_used(world):
    tier_ladder_load(program=world.program, spec=salon_ladder())
    for yuan in (500, 2_500, 6_000):
        member = member_carded(world, at("Asia/Shanghai", date(2026, 1, 5)))
        record(member, at("Asia/Shanghai", date(2026, 1, 5)), stored_value_minor=yuan * 100)
    member_carded(world, at("Asia/Shanghai", date(2026, 1, 6)))  # no top-up: counts as zero
    body = post(world, "evaluate", {}).json()
    assert body["distribution"] == "programme:ladder"
    assert [r["threshold_minor"] for r in body["ladder"]] == [0, 200_000, 500_000, 800_000]
    assert [t["members"] for t in body["tiers"]] == [2, 1, 1, 0]


def test_without_a_money_ladder_the_real_spend_is_each_open_members_purchases(world):
    buyer, closed = member_new(world), member_new(world)
    member_new(world)  # bought nothing: counts as zero
    sell(world.a, buyer, [(2, 150_000)])  # 3,000 yuan
    sell(world.a, closed, [(1, 900_000)])
    Member.objects.filter(id=closed.id).update(status=Member.Status.CLOSED)  # left out
    body = post(world, "evaluate", {"tiers": tiers(REDESIGN)}).json()
    assert body["distribution"] == "programme:stats"
    assert (body["member_count"], body["max_spend_minor"]) == (2, 300_000)
    assert [t["members"] for t in body["tiers"]] == [1, 1, 0, 0]


def test_without_a_ladder_to_default_to_the_tiers_are_asked_for(world):
    response = post(world, "evaluate", {"spends_minor": [0, 100]})
    assert (response.status_code, response.json()["error"]["code"]) == (422, "designer_no_ladder")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"tiers": tiers([("A", 20, 0), ("B", 10, 0)]), "spends_minor": [1]}, "designer_ladder_invalid"),
        ({"tiers": tiers([("A", 10, 0), ("A", 20, 0)]), "spends_minor": [1]}, "designer_ladder_invalid"),
        ({"tiers": tiers(REDESIGN), "spends_minor": []}, "designer_no_spend"),
        ({"tiers": tiers(REDESIGN), "spends_minor": [1], "histogram": []}, "designer_distribution_ambiguous"),
        ({"tiers": tiers(REDESIGN), "spend_file": "not base64!"}, "spend_file_invalid"),
        ({"tiers": tiers(REDESIGN), "histogram": [{"spend_minor": 1, "members": 2_000_000}] * 2},
         "designer_histogram_too_large"),
        ({"tiers": [{"name": "A", "threshold_minor": -1}], "spends_minor": [1]}, "invalid_request"),
        ({"tiers": tiers(REDESIGN), "spends_minor": [-5]}, "invalid_request"),
        ({"tiers": tiers(REDESIGN), "spends_minor": [1], "band_bp": -1}, "invalid_request"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_code(world, body, code):
    response = post(world, "evaluate", body)
    assert response.status_code in (400, 422), response.content
    assert response.json()["error"]["code"] == code


def test_a_bad_file_lists_its_rows_and_a_good_xlsx_is_read(world):
    bad = base64.b64encode(b"member,spend\nA,100\nB,abc\nC,-1\n").decode()
    response = post(world, "evaluate", {"tiers": tiers(REDESIGN), "spend_file": bad}, language="en")
    assert response.status_code == 422
    assert response.json()["error"]["details"]["problems"] == [
        "row 3, column spend: not an amount",
        "row 4, column spend: the spend is negative; count a net refund as 0",
    ]
    good = base64.b64encode(xlsx([["spend"], [2500], [0]])).decode()
    body = post(world, "evaluate", {"tiers": tiers(REDESIGN), "spend_file": good}).json()
    assert [t["members"] for t in body["tiers"]] == [1, 1, 0, 0]


def test_suggesting_needs_three_to_six_tiers(world):
    response = post(world, "suggest", {"tiers": tiers(REDESIGN[:2]), "spends_minor": [0, 100, 300_000]})
    assert (response.status_code, response.json()["error"]["code"]) == (422, "designer_suggest_tiers")


def test_only_headquarters_and_only_its_own_programme(world):
    body = {"tiers": tiers(REDESIGN), "spends_minor": [1]}
    refused = post(world, "evaluate", body, credential=token(world, "store_manager"))
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "action_forbidden")
    other = world_build(name="Other")
    stranger = post(other, "evaluate", body, credential=token(world))
    assert (stranger.status_code, stranger.json()["error"]["code"]) == (404, "program_not_found")
