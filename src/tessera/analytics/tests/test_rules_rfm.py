"""The pure RFM rules: the R-F map cell by cell, working groups, NTILE and the cuts, quantile positions, thresholds,
stages."""

from __future__ import annotations

import itertools

import pytest

from tessera.analytics.rules import (
    GROUP_RULES,
    SCORES,
    SEGMENT_MAP,
    Cell,
    Segment,
    Stage,
    Thresholds,
    ThresholdSource,
    WorkingGroup,
    code_of,
    cut_positions,
    group_of,
    nearest_rank,
    ntile,
    quintile_edges,
    recency_score_of,
    score_of,
    segment_of,
    stage_of,
    thresholds_learn,
)

# The recipe's map written out as the grid it draws: row R = 5 at the top, columns F = 1..5 (analytics.md §1).
GRID = {
    5: ["new_customers", "potential_loyalists", "potential_loyalists", "champions", "champions"],
    4: ["promising", "potential_loyalists", "potential_loyalists", "loyal_customers", "loyal_customers"],
    3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal_customers", "loyal_customers"],
    2: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
    1: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
}


@pytest.mark.parametrize(("r", "f"), list(itertools.product(SCORES, SCORES)))
def test_every_cell_of_the_rf_map_has_the_recipes_segment(r, f):
    assert code_of(segment_of(r, f)) == GRID[r][f - 1]


def test_every_cell_is_in_exactly_one_box_of_the_map():
    for r, f in itertools.product(SCORES, SCORES):
        assert sum(box.holds(r, f) for _, box in SEGMENT_MAP) == 1, (r, f)
    assert {segment for segment, _ in SEGMENT_MAP} == set(Segment)


def test_scores_outside_one_to_five_are_refused():
    with pytest.raises(ValueError, match="out of range"):
        segment_of(0, 3)


def test_segment_codes_are_the_recipes_names_spelled_plainly():
    assert [code_of(s) for s in Segment] == [
        "hibernating", "at_risk", "cant_lose", "about_to_sleep", "need_attention", "loyal_customers", "promising",
        "new_customers", "potential_loyalists", "champions",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("scores", "monetary_minor", "group"),
    [
        ((5, 5, 5), 90_000, WorkingGroup.HIGH_VALUE),
        ((4, 4, 4), 1, WorkingGroup.HIGH_VALUE),
        ((3, 4, 4), 1, WorkingGroup.NONE),  # frequent big spender not seen lately: the segments' win-back work
        ((5, 5, 2), 1_000, WorkingGroup.GROW_BASKET),  # comes often, spends little: small baskets
        ((3, 4, 1), 1_000, WorkingGroup.GROW_BASKET),
        ((2, 5, 1), 1_000, WorkingGroup.NONE),  # comes often but not lately: not a basket campaign's member
        ((5, 1, 5), 50_000, WorkingGroup.GROW_FREQUENCY),  # spends a lot when they come, rarely comes
        ((3, 2, 4), 50_000, WorkingGroup.GROW_FREQUENCY),
        ((1, 1, 5), 50_000, WorkingGroup.POOR_OR_LAPSED),  # rarely came and not for long: lapsed, whatever spent
        ((2, 2, 1), 100, WorkingGroup.POOR_OR_LAPSED),
        ((5, 5, 1), 0, WorkingGroup.POOR_OR_LAPSED),  # returned everything they bought
        ((5, 3, 1), -500, WorkingGroup.POOR_OR_LAPSED),
        ((3, 3, 3), 1_000, WorkingGroup.NONE),
    ],
)
def test_working_groups(scores, monetary_minor, group):
    assert group_of(*scores, monetary_minor=monetary_minor) == group


def test_the_working_groups_boxes_do_not_overlap():
    for r, f, m in itertools.product(SCORES, SCORES, SCORES):
        assert sum(rule.box.holds(r, f, m) for rule in GROUP_RULES) <= 1, (r, f, m)


@pytest.mark.parametrize(
    ("rows", "sizes"),
    [(10, [2, 2, 2, 2, 2]), (7, [2, 2, 1, 1, 1]), (13, [3, 3, 3, 2, 2]), (3, [1, 1, 1, 0, 0]), (1, [1, 0, 0, 0, 0])],
)
def test_ntile_gives_the_extra_rows_to_the_first_buckets_as_sql_does(rows, sizes):
    buckets = [ntile(position, rows) for position in range(1, rows + 1)]
    assert buckets == sorted(buckets)
    assert [buckets.count(b) for b in SCORES] == sizes


@pytest.mark.parametrize("rows", [1, 3, 7, 10, 12, 13, 1_000_003])
def test_the_cuts_are_the_last_positions_of_the_first_four_ntile_buckets(rows):
    positions = cut_positions(rows)
    assert len(positions) == 4
    for position in positions:
        if position < rows:
            assert ntile(position, rows) < ntile(position + 1, rows)


def test_a_score_is_one_more_than_the_cuts_below_the_value():
    cuts = [1, 1, 2, 5]
    assert [score_of(v, cuts) for v in (0, 1, 2, 3, 5, 6, 100)] == [1, 1, 3, 4, 4, 5, 5]
    assert [recency_score_of(v, [3, 10, 30, 90]) for v in (0, 3, 4, 10, 90, 91)] == [5, 5, 4, 4, 2, 1]
    # Without ties the cuts reproduce NTILE(5) exactly.
    values = list(range(100, 113))
    cuts = [values[p - 1] for p in cut_positions(len(values))]
    assert [score_of(v, cuts) for v in values] == [ntile(k, len(values)) for k in range(1, len(values) + 1)]


def test_ntile_refuses_a_position_outside_the_rows():
    with pytest.raises(ValueError, match="outside"):
        ntile(0, 5)


@pytest.mark.parametrize(("percent", "rows", "position"), [(50, 10, 5), (80, 10, 8), (95, 10, 10), (95, 100, 95),
                                                           (50, 1, 1), (80, 7, 6), (95, 30, 29)])  # fmt: skip
def test_nearest_rank_is_the_ceiling_of_p_n(percent, rows, position):
    assert nearest_rank(percent, rows) == position


def test_thresholds_are_the_quantiles_rounded_up_to_whole_days():
    t = thresholds_learn(repeat_buyers=500, quantiles=[21.5, 64.0, 150.2])
    assert (t.typical_days, t.at_risk_days, t.lapsed_days, t.source) == (22, 64, 151, ThresholdSource.LEARNED)


def test_tied_quantiles_still_leave_room_for_at_risk():
    t = thresholds_learn(repeat_buyers=500, quantiles=[7.0, 7.0, 7.0])
    assert (t.typical_days, t.at_risk_days, t.lapsed_days) == (7, 7, 8)
    t = thresholds_learn(repeat_buyers=500, quantiles=[0.5, 0.5, 0.9])
    assert (t.typical_days, t.at_risk_days, t.lapsed_days) == (1, 1, 2)


@pytest.mark.parametrize("repeat_buyers", [0, 1, 29])
def test_too_few_repeat_buyers_fall_back_to_the_defaults(repeat_buyers):
    t = thresholds_learn(repeat_buyers=repeat_buyers, quantiles=[3.0, 9.0, 20.0] if repeat_buyers else [None] * 3)
    assert (t.typical_days, t.at_risk_days, t.lapsed_days, t.source) == (30, 90, 180, ThresholdSource.DEFAULT)
    assert t.repeat_buyers == repeat_buyers


T = Thresholds(typical_days=20, at_risk_days=60, lapsed_days=120, source="learned", repeat_buyers=100)


@pytest.mark.parametrize(
    ("recency", "frequency", "gap", "stage"),
    [
        (121, 9, 3, Stage.LAPSED),
        (120, 9, 3, Stage.AT_RISK),  # thresholds are "more than so many days"
        (61, 1, None, Stage.AT_RISK),
        (60, 3, 10, Stage.ACTIVE),
        (20, 1, None, Stage.NEW),
        (21, 1, None, Stage.ACTIVE),  # one purchase, longer ago than the typical interval
        (0, 1, None, Stage.NEW),
        (5, 4, 61, Stage.REACTIVATED),  # came back after more than the at-risk threshold
        (5, 4, 200, Stage.REACTIVATED),  # after more than the lapsed one
        (60, 2, 61, Stage.REACTIVATED),  # back and not bought since
        (5, 5, 60, Stage.ACTIVE),  # a gap of exactly at-risk days is not an absence
        (61, 4, 90, Stage.AT_RISK),  # came back once, then stayed away again
        (130, 4, 200, Stage.LAPSED),
        (5, 4, None, Stage.ACTIVE),  # purchases before the last one unknown (older statistics): not a return
        (5, 1, None, Stage.NEW),
    ],
)
def test_stages(recency, frequency, gap, stage):
    assert stage_of(recency_days=recency, frequency=frequency, thresholds=T, gap_days=gap) == stage


def test_quintile_edges_are_each_scores_value_range():
    def cell(r, f, m, members, recency, frequency, monetary):
        return Cell(r, f, m, 0, 2, members, *recency, *frequency, *monetary)

    edges = quintile_edges([
        cell(5, 1, 1, 3, (1, 4), (1, 1), (100, 900)),
        cell(5, 2, 3, 2, (2, 5), (1, 2), (1_000, 1_500)),
        cell(1, 5, 5, 1, (300, 300), (40, 40), (90_000, 90_000)),
    ])  # fmt: skip
    assert edges == {
        "recency_days": [[300, 300], [], [], [], [1, 5]],
        "frequency": [[1, 1], [1, 2], [], [], [40, 40]],
        "monetary_minor": [[100, 900], [], [1_000, 1_500], [], [90_000, 90_000]],
    }
