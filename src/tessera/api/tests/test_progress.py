"""GET /api/v1/members/{ref}/progress: the tier, the next one and its deadline, the month's gift ladder, and
points about to expire, from sales made through checkout, in the caller's language.

The worked example, in Shanghai (1 point per yuan paid; the card member has 10% off; points expire 40 days after
the day they were earned, and the reminder period is 30 days):

| When (local)     | List price | Paid     | Points | Lapse at (local)  |
|------------------|------------|----------|--------|-------------------|
| 2026-03-15 10:00 | card date  |          |        |                   |
| 2026-04-01 10:00 | 5,000.00   | 4,500.00 | 4,500  | 2026-05-12 00:00  |
| 2026-04-01 16:00 | 3,000.00   | 2,700.00 | 2,700  | 2026-05-12 00:00  |
| 2026-05-02 11:00 | 2,000.00   | 1,800.00 | 1,800  | 2026-06-12 00:00  |
| 2026-05-03 12:00 | redeem 200 points, taken from the earliest lot (4,500 -> 4,300)           |

On 5 May: 9,000 points this card year, so red (10,000) needs 1,000 more by 14 March 2027, the day before the
card's anniversary, when the 9,000 are lost; the gift ladder (active from May) has 1,800 points this month, past
the 1,000 step (a 50 yuan coupon, open until the end of June) and 200 short of the 2,000 one; 7,000 points lapse
on 12 May, inside the 30 days; the 1,800 of 2 May lapse after it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tessera.api.progress_schemas import MemberProgressOut
from tessera.blueprints.seeds import diamonds_ladder
from tessera.checkout.commands import RedemptionIn, TenderIn
from tessera.checkout.services import points_redeem, sale_commit
from tessera.rewards.tests.factories import seed_ladder
from tessera.testing import key, member_new, sale_in, world_build
from tessera.tiers.services import tier_ladder_load

pytestmark = pytest.mark.django_db


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+08:00")


def sell_at(world, member, at: str, *, price_minor: int, paid_minor: int) -> None:
    """A one-line sale at local time ``at``, paid in cash after the member's tier discount."""
    moment = shanghai(at)
    sale = replace(sale_in(member, [(1, price_minor)], at=moment), tenders=(TenderIn("cash", paid_minor),))
    with time_machine.travel(moment, tick=False):
        sale_commit(actor=world.a.actor, sale=sale, request_key=key(), now=moment)


def redeem_at(world, member, at: str, points: int) -> None:
    moment = shanghai(at)
    command = RedemptionIn(member=member.public_id, pos_number=key(), event_at=moment, points=points)
    with time_machine.travel(moment, tick=False):
        points_redeem(actor=world.a.actor, redemption=command, request_key=key(), now=moment)


def progress(world, reference: str, at: str, language: str = "en"):
    client = Client(headers={"authorization": f"Bearer {world.a.key}", "accept-language": language})
    with time_machine.travel(shanghai(at), tick=False):
        return client.get(f"/api/v1/members/{reference}/progress")


def example_world():
    """The worked example's programme: points lapse 40 days after earning, the diamonds ladder, May's gifts."""
    world = world_build(
        points_expiry_policy="days_after_earning", points_expiry_days=40, points_expiry_reminder_days=30
    )
    tier_ladder_load(program=world.program, spec=diamonds_ladder())
    seed_ladder(world.program, active_from=date(2026, 5, 1))
    return world


def example_member(world):
    """The worked example's member: carded 15 March, three purchases and a redemption by 3 May."""
    with time_machine.travel(shanghai("2026-03-15T10:00:00"), tick=False):
        member = member_new(world)
    sell_at(world, member, "2026-04-01T10:00:00", price_minor=500_000, paid_minor=450_000)
    sell_at(world, member, "2026-04-01T16:00:00", price_minor=300_000, paid_minor=270_000)
    sell_at(world, member, "2026-05-02T11:00:00", price_minor=200_000, paid_minor=180_000)
    redeem_at(world, member, "2026-05-03T12:00:00", 200)
    return member


@pytest.fixture
def world():
    return example_world()


@pytest.fixture
def member(world):
    return example_member(world)


def test_shows_the_next_tier_what_it_needs_and_the_deadline(world, member):
    response = progress(world, member.public_id, "2026-05-05T12:00:00", "zh-hans")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["member_id"], body["program_id"]) == (member.public_id, world.program.public_id)
    assert body["local_date"] == "2026-05-05"
    tier = body["tier"]
    assert (tier["current"]["code"], tier["current"]["name"], tier["next"]["code"], tier["next"]["name"]) == (
        "card", "会员卡会员", "red", "红钻会员",
    )  # fmt: skip
    assert (tier["measure"], tier["value"], tier["next"]["threshold"], tier["remaining"]) == (
        "points_in_window", 9_000, 10_000, 1_000,
    )  # fmt: skip
    assert (tier["window_start"], tier["needed_by"], tier["resets_on"]) == ("2026-03-15", "2027-03-14", "2027-03-15")
    assert (tier["value_lost_at_reset"], tier["tier_after_reset"]["code"]) == (9_000, "card")


def test_shows_this_months_gift_ladder_and_the_gift_it_unlocked(world, member):
    body = progress(world, member.public_id, "2026-05-05T12:00:00", "zh-hans").json()
    (ladder,) = body["gift_ladders"]
    assert (ladder["month"], ladder["points"], ladder["points_to_next"]) == ("2026-05-01", 1_800, 200)
    assert [(s["threshold_points"], s["name"]) for s in ladder["reached"]] == [(1_000, "50元服装现金券")]
    assert (ladder["next_step"]["threshold_points"], ladder["next_step"]["name"]) == (2_000, "100元服装现金券")
    assert datetime.fromisoformat(ladder["month_ends_at"]) == shanghai("2026-06-01T00:00:00")
    (gift,) = body["open_gifts"]
    assert (gift["name"], gift["threshold_points"], gift["amount_minor"], gift["currency"]) == (
        "50元服装现金券", 1_000, 5_000, "CNY",
    )  # fmt: skip
    assert datetime.fromisoformat(gift["claim_until"]) == shanghai("2026-07-01T00:00:00")


def test_shows_points_expiring_within_the_reminder_period(world, member):
    expiring = progress(world, member.public_id, "2026-05-05T12:00:00").json()["points_expiring"]
    assert (expiring["within_days"], expiring["total"]) == (30, 7_000)
    assert [(datetime.fromisoformat(e["expires_at"]), e["points"]) for e in expiring["expiries"]] == [
        (shanghai("2026-05-12T00:00:00"), 7_000)
    ]
    assert datetime.fromisoformat(expiring["until"]) == shanghai("2026-06-04T12:00:00")


def test_at_local_midnight_a_new_month_starts_from_zero_and_lapsed_points_drop_out(world, member):
    body = progress(world, member.public_id, "2026-06-01T00:00:00").json()
    (ladder,) = body["gift_ladders"]
    assert (ladder["month"], ladder["points"], ladder["reached"], ladder["points_to_next"]) == (
        "2026-06-01", 0, [], 1_000,
    )  # fmt: skip
    assert [g["threshold_points"] for g in body["open_gifts"]] == [1_000]  # May's gift is open through June
    expiring = body["points_expiring"]
    assert (expiring["total"], [e["points"] for e in expiring["expiries"]]) == (1_800, [1_800])


def test_names_come_in_the_callers_language(world, member):
    body = progress(world, member.card_number, "2026-05-05T12:00:00", "ko").json()
    assert (body["tier"]["current"]["name"], body["tier"]["next"]["name"]) == ("카드 회원", "레드 다이아몬드")
    assert body["gift_ladders"][0]["next_step"]["name"] == "100위안 의류 쿠폰"
    english = progress(world, member.card_number, "2026-05-05T12:00:00", "en").json()
    assert english["open_gifts"][0]["name"] == "50 yuan clothing coupon"


def test_answers_in_its_published_shape(world, member):
    body = progress(world, member.public_id, "2026-05-05T12:00:00").json()
    parsed = MemberProgressOut.model_validate(body)
    assert set(body) == set(MemberProgressOut.model_fields)
    assert set(body["tier"]) == set(type(parsed.tier).model_fields)
    assert set(body["gift_ladders"][0]) == set(type(parsed.gift_ladders[0]).model_fields)
    assert set(body["open_gifts"][0]) == set(type(parsed.open_gifts[0]).model_fields)
    assert set(body["points_expiring"]) == set(type(parsed.points_expiring).model_fields)


def test_reads_a_fixed_number_of_queries_however_much_the_member_has_bought(world, member):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert progress(world, member.public_id, "2026-05-05T12:00:00").status_code == 200
        return len(queries)

    count()  # the first request also caches the terminal's key; count a steady one
    before = count()
    for hour in range(12, 15):  # three more lots, and May's 2,000 and 3,000 gifts unlock
        sell_at(world, member, f"2026-05-04T{hour}:00:00", price_minor=50_000, paid_minor=45_000)
    assert count() == before
    assert len(progress(world, member.public_id, "2026-05-05T12:00:00").json()["open_gifts"]) == 3


def test_a_programme_without_a_ladder_or_reminders_has_no_tier_and_looks_30_days_ahead():
    world = world_build(points_expiry_policy="days_after_earning", points_expiry_days=20, points_expiry_reminder_days=0)
    member = member_new(world)
    sell_at(world, member, "2026-05-01T10:00:00", price_minor=10_000, paid_minor=10_000)  # lapse 2026-05-22 00:00
    body = progress(world, member.public_id, "2026-05-01T12:00:00").json()
    assert (body["tier"], body["gift_ladders"], body["open_gifts"]) == (None, [], [])
    assert (body["points_expiring"]["within_days"], body["points_expiring"]["total"]) == (30, 100)


def test_a_member_of_another_merchant_is_not_found_like_on_the_other_member_endpoints(world, member):
    other = world_build(name="Other chain")
    stranger = member_new(other)
    client = Client(headers={"authorization": f"Bearer {world.a.key}"})
    response = client.get(f"/api/v1/members/{stranger.public_id}/progress")
    assert response.status_code == 404
    assert response.json() == client.get(f"/api/v1/members/{stranger.public_id}").json()
    assert response.json()["error"]["code"] == "member_not_found"
    assert client.get("/api/v1/members/mbr_01jzzzzzzzzzzzzzzzzzzzzzzz/progress").status_code == 404


def test_needs_a_terminal_key(member):
    response = Client().get(f"/api/v1/members/{member.public_id}/progress")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
