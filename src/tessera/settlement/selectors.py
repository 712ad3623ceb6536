"""Settlement reads: the month's flows from the ledger, opening positions, and closed periods.

The flows are one aggregate over the month's entries on store accounts (``FLOWS_SQL``); everything else in a
settlement is arithmetic on its few hundred rows (``rules.settle``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Q

from tessera.access.rules import Action, Scope, role_allows, scope_allows_alliance, scope_allows_merchant
from tessera.kit.db import db_datetime, sql_rows, sql_run
from tessera.programs.models import Program, ProgramMerchant
from tessera.settlement.models import (
    MerchantStatement,
    MerchantTransfer,
    Obligation,
    SettlementPeriod,
    SettlementTerms,
    StoreStatement,
    Transfer,
)
from tessera.settlement.rules import (
    POINTS_EXPIRED,
    STATEMENT_KINDS,
    Flow,
    MerchantSettlement,
    Settlement,
    Terms,
    held_by_store,
    merchants_settle,
    period_bounds,
    settle,
)
from tessera.stores.models import Alliance, Merchant, Store

# The month's value movements on store accounts, per store, account kind, origin store and posting reason.
# Store accounts are few but hold most entries, which the planner cannot see from the statistics: filtering on
# their kinds made it walk the entries account by account through an index (minutes for a big chain), while
# "a store account" keeps the plan of a plain aggregate. Kinds statements ignore are dropped in Python.
FLOWS_SQL = (
    "SELECT a.store_id, a.kind, e.origin_store_id, p.reason, SUM(e.amount)"
    " FROM ledger_posting p JOIN ledger_entry e ON e.posting_id = p.id JOIN ledger_account a ON a.id = e.account_id"
    " WHERE p.program_id = %s AND p.created_at >= %s AND p.created_at < %s AND a.store_id IS NOT NULL"
    " GROUP BY a.store_id, a.kind, e.origin_store_id, p.reason"
)

# A first close needs what members held before the month as well: the same aggregate over everything before the
# month's end, each group marked as in the month or before it, so the ledger is read once, not twice.
_FLOWS_AND_BEFORE_SQL = (
    "SELECT a.store_id, a.kind, e.origin_store_id, p.reason, p.created_at >= %s, SUM(e.amount)"
    " FROM ledger_posting p JOIN ledger_entry e ON e.posting_id = p.id JOIN ledger_account a ON a.id = e.account_id"
    " WHERE p.program_id = %s AND p.created_at < %s AND a.store_id IS NOT NULL"
    " GROUP BY 1, 2, 3, 4, 5"
)


def _aggregate_plan() -> None:
    """Pin the plan of the month's aggregate for the rest of the close's transaction (PostgreSQL only).

    The few store accounts hold about half of all entries, so the planner expects thousands of rows where there are
    millions and walks the entries through an index (measured: 94 s and more, against 40 s for a plain aggregate
    on 10M postings). Hash joins and no JIT are what the aggregate needs; SET LOCAL ends with the transaction.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        sql_run("SET LOCAL enable_nestloop = off")
        sql_run("SET LOCAL jit = off")


def flows_and_opening(
    *, program_id: int, starts_at: datetime, ends_at: datetime
) -> tuple[list[Flow], dict[int, tuple[int, int]]]:
    """The month's flows and what members held of each store's money when it began, in one pass."""
    _aggregate_plan()
    start = db_datetime(starts_at)
    rows = sql_rows(_FLOWS_AND_BEFORE_SQL, [start, program_id, db_datetime(ends_at)])
    flows: list[Flow] = []
    before: list[tuple[int, str, int]] = []
    for store, kind, origin, reason, in_month, total in rows:
        if kind not in STATEMENT_KINDS:
            continue
        if in_month:
            flows.append(Flow(int(store), str(kind), None if origin is None else int(origin), str(reason), int(total)))
        else:
            before.append((int(origin if origin is not None else store), str(kind), int(total)))
    return flows, held_by_store(before)


def month_flows(*, program_id: int, starts_at: datetime, ends_at: datetime) -> list[Flow]:
    _aggregate_plan()
    rows = sql_rows(FLOWS_SQL, [program_id, db_datetime(starts_at), db_datetime(ends_at)])
    return [
        Flow(int(s), str(k), None if o is None else int(o), str(r), int(t))
        for s, k, o, r, t in rows
        if k in STATEMENT_KINDS
    ]


def month_postings(*, program_id: int, starts_at: datetime, ends_at: datetime) -> tuple[int, int | None]:
    """How many postings the month holds, and the last one's id (what a closed period promises never changes)."""
    ((count, last),) = sql_rows(
        "SELECT COUNT(*), MAX(id) FROM ledger_posting WHERE program_id = %s AND created_at >= %s AND created_at < %s",
        [program_id, db_datetime(starts_at), db_datetime(ends_at)],
    )
    return int(count), None if last is None else int(last)


def held_at_close(period: SettlementPeriod) -> dict[int, tuple[int, int]]:
    rows = StoreStatement.objects.filter(period=period).values_list(
        "store_id", "principal_closing_minor", "bonus_closing_minor"
    )
    return {store: (principal, bonus) for store, principal, bonus in rows}


def period_previous(*, program_id: int, year: int, month: int) -> SettlementPeriod | None:
    """The closed period just before (year, month), if that month is closed."""
    before = (year - 1, 12) if month == 1 else (year, month - 1)
    return SettlementPeriod.objects.filter(program_id=program_id, year=before[0], month=before[1]).first()


def period_latest(*, program_id: int) -> SettlementPeriod | None:
    return SettlementPeriod.objects.filter(program_id=program_id).order_by("-year", "-month").first()


def terms_for(program: Program) -> Terms:
    found = SettlementTerms.objects.filter(program=program).values_list("bonus_rate_bp", flat=True).first()
    return Terms(bonus_rate_bp=found or 0, point_value_points=program.point_value_points,
                 point_value_minor=program.point_value_minor)  # fmt: skip


def program_owner(program: Program) -> Merchant:
    return Merchant.objects.get(id=program.owner_id)


def program_store_ids(program: Program) -> list[int]:
    """Every store of every merchant taking part in the programme: each gets a statement, active or not."""
    merchants = ProgramMerchant.objects.filter(program=program).values_list("merchant_id", flat=True)
    return list(Store.objects.filter(merchant_id__in=merchants).order_by("id").values_list("id", flat=True))


@dataclass(frozen=True, slots=True)
class PeriodView:
    """A closed period with its rows, as the console, the API and the exports show it."""

    period: SettlementPeriod
    statements: list[StoreStatement]
    obligations: list[Obligation]
    transfers: list[Transfer]
    merchants: list[MerchantStatement]
    merchant_transfers: list[MerchantTransfer]


def period_view(period: SettlementPeriod, *, store_ids: frozenset[int] | None = None) -> PeriodView:
    """The period's rows; with ``store_ids``, only the statements of those stores and the lines that involve one."""
    statements = StoreStatement.objects.filter(period=period).select_related("store")
    obligations = Obligation.objects.filter(period=period).select_related("debtor", "creditor")
    transfers = Transfer.objects.filter(period=period).select_related("payer", "payee")
    if store_ids is not None:
        statements = statements.filter(store_id__in=store_ids)
        obligations = obligations.filter(Q(debtor_id__in=store_ids) | Q(creditor_id__in=store_ids))
        transfers = transfers.filter(Q(payer_id__in=store_ids) | Q(payee_id__in=store_ids))
    merchants = MerchantStatement.objects.filter(period=period).select_related("merchant")
    merchant_transfers = MerchantTransfer.objects.filter(period=period).select_related("payer", "payee")
    if store_ids is not None:
        # Between merchants is headquarters' view; a store manager sees their stores' share only.
        merchants, merchant_transfers = merchants.none(), merchant_transfers.none()
    return PeriodView(period, list(statements.order_by("store__code")), list(obligations), list(transfers),
                      list(merchants), list(merchant_transfers))  # fmt: skip


def periods_of(*, program_id: int) -> list[SettlementPeriod]:
    return list(SettlementPeriod.objects.filter(program_id=program_id).order_by("-year", "-month"))


def period_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True, slots=True)
class Month:
    program: Program
    year: int
    month: int
    timezone: str
    starts_at: datetime
    ends_at: datetime


def month_of_program(program: Program, year: int, month: int) -> Month:
    """The month in the programme owner's time zone."""
    timezone = program_owner(program).timezone
    starts_at, ends_at = period_bounds(year, month, timezone)
    return Month(program, year, month, timezone, starts_at, ends_at)


def settlement_compute(
    m: Month, terms: Terms | None = None, *, points_expired: bool = True, store_ids: Iterable[int] | None = None
) -> Settlement:
    """The month's settlement from the ledger as it stands, at ``terms`` (default: the programme's terms now);
    it opens with the previous month's closing figures, or for a first close with the whole ledger before it.

    ``points_expired=False`` leaves breakage off the statements, as months closed before they reported it were.
    ``store_ids`` are the stores that get a statement even without a flow (default: every store of the card
    now); a closed month is recomputed with its own, as stores opened or partners joined later were not in it.
    """
    previous = period_previous(program_id=m.program.id, year=m.year, month=m.month)
    if previous is not None:
        opening = held_at_close(previous)
        flows = month_flows(program_id=m.program.id, starts_at=m.starts_at, ends_at=m.ends_at)
    else:
        flows, opening = flows_and_opening(program_id=m.program.id, starts_at=m.starts_at, ends_at=m.ends_at)
    if not points_expired:
        flows = [f for f in flows if f.kind != POINTS_EXPIRED]
    stores = program_store_ids(m.program) if store_ids is None else store_ids
    return settle(flows, store_ids=stores, opening=opening, terms=terms or terms_for(m.program))


def period_month(period: SettlementPeriod) -> Month:
    """A closed period's month, with the bounds it was closed with."""
    return Month(period.program, period.year, period.month, period.timezone, period.starts_at, period.ends_at)


def period_terms(period: SettlementPeriod) -> Terms:
    return Terms(period.bonus_rate_bp, period.point_value_points, period.point_value_minor)


@dataclass(frozen=True, slots=True)
class Visible:
    """Which statements of a programme someone may see: all of them, or only their own stores'."""

    everything: bool
    store_ids: frozenset[int] = frozenset()

    @property
    def filter(self) -> frozenset[int] | None:
        return None if self.everything else self.store_ids


def settlement_visible(scope: Scope, program: Program, action: Action) -> Visible | None:
    """What ``scope`` may see (or, for a write, do) of the programme's settlement; None: nothing.

    Merchant-wide roles of the owner with the action see every store; a store manager sees the stores assigned to
    them. Closing and adjusting are merchant-wide only.
    """
    owner_id = program.owner_id
    if scope_allows_merchant(scope, action, merchant_id=owner_id):
        return Visible(everything=True)
    if program.alliance_id is not None and scope_allows_alliance(scope, action, alliance_id=program.alliance_id):
        return Visible(everything=True)  # the alliance administrator reads the card's settlement, never writes
    if action is not Action.SETTLEMENT_VIEW or not role_allows(scope.role, action) or scope.merchant_id != owner_id:
        return None
    stores = scope.store_ids & frozenset(program_store_ids(program))
    return Visible(everything=False, store_ids=stores) if stores else None


@dataclass(frozen=True, slots=True)
class AllianceCard:
    """An alliance's card as someone may read its settlement: ``merchant_id`` None is all of it (the alliance's
    administrator, a platform administrator); else the figures between merchants and that merchant's own stores."""

    program: Program
    alliance: Alliance
    merchant_id: int | None

    @property
    def everything(self) -> bool:
        return self.merchant_id is None


def alliance_cards(scope: Scope, *, alliance_id: str | None = None) -> list[AllianceCard]:
    """The alliance cards whose settlement ``scope`` may read (of the alliance ``alliance_id``, a public id, if given).

    Read-only: nobody closes or adjusts a month here. The alliance's administrator reads all of it. The roles with
    ``settlement.view`` that cover a whole merchant (the operations centre, auditors) read the alliance, its
    merchant statements and transfers, and their own stores' statements, when their merchant is the operator or
    takes part; never another merchant's stores. Roles that reach only stores read none: an alliance is above them.
    """
    cards = Program.objects.filter(alliance__isnull=False).select_related("alliance__operator").order_by("id")
    if alliance_id is not None:
        cards = cards.filter(alliance__public_id=alliance_id)
    merchant = scope.merchant_id
    if scope.is_platform_admin:
        merchant = None
    elif scope.alliance_id is not None and scope_allows_alliance(scope, Action.SETTLEMENT_VIEW,
                                                                 alliance_id=scope.alliance_id):  # fmt: skip
        cards, merchant = cards.filter(alliance_id=scope.alliance_id), None
    elif merchant is not None and scope_allows_merchant(scope, Action.SETTLEMENT_VIEW, merchant_id=merchant):
        cards = cards.filter(Q(alliance__operator_id=merchant) | Q(participants__merchant_id=merchant)).distinct()
    else:
        return []
    return [AllianceCard(card, card.alliance, merchant) for card in cards if card.alliance is not None]


def alliance_visible(scope: Scope, *, alliance_id: str) -> AllianceCard | None:
    """The alliance's card as ``scope`` may read it; None when it may not, whether the alliance exists or not."""
    found = alliance_cards(scope, alliance_id=alliance_id)
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class Between:
    """Who a month between merchants is settled among: the card's merchants, its operator and commission."""

    merchant_ids: tuple[int, ...]
    operator_id: int
    commission_bp: int


def between_now(program: Program) -> Between:
    """The card's merchants and alliance terms as they stand: what a close records."""
    participants = ProgramMerchant.objects.filter(program=program).values_list("merchant_id", flat=True)
    alliance = Alliance.objects.filter(id=program.alliance_id).first() if program.alliance_id else None
    operator = alliance.operator_id if alliance else program.owner_id
    return Between(tuple(participants), operator, alliance.commission_bp if alliance else 0)


def between_closed(period: SettlementPeriod) -> Between:
    """The merchants, operator and commission a closed month was settled among, from its own rows: partners who
    joined the card later were not part of it."""
    merchants = MerchantStatement.objects.filter(period=period).values_list("merchant_id", flat=True)
    operator = period.operator_id or between_now(period.program).operator_id  # months closed before it was kept
    return Between(tuple(merchants), operator, period.commission_bp)


def merchant_settlement_compute(
    program: Program, result: Settlement, between: Between | None = None
) -> MerchantSettlement:
    """The month between the programme's merchants, from its store obligations; the operator is the alliance's
    (the owner for a single chain, where everything nets to nothing across merchants)."""
    who = between or between_now(program)
    named = {s.store_id for s in result.statements} | {
        i for o in result.obligations for i in (o.debtor_id, o.creditor_id)
    }
    merchant_of = dict(Store.objects.filter(id__in=named).values_list("id", "merchant_id"))
    return merchants_settle(result.obligations, statements=result.statements, merchant_of=merchant_of,
                            merchant_ids=who.merchant_ids, operator_id=who.operator_id,
                            commission_bp=who.commission_bp)  # fmt: skip
