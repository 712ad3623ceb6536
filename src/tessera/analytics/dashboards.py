"""The member intelligence dashboards: the reads RFM runs do not answer, and the shaping of every chart.

Two reads: **cohort retention** (members by the month of their first purchase, in the programme's time zone, and
the share of each cohort buying again in each later month), computed in one SQL statement on either database;
and the **tier distribution** (members per tier of the active ladder), judged by the tier designer's diamond
rules. The RFM counts come from ``analytics.selectors``; this module only shapes them.

The shaping functions below read nothing from the database: they turn counts into the geometry of server-drawn
SVG charts (positions, widths, fills) and into text formatted for the reader's locale with babel (CLDR), so the
templates hold no arithmetic. docs/dashboards.md says what each chart shows and how to read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear

from tessera.analytics.rules import SCORES, SEGMENT_MAP
from tessera.checkout.models import Document
from tessera.kit.db import sql_rows
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.tiers.designer import Finding, TierOutcome, diamond_findings, ratio_bp
from tessera.tiers.models import MemberTier, Tier, TierLadder

# A purchase is a sale, at the till or imported from the system before Tessera; returns do not undo a visit.
PURCHASE_KINDS = (Document.Kind.SALE, Document.Kind.IMPORTED_SALE)
COHORT_MONTHS = 12
_BABEL_LOCALES = {"zh-hans": "zh_Hans_CN", "zh-hant": "zh_Hant_TW", "ko": "ko_KR"}

# One hue, light to dark (blues): readable in greyscale print and by every kind of colour blindness, because only
# the lightness changes; every cell also prints its number, so no one has to read the colour at all.
HEAT = ("#f1f6fb", "#d3e3f3", "#a9cbe6", "#74aad6", "#3f83bf", "#1d5a99", "#0b3a6b")
INK_DARK, INK_LIGHT = "#17212b", "#ffffff"
EMPTY_FILL = "#ffffff"


def babel_locale(language: str | None) -> str:
    """The CLDR locale of a console language code (``zh-hans`` is ``zh_Hans_CN``)."""
    return _BABEL_LOCALES.get((language or "en").lower(), "en")


# ---------------------------------------------------------------- reads: cohort retention


@dataclass(frozen=True, slots=True)
class Cohort:
    """Members whose first purchase fell in ``month`` (its first day, programme-local), and how many of them
    bought again in each later month: ``retained[k - 1]`` for the k-th month after, up to the current month."""

    month: date
    members: int
    retained: tuple[int, ...]


def _month_index(day: date | datetime) -> int:
    return day.year * 12 + day.month - 1


def _month_of(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _purchase_months(program: Program, store_ids: Sequence[int] | None, tz: ZoneInfo) -> QuerySet[Document]:
    """One row per member and programme-local month with a purchase, as a month number (year × 12 + month − 1)."""
    rows = Document.objects.filter(program=program, kind__in=PURCHASE_KINDS)
    if store_ids is not None:
        rows = rows.filter(store_id__in=list(store_ids))
    month = ExtractYear("event_at", tzinfo=tz) * 12 + ExtractMonth("event_at", tzinfo=tz) - 1
    # No ordering: the model's default ORDER BY id would join the SELECT DISTINCT and keep every document.
    months = rows.annotate(month_index=month).values("member_id", "month_index").order_by().distinct()
    return months  # type: ignore[return-value]


def cohort_retention(
    *, program: Program, now: datetime, months: int = COHORT_MONTHS, store_ids: Sequence[int] | None = None
) -> list[Cohort]:
    """The cohorts of the last ``months`` programme-local months, the oldest first, the current month last.

    A member's cohort is the month of their first purchase ever (before the window too), so a member who first
    bought two years ago is never counted as new. ``store_ids`` limits both the first purchase and the later ones
    to those stores (a store manager's view); None is the whole programme.
    """
    if not 1 <= months <= 36:
        raise ValueError("months must be 1-36")
    tz = ZoneInfo(program.timezone)
    current = _month_index(now.astimezone(tz))
    first = current - months + 1
    inner, params = _purchase_months(program, store_ids, tz).query.sql_with_params()
    # The window function runs over every month of every member before the outer WHERE keeps the recent cohorts.
    rows = sql_rows(
        "SELECT cohort, month_index, COUNT(*) FROM (SELECT month_index,"  # noqa: S608 (the inner query is Django's)
        f" MIN(month_index) OVER (PARTITION BY member_id) AS cohort FROM ({inner}) purchases) months"
        " WHERE cohort >= %s AND month_index <= %s GROUP BY cohort, month_index",
        [*params, first, current],
    )
    counts = {(int(cohort), int(month)): int(n) for cohort, month, n in rows}
    return [
        Cohort(_month_of(c), counts.get((c, c), 0), tuple(counts.get((c, c + k), 0) for k in range(1, current - c + 1)))
        for c in range(first, current + 1)
    ]


# ---------------------------------------------------------------- reads: tier distribution


@dataclass(frozen=True, slots=True)
class TierCount:
    rank: int
    code: str
    name: str
    members: int


@dataclass(frozen=True, slots=True)
class TierDistribution:
    """Members per tier of the active ladder (the base tier first) and the designer's findings on its shape."""

    tiers: tuple[TierCount, ...]
    total: int
    findings: tuple[Finding, ...]

    @property
    def is_diamond(self) -> bool:
        return bool(self.findings) and self.findings[0].code == "shape_diamond"

    def verdict(self) -> str:
        return self.findings[0].text() if self.findings else ""


def _tier_name(tier: Tier, language: str) -> str:
    names = {t.language_code: t.name for t in tier.translations.all()}
    return names.get(language) or names.get("en") or tier.code


def tier_distribution(
    *, program: Program, language: str, store_ids: Sequence[int] | None = None
) -> TierDistribution | None:
    """Members (closed ones left out) per tier of the programme's active ladder; None without a ladder.

    A member the ladder has not placed yet (no purchase since it started) holds the base tier. ``store_ids``
    counts only members enrolled at those stores.
    """
    ladder = TierLadder.objects.filter(program=program, is_active=True).first()
    if ladder is None:
        return None
    tiers = list(Tier.objects.filter(ladder=ladder).order_by("rank").prefetch_related("translations"))
    members = Member.objects.filter(program=program).exclude(status=Member.Status.CLOSED)
    if store_ids is not None:
        members = members.filter(enrolled_store_id__in=list(store_ids))
    held_rows = MemberTier.objects.filter(ladder=ladder, member__in=members).values("tier_id").annotate(n=Count("id"))
    held = {row["tier_id"]: int(row["n"]) for row in held_rows}
    total = members.count()
    unplaced = total - sum(held.values())
    counts = tuple(
        TierCount(t.rank, t.code, _tier_name(t, language), held.get(t.id, 0) + (unplaced if t.rank == 0 else 0))
        for t in tiers
    )
    return TierDistribution(counts, total, tuple(diamond_findings(_outcomes(counts, tiers, total))))


def _outcomes(counts: Sequence[TierCount], tiers: Sequence[Tier], total: int) -> list[TierOutcome]:
    """The paid tiers as the designer's outcomes: only the counts and shares matter to its diamond rules."""
    return [_outcome(c, t, total) for c, t in zip(counts, tiers, strict=True) if c.rank > 0]


def _outcome(count: TierCount, tier: Tier, total: int) -> TierOutcome:
    share_bp = ratio_bp(count.members, total) if total else 0
    return TierOutcome(
        rank=count.rank, name=count.name, threshold_minor=tier.threshold, discount_bp=tier.discount_bp,
        members=count.members, share_bp=share_bp, spend_minor=0, discount_cost_minor=0, reachable=True,
        within_reach=0, step_bp=None,
    )  # fmt: skip


# ---------------------------------------------------------------- shaping: numbers and colours


def number_text(value: int, locale: str) -> str:
    return str(format_decimal(value, locale=locale))


def share_text(numerator: int, denominator: int, locale: str) -> str:
    """A share as a whole percentage, or one decimal below 10% so small retention figures do not all read 0%."""
    if denominator <= 0:
        return ""
    share = numerator / denominator
    pattern = "#,##0.#%" if 0 < share < 0.1 else "#,##0%"
    return str(format_percent(share, format=pattern, locale=locale))


def month_text(month: date, locale: str) -> str:
    return str(format_skeleton("yMMM", month, locale=locale))


def heat(value: float, highest: float) -> tuple[str, str]:
    """The fill and the ink (text colour) of a cell holding ``value`` on a scale up to ``highest``."""
    if value <= 0 or highest <= 0:
        return EMPTY_FILL, INK_DARK
    step = min(len(HEAT) - 1, int(value / highest * (len(HEAT) - 1) + 0.5))
    step = max(step, 1)  # anything above zero is visibly not empty
    return HEAT[step], INK_LIGHT if step >= 4 else INK_DARK


# ---------------------------------------------------------------- shaping: the RFM grid


GRID_CELL_W, GRID_CELL_H, GRID_LEFT, GRID_TOP = 112, 64, 56, 8


@dataclass(frozen=True, slots=True)
class GridCell:
    r: int
    f: int
    members: int
    text: str
    x: int
    y: int
    fill: str
    ink: str
    width: int = GRID_CELL_W
    height: int = GRID_CELL_H

    @property
    def text_x(self) -> int:
        return self.x + self.width // 2

    @property
    def text_y(self) -> int:
        return self.y + self.height * 2 // 3


@dataclass(frozen=True, slots=True)
class GridBlock:
    """A segment's block of cells, outlined on the grid and named in its corner."""

    code: str
    label: str
    x: int
    y: int
    width: int
    height: int


def _cell_x(f: int) -> int:
    return GRID_LEFT + (f - 1) * GRID_CELL_W


def _cell_y(r: int) -> int:
    return GRID_TOP + (len(SCORES) - r) * GRID_CELL_H  # R = 5, the most recent buyers, on the top row


def rfm_grid_cells(grid: Sequence[Sequence[int]], locale: str) -> list[GridCell]:
    """The 25 cells of ``grid[r - 1][f - 1]``, shaded by their share of the fullest cell."""
    highest = max((n for row in grid for n in row), default=0)
    cells = []
    for r in SCORES:
        for f in SCORES:
            members = grid[r - 1][f - 1]
            fill, ink = heat(members, highest)
            cells.append(GridCell(r, f, members, number_text(members, locale), _cell_x(f), _cell_y(r), fill, ink))
    return cells


def rfm_grid_axes() -> list[tuple[str, int, int]]:
    """The axis labels (text, x, y): R1-R5 down the left side, F1-F5 along the bottom."""
    rows = [(f"R{r}", GRID_LEFT // 2, _cell_y(r) + GRID_CELL_H // 2 + 5) for r in SCORES]
    columns = [(f"F{f}", _cell_x(f) + GRID_CELL_W // 2, _cell_y(1) + GRID_CELL_H + 24) for f in SCORES]
    return rows + columns


def rfm_grid_size() -> tuple[int, int]:
    return GRID_LEFT + len(SCORES) * GRID_CELL_W + 2, _cell_y(1) + GRID_CELL_H + 34


def rfm_grid_blocks() -> list[GridBlock]:
    """Every segment of the R-F map as a rectangle of whole cells, in the map's order."""
    blocks = []
    for segment, box in SEGMENT_MAP:
        (r_low, r_high), (f_low, f_high) = box.r, box.f
        width, height = (f_high - f_low + 1) * GRID_CELL_W, (r_high - r_low + 1) * GRID_CELL_H
        blocks.append(
            GridBlock(segment.name.lower(), str(segment.label), _cell_x(f_low), _cell_y(r_high), width, height)
        )
    return blocks


# ---------------------------------------------------------------- shaping: bars


BAR_AREA_W, BAR_H, BAR_GAP, BAR_LEFT = 260, 28, 10, 210


@dataclass(frozen=True, slots=True)
class Bar:
    code: str
    label: str
    members: int
    text: str  # the count and its share of the whole, formatted
    share: str
    x: float
    y: int
    width: float
    fill: str


def bars(
    items: Sequence[tuple[str, str, int]], locale: str, *, centred: bool = False, fill: str = HEAT[4]
) -> list[Bar]:
    """(code, label, members) as horizontal bars, the widest as wide as the chart; ``centred`` on one axis for
    the funnel and the tier diamond. A bar of members is never thinner than 2 units, so a small one is seen."""
    highest = max((n for _code, _label, n in items), default=0)
    total = sum(n for _code, _label, n in items)
    shaped = []
    for i, (code, label, members) in enumerate(items):
        width = 0.0 if highest == 0 or members == 0 else max(2.0, members / highest * BAR_AREA_W)
        x = BAR_LEFT + (BAR_AREA_W - width) / 2 if centred else BAR_LEFT
        share = share_text(members, total, locale)
        text = f"{number_text(members, locale)} ({share})" if total else number_text(0, locale)
        y = i * (BAR_H + BAR_GAP)
        shaped.append(Bar(code, label, members, text, share, round(x, 1), y, round(width, 1), fill))
    return shaped


def bars_height(shaped: Sequence[Bar]) -> int:
    return len(shaped) * (BAR_H + BAR_GAP)


# ---------------------------------------------------------------- shaping: the cohort triangle


COHORT_LABEL_W, COHORT_SIZE_W, COHORT_CELL_W, COHORT_CELL_H = 110, 70, 52, 26


@dataclass(frozen=True, slots=True)
class CohortCell:
    offset: int  # months after the cohort's first
    retained: int
    text: str
    x: int
    fill: str
    ink: str


@dataclass(frozen=True, slots=True)
class CohortLine:
    month: str
    members: int
    members_text: str
    y: int
    cells: tuple[CohortCell, ...]


def cohorts_trimmed(cohorts: Sequence[Cohort]) -> list[Cohort]:
    """The cohorts from the first that has members: a young programme's empty months say nothing."""
    start = next((i for i, c in enumerate(cohorts) if c.members), len(cohorts))
    return list(cohorts[start:])


def cohort_lines(cohorts: Sequence[Cohort], locale: str) -> list[CohortLine]:
    """One line per cohort; each later month's share is shaded against the highest share of the chart. A month
    with no first purchases keeps its line, with no cells: there is nobody to retain."""
    shares = [n / c.members for c in cohorts if c.members for n in c.retained]
    highest = max(shares, default=0.0)
    lines = []
    for i, cohort in enumerate(cohorts):
        cells = []
        for k, retained in enumerate(cohort.retained if cohort.members else (), start=1):
            share = retained / cohort.members if cohort.members else 0.0
            fill, ink = heat(share, highest)
            x = COHORT_LABEL_W + COHORT_SIZE_W + (k - 1) * COHORT_CELL_W
            cells.append(CohortCell(k, retained, share_text(retained, cohort.members, locale), x, fill, ink))
        month, size = month_text(cohort.month, locale), number_text(cohort.members, locale)
        lines.append(CohortLine(month, cohort.members, size, (i + 1) * COHORT_CELL_H, tuple(cells)))
    return lines


def cohort_width(cohorts: Sequence[Cohort]) -> int:
    return COHORT_LABEL_W + COHORT_SIZE_W + max((len(c.retained) for c in cohorts), default=0) * COHORT_CELL_W
