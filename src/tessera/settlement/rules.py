"""Pure settlement arithmetic: the month's ledger flows become store statements, obligations and a clearing list.

The input is the month's entries on store accounts added up per store, account kind, origin store and posting
reason (``Flow``). An entry that names an origin store moved value held from that store (ADR 0017): a positive
amount means the origin owes the entry's store, a negative one the reverse. Points that lapsed unspent are on the
issuing store's own "points expired" account: they appear on its statement and create no obligation. Everything
owed is first added up per ordered pair of stores and valued there (bonus at the agreed rate, points at the
programme's point value), so the statements, the obligations and the clearing list are sums of the same rounded
figures and always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from zoneinfo import ZoneInfo

PRINCIPAL_IN, PRINCIPAL_OUT = "store_sv_principal_in", "store_sv_principal_out"
BONUS_IN, BONUS_OUT = "store_sv_bonus_in", "store_sv_bonus_out"
POINTS_ISSUED, POINTS_REDEEMED = "store_points_issued", "store_points_redeemed"
POINTS_EXPIRED = "store_points_expired"
ADJUSTMENT = "store_settlement_adjustment"
REFUND = "top_up_refund"

# What each account kind settles as; kinds not listed (points expired or settled in money) never name an origin.
CATEGORY = {
    PRINCIPAL_IN: "principal", PRINCIPAL_OUT: "principal", BONUS_IN: "bonus", BONUS_OUT: "bonus",
    POINTS_ISSUED: "points", POINTS_REDEEMED: "points", ADJUSTMENT: "adjustment",
}  # fmt: skip
# The kinds a statement reads: those that settle, and breakage, which is reported but owed by nobody.
STATEMENT_KINDS = frozenset({*CATEGORY, POINTS_EXPIRED})


@dataclass(frozen=True, slots=True)
class Flow:
    """The sum of a month's entries on one store's accounts of one kind, per origin store and posting reason."""

    store_id: int
    kind: str
    origin_id: int | None
    reason: str
    amount: int


@dataclass(frozen=True, slots=True)
class Terms:
    """How value between stores is priced: bonus at ``bonus_rate_bp`` of face value, points at the programme's
    point value (``point_value_points`` points are worth ``point_value_minor``)."""

    bonus_rate_bp: int = 0
    point_value_points: int = 1
    point_value_minor: int = 1


def period_bounds(year: int, month: int, timezone: str) -> tuple[datetime, datetime]:
    """The instants a calendar month starts and ends in ``timezone`` (the end is the next month's start)."""
    zone = ZoneInfo(timezone)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end


def round_half_away(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, halves away from zero (so signs are symmetric)."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


@dataclass(slots=True)
class Obligation:
    """What ``debtor`` owes ``creditor`` for the month, before netting; valued figures in minor units."""

    debtor_id: int
    creditor_id: int
    principal_minor: int = 0
    bonus_face_minor: int = 0
    points: int = 0
    adjustments_minor: int = 0
    bonus_minor: int = 0
    points_minor: int = 0

    @property
    def value_minor(self) -> int:
        """Principal, bonus and points at their settlement value; adjustments are reported apart."""
        return self.principal_minor + self.bonus_minor + self.points_minor

    @property
    def total_minor(self) -> int:
        return self.value_minor + self.adjustments_minor


@dataclass(frozen=True, slots=True)
class Transfer:
    """One line of the clearing list: ``payer`` pays ``payee`` ``amount_minor`` (> 0), both directions netted."""

    payer_id: int
    payee_id: int
    amount_minor: int


@dataclass(slots=True)
class StoreFigures:
    """One store's statement for the month. Stored value held is what members hold of this store's money; points
    expired are this store's points that lapsed unspent, and their value at the programme's point value."""

    store_id: int
    principal_opening_minor: int = 0
    principal_taken_in_minor: int = 0
    principal_paid_back_minor: int = 0
    principal_spent_here_minor: int = 0
    principal_receivable_minor: int = 0
    principal_payable_minor: int = 0
    principal_closing_minor: int = 0
    bonus_opening_minor: int = 0
    bonus_granted_minor: int = 0
    bonus_taken_back_minor: int = 0
    bonus_spent_here_minor: int = 0
    bonus_receivable_minor: int = 0
    bonus_payable_minor: int = 0
    bonus_closing_minor: int = 0
    points_issued: int = 0
    points_redeemed_here: int = 0
    points_receivable: int = 0
    points_payable: int = 0
    points_expired: int = 0
    points_expired_minor: int = 0
    receivable_minor: int = 0
    payable_minor: int = 0
    adjustments_minor: int = 0
    net_minor: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True)
class Settlement:
    statements: list[StoreFigures]
    obligations: list[Obligation] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)


def settle(
    flows: Iterable[Flow],
    *,
    store_ids: Iterable[int],
    opening: Mapping[int, tuple[int, int]],
    terms: Terms,
) -> Settlement:
    """The month's statements (one per store in ``store_ids``, plus any store a flow names), obligations and
    clearing list. ``opening`` gives each store's principal and bonus held at the start of the month."""
    flows = list(flows)
    stores = {s: StoreFigures(s) for s in sorted({*store_ids, *_stores_named(flows)})}
    for store_id, figures in stores.items():
        figures.principal_opening_minor, figures.bonus_opening_minor = opening.get(store_id, (0, 0))
    for flow in flows:
        _add_flow(stores, flow)
    obligations = _obligations(flows, terms)
    for ob in obligations:
        creditor, debtor = stores[ob.creditor_id], stores[ob.debtor_id]
        creditor.receivable_minor += ob.value_minor
        debtor.payable_minor += ob.value_minor
        creditor.adjustments_minor += ob.adjustments_minor
        debtor.adjustments_minor -= ob.adjustments_minor
    for figures in stores.values():
        figures.points_expired_minor = _points_value(figures.points_expired, terms)
        _close(figures)
    return Settlement(list(stores.values()), obligations, transfers_netted(obligations))


def _stores_named(flows: list[Flow]) -> set[int]:
    return {f.store_id for f in flows} | {f.origin_id for f in flows if f.origin_id is not None}


def _add_flow(stores: dict[int, StoreFigures], flow: Flow) -> None:
    """Add one flow to the statement of the store it was written at and, if it names one, of its origin."""
    here, kind, amount = stores[flow.store_id], flow.kind, flow.amount
    category = CATEGORY.get(kind)
    if kind == PRINCIPAL_IN:
        if flow.reason == REFUND:
            here.principal_paid_back_minor += amount
        else:
            here.principal_taken_in_minor -= amount
    elif kind == PRINCIPAL_OUT:
        here.principal_spent_here_minor += amount
    elif kind == BONUS_IN:
        if flow.reason == REFUND:
            here.bonus_taken_back_minor += amount
        else:
            here.bonus_granted_minor -= amount
    elif kind == BONUS_OUT:
        here.bonus_spent_here_minor += amount
    elif kind == POINTS_ISSUED:
        here.points_issued -= amount
    elif kind == POINTS_REDEEMED:
        here.points_redeemed_here += amount
    elif kind == POINTS_EXPIRED:
        here.points_expired += amount
    if flow.origin_id is None or category in (None, "adjustment"):
        return
    origin = stores[flow.origin_id]
    if category == "principal":
        here.principal_receivable_minor += amount
        origin.principal_payable_minor += amount
    elif category == "bonus":
        here.bonus_receivable_minor += amount
        origin.bonus_payable_minor += amount
    else:
        here.points_receivable += amount
        origin.points_payable += amount


def _obligations(flows: list[Flow], terms: Terms) -> list[Obligation]:
    pairs: dict[tuple[int, int], Obligation] = {}
    for flow in flows:
        category = CATEGORY.get(flow.kind)
        if flow.origin_id is None or category is None:
            continue
        key = (flow.origin_id, flow.store_id)
        ob = pairs.setdefault(key, Obligation(debtor_id=flow.origin_id, creditor_id=flow.store_id))
        if category == "principal":
            ob.principal_minor += flow.amount
        elif category == "bonus":
            ob.bonus_face_minor += flow.amount
        elif category == "points":
            ob.points += flow.amount
        else:
            ob.adjustments_minor += flow.amount
    for ob in pairs.values():
        ob.bonus_minor = round_half_away(ob.bonus_face_minor * terms.bonus_rate_bp, 10_000)
        ob.points_minor = _points_value(ob.points, terms)
    return [pairs[key] for key in sorted(pairs)]


def _points_value(points: int, terms: Terms) -> int:
    return round_half_away(points * terms.point_value_minor, terms.point_value_points)


def transfers_netted(obligations: Iterable[Obligation]) -> list[Transfer]:
    """One transfer per pair of stores that owe each other anything: the two directions netted."""
    net: dict[tuple[int, int], int] = defaultdict(int)
    for ob in obligations:
        low, high = sorted((ob.debtor_id, ob.creditor_id))
        # Positive: ``low`` owes ``high``.
        net[(low, high)] += ob.total_minor if ob.debtor_id == low else -ob.total_minor
    transfers = []
    for (low, high), amount in sorted(net.items()):
        if amount > 0:
            transfers.append(Transfer(low, high, amount))
        elif amount < 0:
            transfers.append(Transfer(high, low, -amount))
    return transfers


def _close(f: StoreFigures) -> None:
    f.principal_closing_minor = (
        f.principal_opening_minor + f.principal_taken_in_minor - f.principal_paid_back_minor
        - f.principal_spent_here_minor + f.principal_receivable_minor - f.principal_payable_minor
    )  # fmt: skip
    f.bonus_closing_minor = (
        f.bonus_opening_minor + f.bonus_granted_minor - f.bonus_taken_back_minor - f.bonus_spent_here_minor
        + f.bonus_receivable_minor - f.bonus_payable_minor
    )  # fmt: skip
    f.net_minor = f.receivable_minor - f.payable_minor + f.adjustments_minor


def held_by_store(rows: Iterable[tuple[int, str, int]]) -> dict[int, tuple[int, int]]:
    """Principal and bonus held per store from (holder store, account kind, sum of entries) rows.

    What members hold of a store's money is minus the sum of the stored-value entries whose value came from it.
    """
    held: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for store_id, kind, total in rows:
        category = CATEGORY.get(kind)
        if category == "principal":
            held[store_id][0] -= total
        elif category == "bonus":
            held[store_id][1] -= total
    return {store_id: (p, b) for store_id, (p, b) in held.items()}


@dataclass(slots=True)
class MerchantObligation:
    """What one merchant of an alliance owes another for the month, from their stores' obligations.

    The issuing merchant pays the full value of points redeemed elsewhere: the redeeming merchant gets it less the
    operator's commission, which goes to the operator. Principal (where sharing is allowed), bonus and adjustments
    pass at the value the store obligations gave them.
    """

    debtor_id: int
    creditor_id: int
    principal_minor: int = 0
    bonus_minor: int = 0
    points_minor: int = 0
    adjustments_minor: int = 0
    commission_minor: int = 0

    @property
    def total_minor(self) -> int:
        """What the creditor receives."""
        return (
            self.principal_minor + self.bonus_minor + self.points_minor + self.adjustments_minor - self.commission_minor
        )


@dataclass(slots=True)
class MerchantFigures:
    """One merchant's month; points expired (and their value) are the sums of its stores' statements."""

    merchant_id: int
    owed_to_minor: int = 0
    owed_by_minor: int = 0
    commission_paid_minor: int = 0
    commission_earned_minor: int = 0
    net_minor: int = 0
    points_expired: int = 0
    points_expired_minor: int = 0


@dataclass(slots=True)
class MerchantSettlement:
    statements: list[MerchantFigures]
    obligations: list[MerchantObligation]
    transfers: list[Transfer]


def merchants_settle(
    obligations: Iterable[Obligation],
    *,
    statements: Iterable[StoreFigures] = (),
    merchant_of: Mapping[int, int],
    merchant_ids: Iterable[int],
    operator_id: int,
    commission_bp: int,
) -> MerchantSettlement:
    """The month between merchants: store obligations across merchants added up per merchant pair, the operator's
    commission on points taken once per pair (rounded half away from zero), and transfers netted per pair with the
    operator as a party. Obligations between stores of one merchant are that merchant's own business. Each
    merchant's points expired add up its stores' ``statements``, so the two never differ by a rounding."""
    pairs: dict[tuple[int, int], MerchantObligation] = {}
    for ob in obligations:
        debtor, creditor = merchant_of[ob.debtor_id], merchant_of[ob.creditor_id]
        if debtor == creditor:
            continue
        pair = pairs.setdefault((debtor, creditor), MerchantObligation(debtor, creditor))
        pair.principal_minor += ob.principal_minor
        pair.bonus_minor += ob.bonus_minor
        pair.points_minor += ob.points_minor
        pair.adjustments_minor += ob.adjustments_minor
    merchants = {m: MerchantFigures(m) for m in sorted({*merchant_ids, operator_id, *merchant_of.values()})}
    debts: list[Obligation] = []  # reused for netting: creditor totals, and the commission owed to the operator
    for (debtor, creditor), pair in sorted(pairs.items()):
        pair.commission_minor = round_half_away(pair.points_minor * commission_bp, 10_000)
        merchants[creditor].owed_to_minor += pair.total_minor
        merchants[debtor].owed_by_minor += pair.total_minor
        merchants[debtor].commission_paid_minor += pair.commission_minor
        merchants[operator_id].commission_earned_minor += pair.commission_minor
        debts.append(Obligation(debtor, creditor, principal_minor=pair.total_minor))
        if pair.commission_minor and debtor != operator_id:
            debts.append(Obligation(debtor, operator_id, principal_minor=pair.commission_minor))
    _add_expired(merchants, statements, merchant_of)
    for m in merchants.values():
        m.net_minor = m.owed_to_minor - m.owed_by_minor - m.commission_paid_minor + m.commission_earned_minor
    return MerchantSettlement(list(merchants.values()), [pairs[k] for k in sorted(pairs)], transfers_netted(debts))


def _add_expired(
    merchants: Mapping[int, MerchantFigures], statements: Iterable[StoreFigures], merchant_of: Mapping[int, int]
) -> None:
    for s in statements:
        merchants[merchant_of[s.store_id]].points_expired += s.points_expired
        merchants[merchant_of[s.store_id]].points_expired_minor += s.points_expired_minor
