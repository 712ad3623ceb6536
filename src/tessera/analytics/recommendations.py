"""A member's personal catalogue (seed 000: "a catalogue of products suited to each member, sent at the right
time"): what to offer them next, each with the reason it was chosen (docs/recommendations.md).

Four sources, strongest first, one row per category or SKU (the strongest reason wins):

1. **Due**: a category they buy on a rhythm whose next purchase is due or overdue (``cycles``);
2. **Affinity**: what members who bought what they bought recently went on to buy, by category and by SKU
   (``affinity``), when buying it makes it more likely than for members at large (lift above 1), and they have
   not bought it in the last ``RECENT_DAYS`` days;
3. **Preference**: their own favourite categories by spending;
4. **Popular**: what most members of their tier (or, without a tier, of the programme) bought lately.

Reads: the member's documents once (the same bounded query as the member's cycles), the affinity tables for
their own purchases and the tier's popular categories (both cached per day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count
from django.utils.translation import gettext as _

from tessera.analytics.affinity import WITHIN_DAYS, Affinity, Level, affinities_cached
from tessera.analytics.cycles import OVERALL, Rhythm, rhythms_of
from tessera.analytics.occasions import SALE_KINDS, Purchase, member_history_lines, net_purchases
from tessera.analytics.regularity import DueState, Regularity
from tessera.checkout.models import DocumentLine
from tessera.members.models import Member
from tessera.tiers.models import MemberTier
from tessera.tiers.selectors import tier_names

LIMIT = 10
LIMIT_MAX = 50
DUE_DAYS = 7
RECENT_DAYS = 30
POPULAR_DAYS = 90
POPULAR_MIN_MEMBERS = 3  # no "popular" from one or two people's baskets
FAVOURITES = 3


class Source(StrEnum):
    DUE = "due"
    AFFINITY = "affinity"
    PREFERENCE = "preference"
    POPULAR = "popular"


@dataclass(frozen=True, slots=True)
class Recommendation:
    source: Source
    category: str
    sku: str  # empty for a whole category
    name: str  # the item's name, or the category
    score: float  # for ordering only: sources rank first (3, 2, 1, 0), then their strength inside 0-1
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.sku, "") if self.sku else ("", self.category)


@dataclass(frozen=True, slots=True)
class Catalogue:
    rhythms: list[Rhythm]
    recommendations: list[Recommendation]


def member_catalogue(
    *, member: Member, zone: ZoneInfo, now: datetime, merchant_id: int | None, language: str, limit: int = LIMIT
) -> Catalogue:
    """The member's rhythms and up to ``limit`` recommendations, strongest first; days in the store's ``zone``,
    purchases visible to ``merchant_id`` (None: all, see ``members.selectors.history_merchant_for``)."""
    if not 1 <= limit <= LIMIT_MAX:
        raise ValueError("limit must be 1-50")
    purchases = net_purchases(member_history_lines(member_id=member.id, now=now, merchant_id=merchant_id))
    rhythms = rhythms_of(purchases, zone=zone, now=now, within_days=DUE_DAYS)
    recent = [p for p in purchases if p.at >= now - timedelta(days=RECENT_DAYS)]
    found = [*_due(rhythms)]
    found += _affinities(member, purchases, recent, now)
    found += _preferences(purchases)
    if len({r.key for r in found}) < limit:
        found += _popular(member, recent, now, language)
    return Catalogue(rhythms, _best(found, limit))


def _best(found: Iterable[Recommendation], limit: int) -> list[Recommendation]:
    best: dict[tuple[str, str], Recommendation] = {}
    for rec in found:
        if rec.key not in best or rec.score > best[rec.key].score:
            best[rec.key] = rec
    return sorted(best.values(), key=lambda r: (-r.score, r.name, r.sku))[:limit]


def _due(rhythms: Iterable[Rhythm]) -> Iterable[Recommendation]:
    for rhythm in rhythms:
        if rhythm.category == OVERALL or rhythm.state not in (DueState.DUE, DueState.OVERDUE):
            continue
        figures = {"category": rhythm.category, "days": round(rhythm.cycle.interval_days),
                   "ago": rhythm.days_since_last}  # fmt: skip
        reason = _("You buy %(category)s about every %(days)s days; the last was %(ago)s days ago.") % figures
        strength = 1.0 if rhythm.cycle.regularity is Regularity.REGULAR else 0.5
        evidence = {"interval_days": rhythm.cycle.interval_days, "days_since_last": rhythm.days_since_last,
                    "next_expected_on": rhythm.cycle.next_on.isoformat(), "purchase_days": rhythm.cycle.days,
                    "regularity": rhythm.cycle.regularity.value, "state": rhythm.state.value}  # fmt: skip
        yield Recommendation(Source.DUE, rhythm.category, "", rhythm.category, 3 + strength, reason, evidence)


def _affinities(
    member: Member, purchases: list[Purchase], recent: list[Purchase], now: datetime
) -> Iterable[Recommendation]:
    horizon = [p for p in purchases if p.at >= now - timedelta(days=WITHIN_DAYS)]
    names = {p.sku: p.name for p in horizon}
    for level in (Level.CATEGORY, Level.SKU):
        mine = sorted({(p.category if level is Level.CATEGORY else p.sku) for p in horizon} - {""})
        had = {(p.category if level is Level.CATEGORY else p.sku) for p in recent}
        for rule in affinities_cached(program=member.program, level=level, now=now, antecedents=mine):
            if rule.lift > 1 and rule.consequent not in had:
                yield _affinity(rule, names.get(rule.antecedent))


def _affinity(rule: Affinity, antecedent_name: str | None) -> Recommendation:
    is_sku = rule.level is Level.SKU
    evidence = {"level": rule.level.value, "bought": rule.antecedent, "members": rule.support,
                "of_members": rule.antecedent_members, "confidence": round(rule.confidence, 4),
                "lift": round(rule.lift, 4), "within_days": rule.within_days}  # fmt: skip
    return Recommendation(Source.AFFINITY, "" if is_sku else rule.consequent, rule.consequent if is_sku else "",
                          rule.consequent_label, 2 + min(rule.confidence, 0.99), rule.reason(antecedent_name),
                          evidence)  # fmt: skip


def _preferences(purchases: list[Purchase]) -> Iterable[Recommendation]:
    spend: dict[str, int] = defaultdict(int)
    days: dict[str, set[object]] = defaultdict(set)
    for p in purchases:
        if p.category:
            spend[p.category] += p.amount_minor
            days[p.category].add(p.document_id)
    total = sum(spend.values())
    if total <= 0:
        return
    for category in sorted(spend, key=lambda c: (-spend[c], c))[:FAVOURITES]:
        share = spend[category] / total
        figures = {"count": len(days[category]), "share": round(100 * share)}
        reason = _("One of your favourite categories: %(share)s %% of your spending.") % figures
        yield Recommendation(Source.PREFERENCE, category, "", category, 1 + min(share, 0.99), reason,
                             {"purchases": figures["count"], "spend_share": round(share, 4)})  # fmt: skip


def _popular(member: Member, recent: list[Purchase], now: datetime, language: str) -> Iterable[Recommendation]:
    tier = (
        MemberTier.objects.filter(member_id=member.id).order_by("ladder_id").values_list("tier_id", flat=True).first()
    )
    had = {p.category for p in recent}
    tier_name = tier_names(tier_ids=(tier,), language=language).get(tier) if tier is not None else None
    for category, buyers in popular_categories(program_id=member.program_id, tier_id=tier, now=now):
        if category in had:
            continue
        figures = {"tier": tier_name, "count": buyers, "days": POPULAR_DAYS}
        if tier_name:
            reason = _("Popular with %(tier)s members: %(count)s of them bought it in the last %(days)s days.")
        else:
            reason = _("Popular with members: %(count)s bought it in the last %(days)s days.")
        evidence = {"members": buyers, "days": POPULAR_DAYS, "tier": tier_name}
        yield Recommendation(Source.POPULAR, category, "", category, buyers / (buyers + 10), reason % figures, evidence)


def popular_categories(*, program_id: int, tier_id: int | None, now: datetime, top: int = 10) -> list[tuple[str, int]]:
    """The categories most members (of the tier, when given) bought in the last ``POPULAR_DAYS`` days, with how
    many; at least ``POPULAR_MIN_MEMBERS`` each. Cached per programme, tier and hour."""
    key = f"tessera:popular:{program_id}:{tier_id}:{int(now.timestamp()) // 3600}"
    found: list[tuple[str, int]] | None = cache.get(key)
    if found is None:
        lines = DocumentLine.objects.filter(
            document__program_id=program_id, document__kind__in=SALE_KINDS,
            document__event_at__gte=now - timedelta(days=POPULAR_DAYS), document__event_at__lte=now,
        ).exclude(category="")  # fmt: skip
        if tier_id is not None:
            lines = lines.filter(document__member_id__in=MemberTier.objects.filter(tier_id=tier_id).values("member_id"))
        counted = lines.values("category").annotate(buyers=Count("document__member_id", distinct=True))
        rows = counted.filter(buyers__gte=POPULAR_MIN_MEMBERS).order_by("-buyers", "category")[:top]
        found = [(row["category"], row["buyers"]) for row in rows]
        cache.set(key, found, 3600)
    return found
