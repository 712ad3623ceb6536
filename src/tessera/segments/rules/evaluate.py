"""A definition evaluated for one member's plain facts: the meaning the SQL compiler must match.

The selectors never call this (they count in SQL); the tests hold the compiler to it, member by member. Facts
are keyed by field code: dates are local dates or None, numbers int or None (no statistics, no RFM score),
choices str or None, ``tags`` a set of names, ``preferences`` a list, and each ``category.*`` field a dict of
the member's value per category. Unknown facts satisfy no comparison: a member without a birthday is neither
over nor under 30, and "is not" 30 holds only for known ages. A category never bought has a count, quantity
and spend of 0 and no last purchase.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tessera.segments.rules import Condition, Group
from tessera.segments.rules.dates import age_on, birthday_matches, date_range, in_range
from tessera.segments.rules.fields import FIELDS, Kind, Op


def definition_holds(group: Group, facts: Mapping[str, Any], today: date) -> bool:
    results = (
        definition_holds(c, facts, today) if isinstance(c, Group) else condition_holds(c, facts, today)
        for c in group.children
    )
    return all(results) if group.mode == "all" else any(results)


def condition_holds(condition: Condition, facts: Mapping[str, Any], today: date) -> bool:
    field = FIELDS[condition.field]
    op, value = condition.op, condition.value
    fact: Any
    if field.kind is Kind.CATEGORY:
        known = facts.get(condition.field, {}).get(condition.category)
        fact = known if known is not None or field.value_kind is Kind.DATE else 0
    elif field.code == "age":
        birthday = facts.get("birthday")
        fact = age_on(birthday, today) if birthday is not None else None
    else:
        fact = facts.get(condition.field)
    if field.code == "birthday" and op in (Op.THIS_MONTH, Op.IN_NEXT_DAYS):
        return birthday_matches(fact, op, value, today)
    return _compare(field.value_kind, op, fact, value, today)


def _compare(kind: Kind, op: Op, fact: Any, value: Any, today: date) -> bool:
    if op is Op.IS_EMPTY:
        return fact is None or fact == "" or fact == []
    if op is Op.IS_SET:
        return not (fact is None or fact == "" or fact == [])
    if op in (Op.IN, Op.NOT_IN):
        inside = (fact if fact is not None else "") in value
        return inside if op is Op.IN else not inside
    if op in (Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE):
        have = {v.casefold() for v in fact or ()} if kind is Kind.TEXT else set(fact or ())
        wanted = {v.casefold() for v in value} if kind is Kind.TEXT else set(value)
        if op is Op.HAS_ALL:
            return wanted <= have
        return bool(have & wanted) if op is Op.HAS_ANY else not have & wanted
    if fact is None:
        return False
    if kind is Kind.DATE:
        return in_range(fact, date_range(op, value, today))
    if kind is Kind.TEXT:
        return fact.casefold() == value.casefold() if op is Op.EQ else value.casefold() in fact.casefold()
    return number_holds(op, fact, value)


def number_holds(op: Op, fact: int, value: Any) -> bool:
    if op is Op.BETWEEN:
        return bool(value[0] <= fact <= value[1])
    checks = {Op.EQ: fact == value, Op.NE: fact != value, Op.GT: fact > value, Op.GTE: fact >= value,
              Op.LT: fact < value, Op.LTE: fact <= value}  # fmt: skip
    return checks[op]
