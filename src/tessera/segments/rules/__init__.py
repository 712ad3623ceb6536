"""A segment's definition: a tree of groups and conditions over the fields of ``FIELDS``, as plain JSON.

A group is ``{"all": [...]}`` (every child holds) or ``{"any": [...]}`` (at least one does); a child is a group
or a condition ``{"field": "purchase_count", "op": "gte", "value": 3}``; conditions on a category's statistics
also name it: ``{"field": "category.purchase_count", "category": "kids", "op": "gte", "value": 3}``. The root
``{"all": []}`` is every member of the programme; any other empty group is refused, because what an empty
"any" should mean is a guess. Money is in minor units of the programme's currency, dates are ISO dates in the
programme's time zone, and relative dates (``in_last_days``, ``in_next_days``, ``this_month``) are worked out on
the day the segment is counted (``rules.dates``).

``definition_parse`` checks a definition and returns the typed tree, or raises ``DefinitionInvalid`` listing
every bad part by its place (``condition 2 of group 1``), translated.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from tessera.segments.errors import DefinitionInvalid
from tessera.segments.rules.fields import FIELDS, Field, Kind, Op, op_label

__all__ = [
    "DEPTH_MAX",
    "FIELDS",
    "Condition",
    "Field",
    "Group",
    "Kind",
    "Op",
    "definition_dump",
    "definition_parse",
    "op_label",
]

DEPTH_MAX = 4  # groups inside groups: deep enough for (A and (B or (C and D))), shallow enough to read
CONDITIONS_MAX = 50
DAYS_MAX = 3660  # ten years of days
TEXT_MAX = 100
VALUES_MAX = 200
NO_VALUE = frozenset({Op.IS_EMPTY, Op.IS_SET, Op.THIS_MONTH})
DAY_COUNTS = frozenset({Op.IN_LAST_DAYS, Op.NOT_IN_LAST_DAYS, Op.IN_NEXT_DAYS})
LISTS = frozenset({Op.IN, Op.NOT_IN, Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE})


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: Op
    value: Any = None  # int, date, str, a (low, high) pair for ``between``, a tuple of strings for lists
    category: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    mode: str  # "all" or "any"
    children: tuple[Group | Condition, ...] = ()

    def conditions(self) -> list[Condition]:
        found: list[Condition] = []
        for child in self.children:
            found.extend(child.conditions() if isinstance(child, Group) else [child])
        return found


EVERYONE = Group("all")


def definition_parse(data: object, *, choices: Mapping[str, Collection[str]] | None = None) -> Group:
    """The definition as a typed tree.

    ``choices`` gives the allowed values of fields whose choices belong to the programme (its stores, tiers and
    tags); a field missing there accepts any non-empty value.

    :raises DefinitionInvalid: with every problem found, each naming its place in the tree.
    """
    problems: list[str] = []
    group = _group(data, _("the definition"), 1, problems, choices or {})
    if group is not None and len(group.conditions()) > CONDITIONS_MAX:
        problems.append(_("The definition has more than %(count)s conditions.") % {"count": CONDITIONS_MAX})
    if problems or group is None:
        raise DefinitionInvalid(problems=problems)
    return group


def definition_dump(group: Group) -> dict[str, Any]:
    """The tree as the JSON ``definition_parse`` reads, dates as ISO strings: what a saved segment stores."""
    return {group.mode: [definition_dump(c) if isinstance(c, Group) else _condition_dump(c) for c in group.children]}


def _condition_dump(condition: Condition) -> dict[str, Any]:
    body: dict[str, Any] = {"field": condition.field}
    if condition.category:
        body["category"] = condition.category
    body["op"] = condition.op.value
    value = condition.value
    if isinstance(value, tuple):
        value = [v.isoformat() if isinstance(v, date) else v for v in value]
    elif isinstance(value, date):
        value = value.isoformat()
    if condition.op not in NO_VALUE:
        body["value"] = value
    return body


def _group(data: object, where: str, depth: int, problems: list[str], choices: Mapping[str, Collection[str]]
           ) -> Group | None:  # fmt: skip
    if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in ("all", "any"):
        problems.append(_('%(where)s: a group is {"all": [...]} or {"any": [...]}.') % {"where": where})
        return None
    ((mode, items),) = data.items()
    if not isinstance(items, list):
        problems.append(_("%(where)s: the group's conditions must be a list.") % {"where": where})
        return None
    if not items and depth > 1:
        problems.append(_("%(where)s: the group is empty.") % {"where": where})
    children: list[Group | Condition] = []
    for index, item in enumerate(items, start=1):
        inner: Group | Condition | None
        if isinstance(item, dict) and "field" not in item:
            if depth >= DEPTH_MAX:
                problems.append(_("%(where)s: groups may nest %(depth)s deep at most.")
                                % {"where": where, "depth": DEPTH_MAX})  # fmt: skip
                continue
            inner = _group(item, _("group %(index)s of %(where)s") % {"index": index, "where": where}, depth + 1,
                           problems, choices)  # fmt: skip
        else:
            here = _("condition %(index)s of %(where)s") % {"index": index, "where": where}
            inner = _condition(item, here, problems, choices)
        if inner is not None:
            children.append(inner)
    return Group(mode, tuple(children))


def _condition(data: object, where: str, problems: list[str], choices: Mapping[str, Collection[str]]
               ) -> Condition | None:  # fmt: skip
    if not isinstance(data, dict):
        problems.append(_("%(where)s: a condition has a field, an operator and a value.") % {"where": where})
        return None
    unknown = sorted(set(data) - {"field", "op", "value", "category"})
    if unknown:
        problems.append(_("%(where)s: unknown keys %(keys)s.") % {"where": where, "keys": ", ".join(unknown)})
        return None
    field = FIELDS.get(str(data.get("field", "")))
    if field is None:
        problems.append(_("%(where)s: there is no field %(field)s.") % {"where": where, "field": data.get("field")})
        return None
    where = f"{where} ({field.label})"
    try:
        op: Op | None = Op(str(data.get("op")))
    except ValueError:
        op = None
    if op is None or op not in field.ops:
        problems.append(_("%(where)s: the operator %(op)s does not apply to this field.")
                        % {"where": where, "op": data.get("op")})  # fmt: skip
        return None
    category = _category(field, data.get("category"), where, problems)
    value = _value(field, op, data.get("value"), where, problems, choices.get(field.code))
    if value is _BAD or category is None:
        return None
    return Condition(field.code, op, value, category)


_BAD = object()


def _category(field: Field, raw: object, where: str, problems: list[str]) -> str | None:
    if field.kind is not Kind.CATEGORY:
        if raw is not None:
            problems.append(_("%(where)s: only category fields name a category.") % {"where": where})
            return None
        return ""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > TEXT_MAX:
        problems.append(_("%(where)s: name the category (1 to 100 characters).") % {"where": where})
        return None
    return raw.strip()


def _value(field: Field, op: Op, raw: object, where: str, problems: list[str], allowed: Collection[str] | None
           ) -> Any:  # fmt: skip
    if op in NO_VALUE:
        return None
    kind = field.value_kind
    if op in DAY_COUNTS:
        return _checked(_integer(raw, 1, DAYS_MAX), where, problems, _("a number of days from 1 to 3660"))
    if op is Op.BETWEEN:
        pair = _pair(raw, kind, field.value_max)
        return _checked(pair, where, problems, _("two values, the lower first"))
    if op in LISTS:
        return _list(raw, field, where, problems, allowed)
    if kind is Kind.DATE:
        return _checked(_date(raw), where, problems, _("a date as YYYY-MM-DD"))
    if kind is Kind.TEXT:
        text = raw.strip() if isinstance(raw, str) else ""
        return _checked(text if 0 < len(text) <= TEXT_MAX else None, where, problems, _("text of 1 to 100 characters"))
    low = 0 if field.non_negative else None
    wanted = (
        _("a whole number from 0 to %(max)s") % {"max": field.value_max} if field.value_max else _("a whole number")
    )
    return _checked(_integer(raw, low, field.value_max), where, problems, wanted)


def _checked(value: Any, where: str, problems: list[str], wanted: str) -> Any:
    if value is None:
        problems.append(_("%(where)s: the value must be %(wanted)s.") % {"where": where, "wanted": wanted})
        return _BAD
    return value


def _integer(raw: object, low: int | None, high: int | None) -> int | None:
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None
    if (low is not None and raw < low) or (high is not None and raw > high):
        return None
    return raw


def _date(raw: object) -> date | None:
    if not isinstance(raw, str):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _pair(raw: object, kind: Kind, most: int | None) -> tuple[Any, Any] | None:
    if not isinstance(raw, list) or len(raw) != 2:
        return None
    low, high = (_date(v) for v in raw) if kind is Kind.DATE else (_integer(v, None, most) for v in raw)
    if low is None or high is None or low > high:  # type: ignore[operator]
        return None
    return low, high


def _list(raw: object, field: Field, where: str, problems: list[str], allowed: Collection[str] | None
          ) -> tuple[str, ...] | object:  # fmt: skip
    values = raw if isinstance(raw, list) else None
    if not values or len(values) > VALUES_MAX or not all(isinstance(v, str) and len(v) <= TEXT_MAX for v in values):
        problems.append(_("%(where)s: the value must be a list of 1 to 200 choices.") % {"where": where})
        return _BAD
    known = allowed if allowed is not None else field.choice_values()
    strange = [v for v in values if (known is not None and v not in known) or (known is None and not v.strip())]
    if strange:
        problems.append(_("%(where)s: %(values)s is not one of the choices.")
                        % {"where": where, "values": ", ".join(repr(v) for v in strange)})  # fmt: skip
        return _BAD
    return tuple(dict.fromkeys(values))
