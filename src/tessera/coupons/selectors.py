"""Reads on coupons: a programme's template terms (cached per configuration version) and a member's coupons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, overload

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from tessera.coupons.codes import code_display
from tessera.coupons.models import Coupon, CouponTemplate, CouponTemplateTranslation, CouponTemplateUsage
from tessera.coupons.rules import EXCLUSIVE, Held, Reason, Terms, norm
from tessera.kit.db import Read, db_datetime, for_update
from tessera.members.models import Member
from tessera.programs.config_cache import config_cached
from tessera.programs.models import Program

REASON_TEXT = {
    Reason.NOT_YET_VALID: _("not valid yet"),
    Reason.EXPIRED: _("expired"),
    Reason.NOT_OPEN: _("already used or held by another checkout"),
    Reason.STORE: _("not valid at this store"),
    Reason.TIER: _("not for the member's tier"),
    Reason.WEEKDAY: _("not valid on this day of the week"),
    Reason.HOURS: _("not valid at this hour"),
    Reason.FIRST_PURCHASE: _("only for a member's first purchase"),
    Reason.NO_ITEMS: _("no item in the basket is covered"),
    Reason.MIN_SPEND: _("the covered items do not reach the minimum spend"),
    Reason.GIFT_NOT_IN_BASKET: _("the free item is not in the basket"),
    Reason.BUDGET: _("the campaign's budget is used up"),
    Reason.SAME_TEMPLATE: _("only one coupon of a kind per sale"),
    Reason.EXCLUSIVE: _("cannot be combined with the other coupons"),
    Reason.NOT_CHOSEN: _("a better choice was made that it cannot be combined with"),
    Reason.ADDS_NOTHING: _("adds nothing to the coupons chosen"),
}


@dataclass(frozen=True, slots=True)
class TemplateView:
    terms: Terms
    budget_minor: int | None
    names: dict[str, str]  # language -> name

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.terms.code


def template_views(program: Program) -> dict[int, TemplateView]:
    """Every template of ``program`` by id, cached until the programme's configuration changes."""
    return config_cached("coupon_templates", program, lambda: _load(program.id))


def _load(program_id: int) -> dict[int, TemplateView]:
    names: dict[int, dict[str, str]] = {}
    for t_id, language, name in CouponTemplateTranslation.objects.filter(template__program_id=program_id).values_list(
        "template_id", "language_code", "name"
    ):
        names.setdefault(t_id, {})[language] = name
    stores: dict[int, set[int]] = {}
    through = CouponTemplate.stores.through
    for t_id, s_id in through.objects.filter(coupontemplate__program_id=program_id).values_list(
        "coupontemplate_id", "store_id"
    ):
        stores.setdefault(t_id, set()).add(s_id)
    views = {}
    for t in CouponTemplate.objects.filter(program_id=program_id):
        views[t.id] = TemplateView(terms=_terms(t, frozenset(stores.get(t.id, ()))), budget_minor=t.budget_minor,
                                   names=names.get(t.id, {}))  # fmt: skip
    return views


def _terms(t: CouponTemplate, store_ids: frozenset[int]) -> Terms:
    return Terms(
        template_id=t.id, code=t.code, kind=t.kind, amount_minor=t.amount_minor or 0, percent_bp=t.percent_bp or 0,
        max_discount_minor=t.max_discount_minor, gift_sku=t.gift_sku, multiplier_permille=t.multiplier_permille or 1000,
        min_spend_minor=t.min_spend_minor, categories=frozenset(norm(c) for c in t.categories),
        brands=frozenset(norm(b) for b in t.brands), skus=frozenset(t.skus), tiers=frozenset(t.tiers),
        store_ids=store_ids, weekdays=frozenset(t.weekdays), hour_from=t.hour_from, hour_to=t.hour_to,
        first_purchase_only=t.first_purchase_only, exclusive=t.stacking == EXCLUSIVE,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class CouponRow:
    """A member's coupon as read for a checkout: enough to decide, hold and redeem it."""

    id: int
    code: str
    template_id: int
    state: str
    hold_key: str
    held_until: datetime | None
    valid_from: datetime
    valid_until: datetime
    budget_used_minor: int

    def open_for(self, hold_key: str, at: datetime) -> bool:
        # An expired coupon is "open" here so that the rules report it as expired, not as taken.
        if self.state in (Coupon.State.ISSUED, Coupon.State.EXPIRED):
            return True
        return self.state == Coupon.State.HELD and (
            self.hold_key == hold_key or (self.held_until is not None and self.held_until <= at)
        )


_C, _U = Coupon._meta.db_table, CouponTemplateUsage._meta.db_table
_COLUMNS = "c.id, c.code, c.template_id, c.state, c.hold_key, c.held_until, c.valid_from, c.valid_until"


def _parse(rows: list[tuple[Any, ...]]) -> list[CouponRow]:
    return [
        CouponRow(
            id=r[0],
            code=r[1],
            template_id=r[2],
            state=r[3],
            hold_key=r[4],
            held_until=_dt(r[5]),
            valid_from=_dt(r[6]),
            valid_until=_dt(r[7]),
            budget_used_minor=r[8] or 0,
        )
        for r in rows
    ]


@overload
def _dt(value: None) -> None: ...
@overload
def _dt(value: datetime | str) -> datetime: ...
def _dt(value: Any) -> datetime | None:
    # SQLite hands back naive UTC (a datetime or text); PostgreSQL an aware datetime.
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(value)
    assert parsed is not None, value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def coupons_open_read(*, member_id: int, at: datetime, codes: Sequence[str] = ()) -> Read[list[CouponRow]]:
    """The member's coupons that are issued or held and not yet past their end, and those with ``codes`` in any
    state (so a quote can say why a chosen one is used or expired). No locks: for quotes."""
    marks = ", ".join(["%s"] * len(codes))
    chosen = f" OR c.code IN ({marks})" if codes else ""
    return Read(
        f"SELECT {_COLUMNS}, u.budget_used_minor FROM {_C} c LEFT JOIN {_U} u ON u.template_id = c.template_id"  # noqa: S608
        f" WHERE c.member_id = %s AND ((c.state IN ('issued', 'held') AND c.valid_until > %s){chosen})"
        " ORDER BY c.valid_until, c.id",
        [member_id, db_datetime(at), *codes],
        _parse,
    )


def coupons_lock_read(*, member_id: int, codes: Sequence[str]) -> Read[list[CouponRow]] | None:
    """The member's coupons with these codes, locked in id order until the transaction ends (None: no codes).

    Lock order in every write: the member's accounts, then their coupons, then template usage rows.
    """
    if not codes:
        return None
    marks = ", ".join(["%s"] * len(codes))
    lock = " OF c" if for_update() else ""
    return Read(
        f"SELECT {_COLUMNS}, u.budget_used_minor FROM {_C} c JOIN {_U} u ON u.template_id = c.template_id"  # noqa: S608
        f" WHERE c.member_id = %s AND c.code IN ({marks}) ORDER BY c.id{for_update()}{lock}",
        [member_id, *codes],
        _parse,
    )


def budget_lock_read(*, member_id: int, codes: Sequence[str]) -> Read[dict[int, int]] | None:
    """Usage rows of the budgeted templates behind these codes, locked: template id -> discount given so far.

    Only templates with a budget are locked, so sales using unbudgeted coupons never queue on a shared row.
    """
    if not codes or not for_update():
        return None
    marks = ", ".join(["%s"] * len(codes))
    t = CouponTemplate._meta.db_table
    return Read(
        f"SELECT u.template_id, u.budget_used_minor FROM {_U} u JOIN {t} t ON t.id = u.template_id"  # noqa: S608
        f" WHERE t.budget_minor IS NOT NULL AND u.template_id IN (SELECT template_id FROM {_C}"
        f" WHERE member_id = %s AND code IN ({marks})) ORDER BY u.template_id FOR UPDATE OF u",
        [member_id, *codes],
        lambda rows: {r[0]: r[1] for r in rows},
    )


def held_coupons(
    rows: Sequence[CouponRow], views: dict[int, TemplateView], *, hold_key: str, at: datetime,
    budgets: dict[int, int] | None = None,
) -> list[Held]:  # fmt: skip
    """The rows as the pure rules take them, with what is left of each template's budget."""
    held = []
    for row in rows:
        view = views.get(row.template_id)
        if view is None:
            continue
        used = (budgets or {}).get(row.template_id, row.budget_used_minor)
        terms = view.terms if view.budget_minor is None else replace(view.terms, budget_left=view.budget_minor - used)
        held.append(Held(coupon_id=row.id, code=row.code, terms=terms, valid_from=row.valid_from,
                         valid_until=row.valid_until, open=row.open_for(hold_key, at)))  # fmt: skip
    return held


def member_coupons(*, member: Member, at: datetime, language: str) -> list[dict[str, Any]]:
    """The member's coupons that are issued or held and still valid, soonest to expire first, for people."""
    views = template_views(member.program)
    rows = (
        Coupon.objects.filter(member=member, state__in=["issued", "held"], valid_until__gt=at)
        .order_by("valid_until", "id")
        .values_list("code", "template_id", "state", "valid_from", "valid_until")
    )
    return [
        {"code": code, "display_code": code_display(code), "template": views[t].terms.code,
         "kind": views[t].terms.kind, "name": views[t].name(language), "state": state,
         "valid_from": start.isoformat(), "valid_until": end.isoformat()}
        for code, t, state, start, end in rows if t in views
    ]  # fmt: skip
