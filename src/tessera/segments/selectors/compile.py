"""A definition compiled into one ``Q`` over the programme's members, all of it evaluated in SQL.

Member columns are plain lookups; statistics join ``MemberStats`` (one row per member); everything a member has
many of, or may lack, is an EXISTS subquery on the member's id: tags, category statistics, profile, tier,
points; RFM goes through ``analytics.selectors.rfm_member_ids`` as an ``id IN (...)`` subquery, which is the one
way into the scores that survives a change of how they are stored. The meaning is ``rules.evaluate``'s, and
the tests hold this module to it on SQLite and PostgreSQL.

"Zero counts" rule, for the things a member may have no row of (a category never bought, no points account):
when 0 satisfies the comparison, the condition is "no row that fails it" (NOT EXISTS); otherwise "a row that
satisfies it" (EXISTS). Both read only the member's own rows through the unique indexes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import CharField, Exists, F, Func, OuterRef, Q, Subquery, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual, Range

from tessera.analytics.models import RfmRun
from tessera.analytics.rules import Segment as RfmSegment
from tessera.analytics.rules import Stage, WorkingGroup
from tessera.analytics.selectors import rfm_member_ids, rfm_run_latest
from tessera.crm.models import MemberTag, Profile
from tessera.kit.db import is_postgres
from tessera.ledger.models import Account, AccountKind
from tessera.members.models import MemberCategoryStats
from tessera.programs.models import Program
from tessera.segments.rules import Condition, Group, Op
from tessera.segments.rules.dates import age_birthday_range, birthday_spans, date_range
from tessera.segments.rules.evaluate import number_holds
from tessera.tiers.models import MemberTier
from tessera.tiers.selectors import LadderView, ladder_view_get

NOBODY = Q(pk__in=[])
_LOOKUPS = {Op.EQ: Exact, Op.GT: GreaterThan, Op.GTE: GreaterThanOrEqual, Op.LT: LessThan, Op.LTE: LessThanOrEqual}
_SV_KINDS = (AccountKind.MEMBER_SV_PRINCIPAL, AccountKind.MEMBER_SV_BONUS)


@dataclass
class Context:
    """What a compilation needs beyond the tree: read once per count, only if a condition asks for it."""

    program: Program
    today: date
    _ladder: tuple[LadderView | None] | None = field(default=None, repr=False)
    _run: tuple[RfmRun | None] | None = field(default=None, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.program.timezone)

    def ladder(self) -> LadderView | None:
        if self._ladder is None:
            self._ladder = (ladder_view_get(program_id=self.program.id),)
        return self._ladder[0]

    def run(self) -> RfmRun | None:
        if self._run is None:
            self._run = (rfm_run_latest(program=self.program),)
        return self._run[0]


def group_q(group: Group, ctx: Context) -> Q:
    parts = [group_q(c, ctx) if isinstance(c, Group) else condition_q(c, ctx) for c in group.children]
    if not parts:
        return Q()  # only the root may be empty: every member
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if group.mode == "all" else combined | part
    return combined


def condition_q(c: Condition, ctx: Context) -> Q:
    return _COMPILERS[c.field](c, ctx)


# ---------------------------------------------------------------- comparisons


def _compare(path: str, op: Op, value: Any) -> Q:
    """A number, money or date comparison on a column that is never NULL where the row exists."""
    if op is Op.BETWEEN:
        return Q(**{f"{path}__range": value})
    if op is Op.NE:
        return Q(**{f"{path}__lt": value}) | Q(**{f"{path}__gt": value})
    return Q(**{f"{path}__{_LOOKUPS[op].lookup_name}": value})


def _compare_expr(expr: Any, op: Op, value: Any) -> Q:
    if op is Op.BETWEEN:
        return Q(Range(expr, value))
    if op is Op.NE:
        return Q(LessThan(expr, value)) | Q(GreaterThan(expr, value))
    return Q(_LOOKUPS[op](expr, value))


def _zero_counts(rows: Any, path: str, op: Op, value: Any) -> Q:
    """The member's rows (a queryset on ``OuterRef('pk')``) compared on ``path``, a missing row counting 0."""
    if number_holds(op, 0, value):
        return ~Q(Exists(rows.exclude(_compare(path, op, value))))
    return Q(Exists(rows.filter(_compare(path, op, value))))


def _local_midnight(day: date, ctx: Context) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ctx.tz)


def _date_q(path: str, c: Condition, ctx: Context, *, local_dates: bool = False) -> Q:
    """A date condition on a date-time column (``local_dates``: a date column) in the programme's time zone."""
    if c.op is Op.IS_EMPTY:
        return Q(**{f"{path}__isnull": True})
    if c.op is Op.IS_SET:
        return Q(**{f"{path}__isnull": False})
    start, end = date_range(c.op, c.value, ctx.today)
    convert: Callable[[date], Any] = (lambda d: d) if local_dates else (lambda d: _local_midnight(d, ctx))
    q = Q()
    if start is not None:
        q &= Q(**{f"{path}__gte": convert(start)})
    if end is not None:
        q &= Q(**{f"{path}__lt": convert(end)})
    return q


def _choice(path: str, c: Condition, values: list[Any] | tuple[Any, ...] | None = None) -> Q:
    q = Q(**{f"{path}__in": list(values if values is not None else c.value)})
    return q if c.op is Op.IN else ~q


# ---------------------------------------------------------------- the member and its profile


def _member_choice(path: str) -> Callable[[Condition, Context], Q]:
    return lambda c, ctx: _choice(path, c)


def _enrolled_store(c: Condition, ctx: Context) -> Q:
    return _choice("enrolled_store__public_id", c)


def _age(c: Condition, ctx: Context) -> Q:
    start, end = age_birthday_range(c.op, c.value, ctx.today)
    inside = Q(birthday__isnull=False)
    inside &= Q(birthday__gte=start) if start is not None else Q()
    inside &= Q(birthday__lt=end) if end is not None else Q()
    return Q(birthday__isnull=False) & ~inside if c.op is Op.NE else inside


def _birthday(c: Condition, ctx: Context) -> Q:
    if c.op not in (Op.THIS_MONTH, Op.IN_NEXT_DAYS):
        return _date_q("birthday", c, ctx, local_dates=True)
    q = NOBODY
    month_day = MonthDay("birthday")
    for month, first, last in birthday_spans(c.op, c.value, ctx.today):
        q |= Q(Range(month_day, (f"{month:02d}-{first:02d}", f"{month:02d}-{last:02d}")))
    return q


class MonthDay(Func):
    """A date's month and day as ``MM-DD`` text, in each database's native function: Django's ``__month`` and
    ``__day`` run a Python function per row on SQLite, which a live count over 100,000 members cannot afford."""

    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, function="strftime", template="%(function)s('%%%%m-%%%%d', %(expressions)s)"
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, function="to_char", template="%(function)s((%(expressions)s)::timestamp, 'MM-DD')"
        )


def _profile(c: Condition, ctx: Context) -> Q:
    """Profile fields; a member without a profile has given nothing (every attribute blank)."""
    rows = Profile.objects.filter(member=OuterRef("pk"))
    column = c.field
    if c.op in (Op.IS_EMPTY, Op.IS_SET):
        given = Q(Exists(rows.exclude(**{column: ""})))
        return given if c.op is Op.IS_SET else ~given
    if c.op in (Op.IN, Op.NOT_IN):
        values = list(c.value)
        inside = (
            ~Q(Exists(rows.exclude(**{f"{column}__in": values})))
            if "" in values
            else Q(Exists(rows.filter(**{f"{column}__in": values})))
        )
        return inside if c.op is Op.IN else ~inside
    lookup = "iexact" if c.op is Op.EQ else "icontains"
    return Q(Exists(rows.filter(**{f"{column}__{lookup}": c.value})))


def _preferences(c: Condition, ctx: Context) -> Q:
    # The JSON list's text holds each element quoted; SQLite keeps Django's ASCII escapes, PostgreSQL the
    # characters themselves, so the quoted element is written each way. Case-insensitive, like text conditions.
    ascii_only = not is_postgres()
    liked = Q()
    for index, value in enumerate(c.value):
        needle = Q(preferences__icontains=json.dumps(value, ensure_ascii=ascii_only))
        liked = needle if index == 0 else liked | needle
    found = Q(Exists(Profile.objects.filter(liked, member=OuterRef("pk"))))
    return found if c.op is Op.HAS_ANY else ~found


# ---------------------------------------------------------------- statistics and balances


def _stats_number(column: str) -> Callable[[Condition, Context], Q]:
    return lambda c, ctx: _compare(f"stats__{column}", c.op, c.value)


def _stats_date(column: str) -> Callable[[Condition, Context], Q]:
    return lambda c, ctx: _date_q(f"stats__{column}", c, ctx)


def _net_spend(c: Condition, ctx: Context) -> Q:
    return Q(stats__isnull=False) & _compare_expr(F("stats__spend_minor") - F("stats__refund_minor"), c.op, c.value)


def _points(c: Condition, ctx: Context) -> Q:
    rows = Account.objects.filter(member=OuterRef("pk"), kind=AccountKind.MEMBER_POINTS)
    return _zero_counts(rows, "balance", c.op, c.value)


def _stored_value(c: Condition, ctx: Context) -> Q:
    total = (
        Account.objects.filter(member=OuterRef("pk"), kind__in=_SV_KINDS)
        .values("member")
        .annotate(total=Sum("balance"))
        .values("total")
    )
    return _compare_expr(Coalesce(Subquery(total), Value(0)), c.op, c.value)


def _category(column: str) -> Callable[[Condition, Context], Q]:
    def compile_one(c: Condition, ctx: Context) -> Q:
        rows = MemberCategoryStats.objects.filter(member=OuterRef("pk"), category=c.category)
        if column == "last_purchase_at":
            if c.op is Op.IS_EMPTY:
                return ~Q(Exists(rows.filter(last_purchase_at__isnull=False)))
            return Q(Exists(rows.filter(_date_q(column, c, ctx))))
        return _zero_counts(rows, column, c.op, c.value)

    return compile_one


# ---------------------------------------------------------------- tier, tags, RFM


def _tier(c: Condition, ctx: Context) -> Q:
    """The member's tier on the active ladder; a member not on it yet holds the base tier (rank 0)."""
    ladder = ctx.ladder()
    if ladder is None:
        return NOBODY if c.op is Op.IN else Q()
    ids = [tier_id for tier_id, code in zip(ladder.tier_ids, ladder.codes, strict=True) if code in c.value]
    on_ladder = MemberTier.objects.filter(member=OuterRef("pk"), ladder_id=ladder.ladder_id)
    inside = Q(Exists(on_ladder.filter(tier_id__in=ids)))
    if ladder.codes[0] in c.value:
        inside |= ~Q(Exists(on_ladder))
    return inside if c.op is Op.IN else ~inside


def _tags(c: Condition, ctx: Context) -> Q:
    def having(names: list[str]) -> Q:
        rows = MemberTag.objects.filter(member=OuterRef("pk"), tag__program=ctx.program, tag__name__in=names)
        return Q(Exists(rows))

    if c.op is Op.HAS_ALL:
        q = Q()
        for name in c.value:
            q &= having([name])
        return q
    return having(list(c.value)) if c.op is Op.HAS_ANY else ~having(list(c.value))


_RFM_COLUMNS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "rfm_r": ("r_score", int),
    "rfm_f": ("f_score", int),
    "rfm_m": ("m_score", int),
    "rfm_segment": ("segment", lambda code: RfmSegment[code.upper()].value),
    "rfm_group": ("working_group", lambda code: WorkingGroup[code.upper()].value),
    "stage": ("stage", lambda code: Stage[code.upper()].value),
}


def _rfm(c: Condition, ctx: Context) -> Q:
    """Scores of the programme's latest run; with no run yet, nobody has a score (and "none of" is everyone)."""
    run = ctx.run()
    if run is None:
        return NOBODY if c.op is Op.IN else Q()
    column, convert = _RFM_COLUMNS[c.field]
    ids = rfm_member_ids(run=run, **{f"{column}__in": [convert(v) for v in c.value]})
    # Compiled on its own and embedded as text: the scores' SQL names the statistics table, which Django would
    # rename (U0, U1...) if the queryset were nested as a subquery.
    sql, params = ids.query.sql_with_params()
    scored = Q(id__in=RawSQL(sql, params))  # noqa: S611 - Django's own compiled SQL, parameters apart
    return scored if c.op is Op.IN else ~scored


_COMPILERS: dict[str, Callable[[Condition, Context], Q]] = {
    "gender": _member_choice("gender"),
    "status": _member_choice("status"),
    "enrolled_store": _enrolled_store,
    "age": _age,
    "birthday": _birthday,
    "enrolled_at": lambda c, ctx: _date_q("enrolled_at", c, ctx),
    "occupation": _profile,
    "income_band": _profile,
    "education": _profile,
    "region": _profile,
    "preferences": _preferences,
    "first_purchase_at": _stats_date("first_purchase_at"),
    "last_purchase_at": _stats_date("last_purchase_at"),
    "purchase_count": _stats_number("purchase_count"),
    "net_spend_minor": _net_spend,
    "top_up_minor": _stats_number("top_up_minor"),
    "points_balance": _points,
    "stored_value_minor": _stored_value,
    "tier": _tier,
    "tags": _tags,
    **dict.fromkeys(_RFM_COLUMNS, _rfm),
    "category.purchase_count": _category("purchase_count"),
    "category.quantity": _category("quantity"),
    "category.spend_minor": _category("spend_minor"),
    "category.last_purchase_at": _category("last_purchase_at"),
}
