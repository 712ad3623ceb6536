"""The fields a segment may test, their kinds and operators, with translated labels for the builder.

Choices that belong to a programme (its stores, tier codes and tags) are not listed here: the selectors read
them and pass them to ``definition_parse``. The RFM choices are the stable codes of ``analytics.rules``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tessera.analytics.rules import Segment, Stage, WorkingGroup, code_of


class Kind(StrEnum):
    NUMBER = "number"
    MONEY = "money"  # integer minor units of the programme's currency
    DATE = "date"
    CHOICE = "choice"
    TEXT = "text"
    TAG = "tag"
    CATEGORY = "category"  # a measure of one product category's statistics; its value has the measure's kind


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    BETWEEN = "between"
    ON = "on"
    BEFORE = "before"
    AFTER = "after"
    IN_LAST_DAYS = "in_last_days"
    NOT_IN_LAST_DAYS = "not_in_last_days"
    IS_EMPTY = "is_empty"
    IS_SET = "is_set"
    THIS_MONTH = "this_month"
    IN_NEXT_DAYS = "in_next_days"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    HAS_ANY = "has_any"
    HAS_ALL = "has_all"
    HAS_NONE = "has_none"


OP_LABELS: dict[Op, Promise] = {
    Op.EQ: _("is"),
    Op.NE: _("is not"),
    Op.GT: _("is more than"),
    Op.GTE: _("is at least"),
    Op.LT: _("is less than"),
    Op.LTE: _("is at most"),
    Op.BETWEEN: _("is between"),
    Op.ON: _("is on"),
    Op.BEFORE: _("is before"),
    Op.AFTER: _("is after"),
    Op.IN_LAST_DAYS: _("is in the last N days"),
    Op.NOT_IN_LAST_DAYS: _("is more than N days ago"),
    Op.IS_EMPTY: _("is not known"),
    Op.IS_SET: _("is known"),
    Op.THIS_MONTH: _("falls this month"),
    Op.IN_NEXT_DAYS: _("falls in the next N days"),
    Op.IN: _("is one of"),
    Op.NOT_IN: _("is none of"),
    Op.CONTAINS: _("contains"),
    Op.HAS_ANY: _("has any of"),
    Op.HAS_ALL: _("has all of"),
    Op.HAS_NONE: _("has none of"),
}


def op_label(op: Op) -> str:
    return str(OP_LABELS[op])


NUMBER_OPS = (Op.EQ, Op.NE, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN)
DATE_OPS = (Op.ON, Op.BEFORE, Op.AFTER, Op.BETWEEN, Op.IN_LAST_DAYS, Op.NOT_IN_LAST_DAYS, Op.IS_EMPTY, Op.IS_SET)
BIRTHDAY_OPS = (Op.THIS_MONTH, Op.IN_NEXT_DAYS, Op.ON, Op.BEFORE, Op.AFTER, Op.BETWEEN, Op.IS_EMPTY, Op.IS_SET)
CHOICE_OPS = (Op.IN, Op.NOT_IN)
TEXT_OPS = (Op.EQ, Op.CONTAINS, Op.IS_EMPTY, Op.IS_SET)
TAG_OPS = (Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE)
LIST_TEXT_OPS = (Op.HAS_ANY, Op.HAS_NONE)

Choices = tuple[tuple[str, Promise | str], ...]


@dataclass(frozen=True, slots=True)
class Field:
    code: str
    label: Promise
    section: Promise
    kind: Kind
    ops: tuple[Op, ...]
    value_kind: Kind  # the kind of the value compared: the measure's for a category field, else ``kind``
    choices: Callable[[], Choices] | None = None  # static choices; None: free, or the programme's (dynamic)
    dynamic: bool = False  # the choices are the programme's: stores, tiers, tags
    non_negative: bool = True
    value_max: int | None = None  # the largest value that makes sense (an age), if any

    def choice_values(self) -> frozenset[str] | None:
        return None if self.choices is None else frozenset(value for value, _label in self.choices())


def _field(code: str, label: Promise, section: Promise, kind: Kind, ops: tuple[Op, ...], **kw: object) -> Field:
    value_kind = kw.pop("value_kind", kind)
    return Field(code, label, section, kind, ops, value_kind, **kw)  # type: ignore[arg-type]


def _gender() -> Choices:
    from tessera.members.models import Member

    return tuple(Member.Gender.choices)


def _status() -> Choices:
    from tessera.members.models import Member

    return tuple(Member.Status.choices)


def _income() -> Choices:
    from tessera.crm.models import Profile

    return tuple(Profile.IncomeBand.choices)


def _education() -> Choices:
    from tessera.crm.models import Profile

    return tuple(Profile.Education.choices)


def _rfm(choices: type[Segment] | type[WorkingGroup] | type[Stage]) -> Callable[[], Choices]:
    return lambda: tuple((code_of(c), c.label) for c in choices)


def _scores() -> Choices:
    return tuple((str(s), str(s)) for s in (1, 2, 3, 4, 5))


_PROFILE = _("Profile")
_PURCHASES = _("Purchases")
_BALANCES = _("Balances")
_LOYALTY = _("Tier and tags")
_RFM = _("RFM scores")
_CATEGORIES = _("Category affinity")
_DATES = _("Dates")
_N, _M, _D, _C, _T = Kind.NUMBER, Kind.MONEY, Kind.DATE, Kind.CHOICE, Kind.TEXT

_ALL: tuple[Field, ...] = (
    _field("gender", _("Gender"), _PROFILE, _C, CHOICE_OPS, choices=_gender),
    _field("age", _("Age"), _PROFILE, _N, NUMBER_OPS, value_max=150),
    _field("status", _("Membership status"), _PROFILE, _C, CHOICE_OPS, choices=_status),
    _field("enrolled_store", _("Enrolment store"), _PROFILE, _C, CHOICE_OPS, dynamic=True),
    _field("occupation", _("Occupation"), _PROFILE, _T, TEXT_OPS),
    _field("income_band", _("Monthly income band"), _PROFILE, _C, CHOICE_OPS, choices=_income),
    _field("education", _("Education"), _PROFILE, _C, CHOICE_OPS, choices=_education),
    _field("region", _("Region"), _PROFILE, _T, TEXT_OPS),
    _field("preferences", _("Preferences"), _PROFILE, _T, LIST_TEXT_OPS),
    _field("birthday", _("Birthday"), _DATES, _D, BIRTHDAY_OPS),
    _field("enrolled_at", _("Enrolment date"), _DATES, _D, DATE_OPS),
    _field("first_purchase_at", _("First purchase"), _DATES, _D, DATE_OPS),
    _field("last_purchase_at", _("Last purchase"), _DATES, _D, DATE_OPS),
    _field("purchase_count", _("Number of purchases"), _PURCHASES, _N, NUMBER_OPS),
    _field("net_spend_minor", _("Net spend"), _PURCHASES, _M, NUMBER_OPS, non_negative=False),
    _field("top_up_minor", _("Stored value put in"), _PURCHASES, _M, NUMBER_OPS),
    _field("points_balance", _("Points balance"), _BALANCES, _N, NUMBER_OPS),
    _field("stored_value_minor", _("Stored value balance"), _BALANCES, _M, NUMBER_OPS),
    _field("tier", _("Tier"), _LOYALTY, _C, CHOICE_OPS, dynamic=True),
    _field("tags", _("Tags"), _LOYALTY, Kind.TAG, TAG_OPS, dynamic=True),
    _field("rfm_r", _("Recency score (R)"), _RFM, _C, CHOICE_OPS, choices=_scores),
    _field("rfm_f", _("Frequency score (F)"), _RFM, _C, CHOICE_OPS, choices=_scores),
    _field("rfm_m", _("Monetary score (M)"), _RFM, _C, CHOICE_OPS, choices=_scores),
    _field("rfm_segment", _("RFM segment"), _RFM, _C, CHOICE_OPS, choices=_rfm(Segment)),
    _field("rfm_group", _("Working group"), _RFM, _C, CHOICE_OPS, choices=_rfm(WorkingGroup)),
    _field("stage", _("Lifecycle stage"), _RFM, _C, CHOICE_OPS, choices=_rfm(Stage)),
    _field("category.purchase_count", _("Purchases in a category"), _CATEGORIES, Kind.CATEGORY, NUMBER_OPS,
           value_kind=_N),
    _field("category.quantity", _("Items bought in a category"), _CATEGORIES, Kind.CATEGORY, NUMBER_OPS,
           value_kind=_N, non_negative=False),
    _field("category.spend_minor", _("Net spend in a category"), _CATEGORIES, Kind.CATEGORY, NUMBER_OPS,
           value_kind=_M, non_negative=False),
    _field("category.last_purchase_at", _("Last purchase in a category"), _CATEGORIES, Kind.CATEGORY, DATE_OPS,
           value_kind=_D),
)  # fmt: skip

FIELDS: dict[str, Field] = {f.code: f for f in _ALL}
