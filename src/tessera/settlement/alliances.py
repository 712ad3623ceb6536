"""Reads of an alliance's settlement for the console: the alliance and its merchants, and a closed month as the
reader may see it. Who may read which alliance, and how much of it, is ``selectors.alliance_cards``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from tessera.programs.models import ProgramMerchant
from tessera.programs.selectors import PartnerTerms, partner_terms
from tessera.settlement.models import MerchantStatement, MerchantTransfer, SettlementPeriod, StoreStatement
from tessera.settlement.selectors import AllianceCard, PeriodView, period_view
from tessera.stores.models import Merchant

# The downloads of a month (``exports.TABLES``): a merchant gets what its page shows, the lines between stores
# being the alliance administrator's only.
MERCHANT_TABLES = ("merchants", "merchant_transfers", "statements")
EVERY_TABLE = (*MERCHANT_TABLES, "obligations", "transfers")


@dataclass(frozen=True, slots=True)
class Participant:
    merchant: Merchant
    role: str  # the card's owner or a partner, for people
    is_operator: bool
    terms: PartnerTerms | None  # None: the programme's own discount and earn rate


def alliance_participants(card: AllianceCard) -> list[Participant]:
    """The merchants taking part, the owner first, with the benefits each gives the card's members."""
    rows = ProgramMerchant.objects.filter(program=card.program).select_related("merchant")
    return [
        Participant(row.merchant, str(row.get_role_display()), row.merchant_id == card.alliance.operator_id,
                    partner_terms(program=card.program, merchant_id=row.merchant_id))
        for row in rows.order_by("role", "merchant__name")
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class MerchantLine:
    statement: MerchantStatement
    points_issued: int  # by the merchant's stores, in points
    points_redeemed: int  # at the merchant's stores, whoever issued them
    mine: bool  # the reader's own merchant


@dataclass(frozen=True, slots=True)
class StoreLine:
    statement: StoreStatement
    merchant_name: str


@dataclass(frozen=True, slots=True)
class AllianceMonth:
    view: PeriodView  # the rows the reader may see, for the page and the downloads
    merchants: list[MerchantLine]
    stores: list[StoreLine]
    tables: tuple[str, ...]


def alliance_month(card: AllianceCard, *, year: int, month: int) -> AllianceMonth | None:
    """A closed month of the card as ``card`` lets its reader see it; None if the month is not closed."""
    period = SettlementPeriod.objects.filter(program=card.program, year=year, month=month).select_related("program")
    found = period.first()
    if found is None:
        return None
    view = period_view(found) if card.merchant_id is None else _merchant_share(found, card.merchant_id)
    points = _points_by_merchant(found)
    merchants = [
        MerchantLine(m, *points.get(m.merchant_id, (0, 0)), mine=m.merchant_id == card.merchant_id)
        for m in view.merchants
    ]
    names = {m.merchant_id: m.merchant.name for m in view.merchants}
    stores = [StoreLine(s, names.get(s.store.merchant_id, "")) for s in view.statements]
    return AllianceMonth(view, merchants, stores, EVERY_TABLE if card.everything else MERCHANT_TABLES)


def _merchant_share(period: SettlementPeriod, merchant_id: int) -> PeriodView:
    """A merchant's share of the month: everything between merchants, and its own stores' statements only; the
    lines between stores would show another merchant's stores."""
    own = StoreStatement.objects.filter(period=period, store__merchant_id=merchant_id).select_related("store")
    merchants = MerchantStatement.objects.filter(period=period).select_related("merchant")
    transfers = MerchantTransfer.objects.filter(period=period).select_related("payer", "payee")
    return PeriodView(period, list(own.order_by("store__code")), [], [], list(merchants), list(transfers))


def _points_by_merchant(period: SettlementPeriod) -> dict[int, tuple[int, int]]:
    """Points issued and redeemed per merchant, added up over its stores: a merchant's total, never a store's."""
    rows = (
        StoreStatement.objects.filter(period=period)
        .order_by()  # no default ordering in the GROUP BY
        .values("store__merchant_id")
        .annotate(issued=Sum("points_issued"), redeemed=Sum("points_redeemed_here"))
        .values_list("store__merchant_id", "issued", "redeemed")
    )
    return {int(merchant): (int(issued or 0), int(redeemed or 0)) for merchant, issued, redeemed in rows}
