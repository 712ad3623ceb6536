"""The dashboards' reads (cohort retention, tier distribution) on hand-made worlds with known answers, and the
pure shaping of the charts. Cohorts run on both databases: their months are cut in the programme's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from tessera.analytics.dashboards import (
    HEAT,
    INK_LIGHT,
    Cohort,
    bars,
    cohort_lines,
    cohort_retention,
    cohorts_trimmed,
    heat,
    rfm_grid_blocks,
    rfm_grid_cells,
    share_text,
    tier_distribution,
)
from tessera.analytics.rules import SEGMENT_MAP
from tessera.console.tests.browser.world import dashboard_world_build
from tessera.members.models import Member
from tessera.testing import give_back, member_new, sell, world_build

SH, SEOUL = ZoneInfo("Asia/Shanghai"), ZoneInfo("Asia/Seoul")


def _buy(shop, who: Member, when: datetime) -> str:
    with time_machine.travel(when, tick=False):
        return sell(shop, who, [(1, 10_000)])["pos_number"]


# ---------------------------------------------------------------- cohort retention


@pytest.fixture
def shanghai():
    """Four members around Shanghai's month ends, and one whose first purchase is before the window."""
    with time_machine.travel(datetime(2025, 11, 1, 9, 0, tzinfo=SH), tick=False):
        world = world_build(stores=2)
        old, a, b, c, d = (member_new(world, name=n) for n in ("Old", "A", "B", "C", "D"))
    _buy(world.a, old, datetime(2025, 11, 20, 12, 0, tzinfo=SH))
    _buy(world.a, old, datetime(2026, 2, 10, 12, 0, tzinfo=SH))  # a returning member, never a new one
    _buy(world.a, a, datetime(2026, 1, 31, 23, 30, tzinfo=SH))  # 15:30 UTC: January either way
    _buy(world.a, a, datetime(2026, 2, 14, 12, 0, tzinfo=SH))
    _buy(world.a, a, datetime(2026, 2, 20, 12, 0, tzinfo=SH))  # twice in February counts once
    _buy(world.a, a, datetime(2026, 4, 1, 0, 10, tzinfo=SH))  # still March 31 in UTC
    _buy(world.a, b, datetime(2026, 2, 1, 0, 30, tzinfo=SH))  # still January 31 in UTC
    _buy(world.a, b, datetime(2026, 3, 31, 23, 50, tzinfo=SH))
    sale = _buy(world.a, c, datetime(2026, 2, 15, 12, 0, tzinfo=SH))
    with time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=SH), tick=False):
        give_back(world.a, sale)  # a return is no visit: March stays empty for C
    _buy(world.b, d, datetime(2026, 3, 5, 12, 0, tzinfo=SH))
    return world


@pytest.mark.django_db
def test_cohorts_are_cut_by_the_first_purchase_in_the_programmes_months(shanghai):
    got = cohort_retention(program=shanghai.program, now=datetime(2026, 4, 10, 12, 0, tzinfo=SH), months=4)
    assert got == [
        Cohort(date(2026, 1, 1), 1, (1, 0, 1)),  # A: back in February and April
        Cohort(date(2026, 2, 1), 2, (1, 0)),  # B (first bought at 00:30 on 1 February) and C; B came in March
        Cohort(date(2026, 3, 1), 1, (0,)),  # D, at the second store
        Cohort(date(2026, 4, 1), 0, ()),
    ]


@pytest.mark.django_db
def test_a_store_managers_cohorts_count_only_purchases_at_their_stores(shanghai):
    at = datetime(2026, 4, 10, 12, 0, tzinfo=SH)
    got = cohort_retention(program=shanghai.program, now=at, months=4, store_ids=[shanghai.a.store.id])
    assert [(c.members, c.retained) for c in got] == [(1, (1, 0, 1)), (2, (1, 0)), (0, (0,)), (0, ())]
    elsewhere = cohort_retention(program=shanghai.program, now=at, months=4, store_ids=[shanghai.b.store.id])
    assert [(c.members, c.retained) for c in elsewhere] == [(0, (0, 0, 0)), (0, (0, 0)), (1, (0,)), (0, ())]


@pytest.mark.django_db
def test_the_current_month_is_the_programmes_not_the_servers():
    with time_machine.travel(datetime(2026, 2, 1, 9, 0, tzinfo=SEOUL), tick=False):
        world = world_build(country="KR", timezone="Asia/Seoul", currency="KRW", stores=1)
        who = member_new(world, phone="01012345678")
    with time_machine.travel(datetime(2026, 2, 28, 23, 30, tzinfo=SEOUL), tick=False):
        sell(world.a, who, [(1, 10_000)], currency="KRW")
    with time_machine.travel(datetime(2026, 3, 1, 0, 30, tzinfo=SEOUL), tick=False):  # 15:30 UTC on 28 February
        sell(world.a, who, [(1, 10_000)], currency="KRW")
    # At 00:30 on 1 March in Seoul it is March there, though still February in UTC.
    got = cohort_retention(program=world.program, now=datetime(2026, 3, 1, 0, 40, tzinfo=SEOUL), months=2)
    assert got == [Cohort(date(2026, 2, 1), 1, (1,)), Cohort(date(2026, 3, 1), 0, ())]


def test_the_window_must_be_one_to_thirty_six_months():
    with pytest.raises(ValueError, match="months"):
        cohort_retention(program=None, now=datetime(2026, 1, 1, tzinfo=SH), months=0)  # type: ignore[arg-type]


# ---------------------------------------------------------------- tier distribution


@pytest.mark.django_db
def test_tier_distribution_counts_members_per_tier_and_judges_the_diamond():
    w = dashboard_world_build()
    member_new(w.world, name="Never bought")  # not placed on the ladder yet: the base tier
    got = tier_distribution(program=w.world.program, language="en")
    assert [(t.code, t.members) for t in got.tiers] == [
        ("card", 6), ("red", 3), ("yellow", 5), ("blue", 2), ("purple", 1)
    ]  # fmt: skip
    assert got.total == 17
    assert got.is_diamond
    assert "Yellow diamond is the largest" in got.verdict()
    assert [t.name for t in tier_distribution(program=w.world.program, language="ko").tiers][1] == "레드 다이아몬드"


@pytest.mark.django_db
def test_tier_distribution_of_a_store_with_no_members_is_no_diamond():
    w = dashboard_world_build()
    got = tier_distribution(program=w.world.program, language="en", store_ids=[w.world.b.store.id])
    assert [t.members for t in got.tiers] == [0, 0, 0, 0, 0]
    assert not got.is_diamond
    assert got.findings[0].code == "shape_empty_tiers"


@pytest.mark.django_db
def test_a_programme_without_a_ladder_has_no_tier_distribution():
    world = world_build(stores=1)
    assert tier_distribution(program=world.program, language="en") is None


# ---------------------------------------------------------------- shaping


def test_heat_is_white_for_nothing_and_darkest_with_light_ink_for_the_most():
    assert heat(0, 10) == ("#ffffff", "#17212b")
    assert heat(10, 10) == (HEAT[-1], INK_LIGHT)
    assert heat(0.01, 10)[0] == HEAT[1]  # a little is not nothing


def test_the_segment_blocks_tile_the_grid_and_recent_buyers_are_on_top():
    covered = sorted((x, y) for b in rfm_grid_blocks() for x in range(b.x, b.x + b.width, 112)
                     for y in range(b.y, b.y + b.height, 64))  # fmt: skip
    assert len(covered) == len(set(covered)) == 25
    assert len(rfm_grid_blocks()) == len(SEGMENT_MAP)
    cells = {(c.r, c.f): c for c in rfm_grid_cells([[0] * 5 for _ in range(4)] + [[0, 0, 0, 0, 7]], "en")}
    assert cells[5, 5].y < cells[1, 5].y
    assert cells[5, 5].fill == HEAT[-1]
    assert cells[5, 5].text == "7"
    champions = next(b for b in rfm_grid_blocks() if b.code == "champions")
    assert (champions.x, champions.y) == (cells[5, 4].x, cells[5, 4].y)


def test_centred_bars_share_one_axis_and_the_widest_fills_the_chart():
    shaped = bars([("a", "A", 10), ("b", "B", 40), ("c", "C", 0), ("d", "D", 1)], "en", centred=True)
    centres = [b.x + b.width / 2 for b in shaped if b.width]
    assert max(centres) - min(centres) < 0.2  # one axis, to the rounding of a tenth
    assert shaped[1].width == max(b.width for b in shaped)
    assert shaped[2].width == 0
    assert shaped[3].width >= 2  # one member is still seen
    assert shaped[1].text == "40 (78%)"
    assert [b.y for b in shaped] == [0, 38, 76, 114]


def test_bars_on_the_left_start_together():
    assert {b.x for b in bars([("a", "A", 1), ("b", "B", 3)], "en")} == {210}


def test_shares_are_formatted_for_the_locale():
    assert share_text(1, 3, "en") == "33%"
    assert share_text(1, 16, "en") == "6.2%"
    assert share_text(1, 0, "en") == ""
    assert share_text(1, 2, "ko_KR") == "50%"


def test_cohort_lines_shade_against_the_best_share_and_leave_empty_months_bare():
    cohorts = [Cohort(date(2026, 1, 1), 0, (0, 0)), Cohort(date(2026, 2, 1), 4, (2,)), Cohort(date(2026, 3, 1), 2, ())]
    assert cohorts_trimmed(cohorts) == cohorts[1:]
    with translation.override("ko"):
        lines = cohort_lines(cohorts, "ko_KR")
    assert lines[0].cells == ()
    assert lines[1].cells[0].text == "50%"
    assert lines[1].cells[0].fill == HEAT[-1]
    assert lines[1].month == "2026년 2월"
    assert lines[2].members_text == "2"
