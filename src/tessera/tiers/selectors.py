"""Reading tiers: the active ladder, a member's benefits at the till, their progress toward the next tier, and the
ladder designer's inputs (the programme's real spend per member and its active ladder as designer rungs)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import F

from tessera.kit.db import Read, columns_of, for_update, json_from_db, model_from_row, sql_rows
from tessera.members.models import Member, MemberStats
from tessera.programs.config_cache import config_cached
from tessera.programs.models import Program
from tessera.tiers.designer import Rung
from tessera.tiers.models import MemberTier, Tier, TierLadder, TierTranslation
from tessera.tiers.rules import COUNTER_OF, Counters, LadderRule, Measure, Threshold, remaining
from tessera.tiers.rules.benefits import TierBenefits
from tessera.tiers.rules.state import TierState, state_catch_up
from tessera.tiers.rules.windows import last_day, local_date, member_anchor, window_containing

_LADDER, _TIER, _TEXT = TierLadder._meta.db_table, Tier._meta.db_table, TierTranslation._meta.db_table
_MEMBER_TIER, _PROGRAM, _MEMBER = MemberTier._meta.db_table, Program._meta.db_table, Member._meta.db_table


@dataclass(frozen=True, slots=True)
class LadderView:
    """The active ladder of a programme as the services need it; ``tier_ids[rank]`` is the tier of that rank."""

    ladder_id: int
    timezone: str
    rule: LadderRule
    tier_ids: tuple[int, ...]
    codes: tuple[str, ...]

    def rank_of(self, tier_id: int | None) -> int | None:
        return None if tier_id is None else self.tier_ids.index(tier_id)

    def tier_of(self, rank: int | None) -> int | None:
        return None if rank is None else self.tier_ids[rank]


def ladder_view_get(*, program_id: int) -> LadderView | None:
    """The programme's active ladder with its tiers, in one query; None when it has none."""
    rows = sql_rows(
        "SELECT l.id, l.measure, l.second_measure, l.combine, l.window_kind, l.window_months, l.downgrade,"  # noqa: S608
        f" l.grace_days, p.timezone, t.id, t.code, t.threshold, t.second_threshold FROM {_LADDER} l"
        f" JOIN {_PROGRAM} p ON p.id = l.program_id JOIN {_TIER} t ON t.ladder_id = l.id"
        " WHERE l.program_id = %s AND l.is_active = %s ORDER BY t.rank",
        [program_id, True],
    )
    if not rows:
        return None
    first = rows[0]
    rule = LadderRule(
        measure=first[1], second_measure=first[2], combine=first[3], window=first[4], window_months=first[5],
        downgrade=first[6], grace_days=first[7], thresholds=tuple(Threshold(int(r[11]), r[12]) for r in rows),
    )  # fmt: skip
    return LadderView(first[0], first[8], rule, tuple(r[9] for r in rows), tuple(r[10] for r in rows))


def ladder_view_for(program: Program) -> LadderView | None:
    """``ladder_view_get``, cached for as long as the programme's configuration stands (checkout's hot path)."""
    return config_cached("tiers.ladder", program, lambda: ladder_view_get(program_id=program.id))


@dataclass(frozen=True, slots=True)
class _TillTier:
    code: str
    rank: int
    discount_bp: int
    excluded: tuple[str, ...]
    multiplier_permille: int
    names: tuple[tuple[str, str], ...]  # (language, name)

    def benefits(self, language: str) -> TierBenefits:
        names = dict(self.names)
        name = names.get(language) or names.get("en") or self.code
        return TierBenefits(self.code, name, self.rank, self.discount_bp, self.excluded, self.multiplier_permille)


@dataclass(frozen=True, slots=True)
class _TillLadder:
    ladder_id: int
    tiers: dict[int, _TillTier]  # by tier id
    base: _TillTier


def _till_ladder_load(program_id: int) -> _TillLadder | None:
    rows = sql_rows(
        "SELECT l.id, t.id, t.code, t.rank, t.discount_bp, t.excluded_categories, t.multiplier_permille,"  # noqa: S608
        f" tr.language_code, tr.name FROM {_LADDER} l JOIN {_TIER} t ON t.ladder_id = l.id"
        f" LEFT JOIN {_TEXT} tr ON tr.tier_id = t.id WHERE l.program_id = %s AND l.is_active = %s ORDER BY t.rank",
        [program_id, True],
    )
    if not rows:
        return None
    names: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        names.setdefault(row[1], []).extend([(row[7], row[8])] if row[7] else [])
    tiers = {
        row[1]: _TillTier(row[2], row[3], row[4], tuple(json_from_db(row[5]) or ()), row[6], tuple(names[row[1]]))
        for row in rows
    }
    return _TillLadder(rows[0][0], tiers, min(tiers.values(), key=lambda t: t.rank))


@dataclass(frozen=True, slots=True)
class TierPlace:
    """A member's row on the programme's active ladder, read under their lock; ``row`` None: not on it yet.

    ``enrolled_at`` is the member's, when the caller has it: a member's first place opens in their card year.
    """

    ladder_id: int
    row: MemberTier | None
    enrolled_at: datetime | None = None


def tier_place_read(*, member_id: int, program: Program, enrolled_at: datetime | None = None) -> Read[TierPlace] | None:
    """The member's place on the active ladder, row-locked, to send with the account lock; None: no ladder.

    Checkout reads it once per sale: the tier's benefits and the counting of the sale both come from it.
    """
    view = ladder_view_for(program)
    if view is None:
        return None
    ladder_id = view.ladder_id
    return Read(
        f"SELECT {columns_of(MemberTier, 'mt')} FROM {_MEMBER_TIER} mt"  # noqa: S608
        f" WHERE mt.member_id = %s AND mt.ladder_id = %s{for_update()}",
        [member_id, ladder_id],
        lambda rows: TierPlace(ladder_id, model_from_row(rows[0], MemberTier) if rows else None, enrolled_at),
    )


def tier_benefits_get(
    *, member_id: int, program: Program, language: str, place: TierPlace | None = None
) -> TierBenefits | None:
    """The member's current tier and what it gives at the till (it runs on every sale).

    The ladder and its tiers come from the configuration cache, so a sale reads only the member's place on the
    ladder, by its unique index, or nothing when checkout has read it already (``place``), and a programme
    without a ladder reads nothing. A member not yet on the ladder holds its base tier. During a grace period
    the member keeps the higher tier's benefits. The name is in ``language``, else English, else the tier
    code. None: the programme has no active ladder.
    """
    ladder = config_cached("tiers.till", program, lambda: _till_ladder_load(program.id))
    if ladder is None:
        return None
    if place is not None and place.ladder_id == ladder.ladder_id:
        tier_id = place.row.tier_id if place.row is not None else None
    else:
        rows = sql_rows(
            f"SELECT tier_id FROM {_MEMBER_TIER} WHERE member_id = %s AND ladder_id = %s",  # noqa: S608
            [member_id, ladder.ladder_id],
        )
        tier_id = rows[0][0] if rows else None
    tier = ladder.base if tier_id is None else ladder.tiers[tier_id]
    return tier.benefits(language)


def member_tier_get(*, member_id: int, ladder_id: int, lock: str = "") -> MemberTier | None:
    rows = sql_rows(
        f"SELECT {columns_of(MemberTier, 'mt')} FROM {_MEMBER_TIER} mt"  # noqa: S608
        f" WHERE mt.member_id = %s AND mt.ladder_id = %s{lock}",
        [member_id, ladder_id],
    )
    return model_from_row(rows[0], MemberTier) if rows else None


def card_date_get(*, member_id: int, timezone: str) -> date:
    """The member's card date: the local day they enrolled, in the programme's time zone."""
    (enrolled_at,) = Member.objects.filter(id=member_id).values_list("enrolled_at", flat=True)
    return local_date(enrolled_at, timezone)


def state_of(row: MemberTier, view: LadderView) -> TierState:
    rank = view.rank_of(row.tier_id)
    assert rank is not None
    counters = Counters(row.points, row.spend_minor, row.stored_value_minor, row.purchase_count,
                        row.lifetime_spend_minor)  # fmt: skip
    return TierState(rank, row.since, row.window_start, row.window_end, counters, view.rank_of(row.pending_tier_id),
                     row.pending_on)  # fmt: skip


@dataclass(frozen=True, slots=True)
class TierStep:
    code: str
    name: str
    rank: int
    threshold: int
    second_threshold: int | None


@dataclass(frozen=True, slots=True)
class TierProgress:
    """Where a member stands and what the next tier needs; amounts in the measure's units (minor units for money).

    ``remaining`` is what the next tier still needs (None at the top), ``remaining_to_keep`` what keeping the
    current tier past the next reset needs (None when nothing resets), ``needed_by`` the last day either can be
    counted (None when the measure never resets). At ``resets_on`` the window's values (``value_lost_at_reset``)
    go back to zero and, if nothing more is counted, the member holds ``tier_after_reset`` from
    ``tier_after_reset_on`` (later than ``resets_on`` when a grace period applies).
    """

    current: TierStep
    next: TierStep | None
    measure: str
    value: int
    second_measure: str | None
    second_value: int | None
    combine: str | None
    remaining: int | None
    second_remaining: int | None
    remaining_to_keep: int | None
    second_remaining_to_keep: int | None
    window_start: date
    window_end: date | None
    needed_by: date | None
    resets_on: date | None
    value_lost_at_reset: int
    second_value_lost_at_reset: int | None
    tier_after_reset: TierStep
    tier_after_reset_on: date | None
    pending: TierStep | None
    pending_on: date | None

    def as_dict(self) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items()}


def tier_progress_get(*, member_id: int, program_id: int, language: str, today: date) -> TierProgress | None:
    """The member's tier, the next one, what it still needs and by when, and what the next reset takes away.

    ``today`` is the programme's local date; a window that has ended but not yet been evaluated is shown as
    the evaluation will leave it. None: the programme has no active ladder.
    """
    view = ladder_view_get(program_id=program_id)
    if view is None:
        return None
    state, anchor = _state_today(view, member_id=member_id, today=today)
    # What the next window end would leave if nothing more were counted before it.
    after, _changes = state_catch_up(view.rule, state, anchor=anchor, through=state.window_end or today,
                                     timezone=view.timezone)  # fmt: skip
    return _progress(view.rule, state, after, _steps(view, language))


def _progress(rule: LadderRule, state: TierState, after: TierState, steps: list[TierStep]) -> TierProgress:
    value, second = rule.values(state.counters)
    nxt = steps[state.rank + 1] if state.rank < rule.top_rank else None
    left, second_left = remaining(rule, nxt.rank, state.counters) if nxt else (None, None)
    resets = state.window_end is not None
    keep, second_keep = remaining(rule, state.rank, state.counters) if resets else (None, None)
    deadline = resets and rule.resets(rule.measure)
    return TierProgress(
        current=steps[state.rank], next=nxt, measure=rule.measure, value=value, second_measure=rule.second_measure,
        second_value=second, combine=rule.combine, remaining=left, second_remaining=second_left,
        remaining_to_keep=keep, second_remaining_to_keep=second_keep, window_start=state.window_start,
        window_end=state.window_end, needed_by=last_day(state.window_end) if deadline else None,
        resets_on=state.window_end, value_lost_at_reset=value if deadline else 0,
        second_value_lost_at_reset=_lost(rule, second) if resets else (0 if rule.second_measure else None),
        tier_after_reset=steps[after.pending_rank if after.pending_rank is not None else after.rank],
        tier_after_reset_on=after.pending_on or state.window_end,
        pending=steps[state.pending_rank] if state.pending_rank is not None else None, pending_on=state.pending_on,
    )  # fmt: skip


def _lost(rule: LadderRule, second: int | None) -> int | None:
    if rule.second_measure is None or second is None:
        return None
    return second if rule.resets(rule.second_measure) else 0


def _state_today(view: LadderView, *, member_id: int, today: date) -> tuple[TierState, date | None]:
    row = member_tier_get(member_id=member_id, ladder_id=view.ladder_id)
    rule = view.rule
    if row is None:
        anchor = member_anchor(rule.window, card_date_get(member_id=member_id, timezone=view.timezone))
        start, end = window_containing(rule.window, rule.window_months, anchor, today)
        # Not on the ladder yet: the base tier in today's window; ``since`` is not shown, so any value serves.
        return TierState(0, datetime.min.replace(tzinfo=UTC), start, end, Counters()), anchor
    state, _changes = state_catch_up(rule, state_of(row, view), anchor=row.anchor_on, through=today,
                                     timezone=view.timezone)  # fmt: skip
    return state, row.anchor_on


def _steps(view: LadderView, language: str) -> list[TierStep]:
    names = tier_names(tier_ids=view.tier_ids, language=language)
    return [
        TierStep(code, names.get(tier_id, code), rank, t.value, t.second)
        for rank, (tier_id, code, t) in enumerate(zip(view.tier_ids, view.codes, view.rule.thresholds, strict=True))
    ]


def tier_names(*, tier_ids: tuple[int, ...], language: str) -> dict[int, str]:
    """Tier names in ``language``, falling back to English; tiers with neither are left out."""
    rows = TierTranslation.objects.filter(tier_id__in=tier_ids, language_code__in=[language, "en"]).values_list(
        "tier_id", "language_code", "name"
    )
    names: dict[int, str] = {}
    for tier_id, _language, name in sorted(rows, key=lambda r: r[1] == language):
        names[tier_id] = name  # the requested language sorts last, so it wins over English
    return names


# The measures a ladder designer can judge: money, so that a tier's discount has a cost.
MONEY_MEASURES = frozenset({Measure.SPEND_IN_WINDOW, Measure.STORED_VALUE_IN, Measure.LIFETIME_SPEND})


@dataclass(frozen=True, slots=True)
class DesignerLadder:
    """The active ladder as the designer takes it: ``rungs`` from the base tier up, names in the asked language."""

    name: str
    measure: str
    rungs: tuple[Rung, ...]

    @property
    def judges_money(self) -> bool:
        return self.measure in MONEY_MEASURES


@dataclass(frozen=True, slots=True)
class SpendDistribution:
    """The programme's real spend per member, as ``designer.ladder_evaluate`` takes it (zero spenders included).

    ``source`` says what was counted: ``"ladder"``, the active ladder's own money measure in each member's current
    window (what the ladder sorts them by); ``"stats"``, each member's spend since joining, less returns (the
    programme has no ladder measuring money). A net refund counts as zero; closed members are left out.
    """

    spends_minor: list[int]
    source: str
    measure: str | None


def designer_ladder_get(*, program_id: int, language: str) -> DesignerLadder | None:
    """The programme's active ladder as designer rungs; None when it has none."""
    ladder = TierLadder.objects.filter(program_id=program_id, is_active=True).first()
    if ladder is None:
        return None
    tiers = list(Tier.objects.filter(ladder=ladder).order_by("rank"))
    names = tier_names(tier_ids=tuple(t.id for t in tiers), language=language)
    rungs = tuple(Rung(names.get(t.id, t.code), t.threshold, t.discount_bp) for t in tiers)
    return DesignerLadder(ladder.name, ladder.measure, rungs)


def designer_spends_get(*, program_id: int) -> SpendDistribution:
    """Each open member's spend: by the active ladder's money measure if it has one, else since joining."""
    members = Member.objects.filter(program_id=program_id).exclude(status=Member.Status.CLOSED)
    ladder = TierLadder.objects.filter(program_id=program_id, is_active=True).first()
    if ladder is not None and ladder.measure in MONEY_MEASURES:
        counter = COUNTER_OF[ladder.measure]
        rows = MemberTier.objects.filter(ladder=ladder, member__in=members, **{f"{counter}__gt": 0})
        positive = list(rows.values_list(counter, flat=True))
        source, measure = "ladder", ladder.measure
    else:
        stats = MemberStats.objects.filter(member__in=members).annotate(net=F("spend_minor") - F("refund_minor"))
        positive = list(stats.filter(net__gt=0).values_list("net", flat=True))
        source, measure = "stats", None
    zero = members.count() - len(positive)
    return SpendDistribution([0] * zero + [int(v) for v in positive], source, measure)
