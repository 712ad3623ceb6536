"""Reads for earning at the till: the rules active on a date, and the points a member earned on a local day.

Both run inside every sale, so each is one plain SQL statement: no ORM query building on the hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from tessera.earning.burn import BurnPolicy
from tessera.earning.models import EarningRule
from tessera.earning.rules import (
    BasketLine,
    BirthdayScope,
    Boost,
    Earning,
    MatchOn,
    MemberContext,
    Rule,
    RuleKind,
    earn,
    local_date,
    local_day_bounds,
)
from tessera.kit.db import db_datetime, sql_rows
from tessera.programs.config_cache import config_cached
from tessera.programs.models import Program
from tessera.programs.rules import EarnRate

_RULE_COLUMNS = (
    "code", "kind", "factor_permille", "weekday", "day_of_month", "birthday_scope", "match_on", "match_value",
    "cap_points", "active_from", "active_to",
)  # fmt: skip

# checkout sits above earning, so its table is read by name rather than through its model. Read-only; the
# (member_id, event_at) index, document_member_time_idx, serves the day's range.
_POINTS_EARNED_SQL = (
    "SELECT COALESCE(SUM(points), 0) FROM checkout_document"
    " WHERE member_id = %s AND kind = 'sale' AND event_at >= %s AND event_at < %s"
)


def earning_rules_get(*, program_id: int, on_date: date) -> list[Rule]:
    """The programme's rules in force on ``on_date`` (the sale's local date), in one query."""
    return [rule for rule in _all_rules(program_id) if _in_force(rule, on_date)]


def earning_rules_for(program: Program, on_date: date) -> list[Rule]:
    """``earning_rules_get`` from the configuration cache (checkout's hot path): no query while it stands."""
    rules = config_cached("earning.rules", program, lambda: _all_rules(program.id))
    return [rule for rule in rules if _in_force(rule, on_date)]


def _in_force(rule: Rule, day: date) -> bool:
    # The end date is exclusive: a rule active to 1 April last applies on 31 March.
    return (rule.active_from is None or rule.active_from <= day) and (rule.active_to is None or rule.active_to > day)


def _all_rules(program_id: int) -> tuple[Rule, ...]:
    table = EarningRule._meta.db_table
    rows = sql_rows(f"SELECT {', '.join(_RULE_COLUMNS)} FROM {table} WHERE program_id = %s ORDER BY id", [program_id])  # noqa: S608
    return tuple(_rule_from_row(row) for row in rows)


def _rule_from_row(row: tuple[Any, ...]) -> Rule:
    code, kind, factor, weekday, day_of_month, scope, match_on, match_value, cap, active_from, active_to = row
    return Rule(
        code=str(code),
        kind=RuleKind(kind),
        factor_permille=_int_or_none(factor),
        weekday=_int_or_none(weekday),
        day_of_month=_int_or_none(day_of_month),
        birthday_scope=BirthdayScope(scope) if scope else None,
        match_on=MatchOn(match_on) if match_on else None,
        match_value=str(match_value or ""),
        cap_points=_int_or_none(cap),
        active_from=_date_or_none(active_from),
        active_to=_date_or_none(active_to),
    )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _date_or_none(value: object) -> date | None:
    # SQLite hands dates back as ISO text through a plain cursor; PostgreSQL as dates.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def points_earned_on(*, member_id: int, local_day_start: datetime, local_day_end: datetime) -> int:
    """Points the member's sales earned with a till time in [start, end): the day so far, for the day cap.

    Returns do not give the allowance back: the cap limits what sales issue in a day. Call it after the
    member's accounts are locked, so that two sales at once cannot both use the same remaining allowance.
    """
    params = [member_id, db_datetime(local_day_start), db_datetime(local_day_end)]
    return int(sql_rows(_POINTS_EARNED_SQL, params)[0][0])


def earning_for_sale(
    *,
    program: Program,
    member_id: int,
    birthday: date | None,
    lines: Sequence[BasketLine],
    event_at: datetime,
    tier_factor_permille: int | None = None,
    tier_code: str = "",
    coupon: Boost | None = None,
    rate: EarnRate | None = None,
) -> Earning:
    """What a sale at till time ``event_at`` earns: the rules and the day so far on the programme's calendar.

    One query for the rules and, only where a per-day cap is active, one for the points earned that local day;
    then the pure engine. Call it once the member's accounts are locked (see ``points_earned_on``).
    """
    day = local_date(event_at, program.timezone)
    rules = earning_rules_for(program, day)
    earned_today = 0
    if any(rule.kind == RuleKind.DAY_CAP for rule in rules):
        start, end = local_day_bounds(day, program.timezone)
        earned_today = points_earned_on(member_id=member_id, local_day_start=start, local_day_end=end)
    member = MemberContext(local_date=day, birthday=birthday, tier_factor_permille=tier_factor_permille,
                           tier_code=tier_code, coupon=coupon)  # fmt: skip
    return earn(lines=lines, rate=rate or program.earn_rate, member=member, rules=rules, earned_today=earned_today)


def burn_policy(program: Program) -> BurnPolicy:
    """The programme's points-payment settings as the pure rules take them."""
    return BurnPolicy(
        enabled=program.burn_enabled,
        value=program.point_value,
        min_points=program.burn_min_points,
        max_share_pct=program.burn_max_share_pct,
    )
