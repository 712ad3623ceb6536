"""Ledger writes: opening accounts, locking them, and the one function that writes postings.

Every movement of points or stored value goes through ``posting_write``. Callers are services of other areas
that already hold the durable transaction and the locks; nothing here opens a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from tessera.kit import ids
from tessera.kit.actor import Actor
from tessera.kit.db import (
    IdOf,
    Read,
    assert_in_transaction,
    columns_of,
    db_datetime,
    db_json,
    for_update,
    model_from_row,
    sql_insert,
    sql_reads,
    sql_run,
)
from tessera.kit.money import amount_text
from tessera.ledger.errors import BalanceCeilingExceeded, insufficient
from tessera.ledger.models import POINTS, Account, AccountKind, Entry, Posting
from tessera.ledger.rules import Bounds, Leg, balances_after, legs_check_balanced, legs_compact


@dataclass(frozen=True, slots=True)
class MemberAccounts:
    """A member's four accounts, locked for the current transaction."""

    points: Account
    points_debt: Account
    sv_principal: Account
    sv_bonus: Account

    def by_id(self) -> dict[int, Account]:
        return {a.id: a for a in (self.points, self.points_debt, self.sv_principal, self.sv_bonus)}


@dataclass(frozen=True, slots=True)
class PostingHeader:
    program_id: int
    reason: str
    request_key: str
    source_type: str
    source_id: str
    actor: Actor
    event_at: datetime
    now: datetime
    details: dict[str, Any] = field(default_factory=dict)
    reverses_id: int | None = None


def member_accounts_open(*, program_id: int, member_id: int, currency: str) -> MemberAccounts:
    """Open a new member's accounts. Points and stored value may never go below zero; debt never above it."""
    assert_in_transaction()
    created = Account.objects.bulk_create(_member_accounts_new(program_id, member_id, currency))
    return MemberAccounts(*created)


def member_accounts_open_many(*, program_id: int, member_ids: Sequence[int], currency: str) -> None:
    """Open the accounts of many new members at once (members imported from another system), as above."""
    assert_in_transaction()
    accounts = [a for member_id in member_ids for a in _member_accounts_new(program_id, member_id, currency)]
    Account.objects.bulk_create(accounts, batch_size=2000)


def _member_accounts_new(program_id: int, member_id: int, currency: str) -> list[Account]:
    specs = [
        (AccountKind.MEMBER_POINTS, POINTS, 0, None),
        (AccountKind.MEMBER_POINTS_DEBT, POINTS, None, 0),
        (AccountKind.MEMBER_SV_PRINCIPAL, currency, 0, None),
        (AccountKind.MEMBER_SV_BONUS, currency, 0, None),
    ]
    return [
        Account(program_id=program_id, member_id=member_id, kind=kind, unit=unit, balance=0, floor=lo, ceiling=hi)
        for kind, unit, lo, hi in specs
    ]


def member_accounts_lock(*, member_id: int) -> MemberAccounts:
    """Lock the member's accounts in ascending id and read their balances only now, under the lock.

    The ascending order is what keeps two postings that touch the same accounts from waiting on each other
    forever. On SQLite there are no row locks; the IMMEDIATE transaction already holds the database write lock.
    """
    accounts: MemberAccounts = sql_reads([member_accounts_lock_read(member_id=member_id)])[0]
    return accounts


def member_accounts_lock_read(*, member_id: int) -> Read[MemberAccounts]:
    """``member_accounts_lock`` as a read to send with others (``sql_reads``); the reads after it run locked."""
    assert_in_transaction()
    return Read(
        f"SELECT {columns_of(Account, 'a')} FROM {Account._meta.db_table} a"  # noqa: S608
        f" WHERE a.member_id = %s ORDER BY a.id{for_update()}",
        [member_id],
        _member_accounts,
    )


def _member_accounts(rows: list[tuple[Any, ...]]) -> MemberAccounts:
    by_kind = {account.kind: account for account in (model_from_row(row, Account) for row in rows)}
    return MemberAccounts(
        points=by_kind[AccountKind.MEMBER_POINTS],
        points_debt=by_kind[AccountKind.MEMBER_POINTS_DEBT],
        sv_principal=by_kind[AccountKind.MEMBER_SV_PRINCIPAL],
        sv_bonus=by_kind[AccountKind.MEMBER_SV_BONUS],
    )


# Store accounts never change once created, so their ids are cached per process. An id enters the cache only
# after the transaction that created it has committed, or a rolled-back id would be served later.
_store_account_ids: dict[tuple[int, int, str, str], int] = {}


def store_account_cache_clear() -> None:
    _store_account_ids.clear()


def store_account_id(*, program_id: int, store_id: int, kind: AccountKind, unit: str) -> int:
    """The id of a store's programme account, opening it on first use (safe against a concurrent opener)."""
    key = (program_id, store_id, kind.value, unit)
    if (cached := _store_account_ids.get(key)) is not None:
        return cached
    assert_in_transaction()
    account_id = _store_account_upsert(program_id=program_id, store_id=store_id, kind=kind.value, unit=unit)
    transaction.on_commit(lambda: _store_account_ids.__setitem__(key, account_id))
    return account_id


def _store_account_upsert(*, program_id: int, store_id: int, kind: str, unit: str) -> int:
    existing = Account.objects.filter(program_id=program_id, store_id=store_id, kind=kind, unit=unit)
    if (found := existing.values_list("id", flat=True).first()) is not None:
        return int(found)
    table = Account._meta.db_table
    with connection.cursor() as cursor:
        # Two first sales at a new store may race to open the account; the loser's insert does nothing.
        cursor.execute(
            f"INSERT INTO {table} (program_id, store_id, kind, unit, version, created_at)"  # noqa: S608
            " VALUES (%s, %s, %s, %s, 0, CURRENT_TIMESTAMP)"
            " ON CONFLICT (program_id, store_id, kind, unit) WHERE store_id IS NOT NULL DO NOTHING",
            [program_id, store_id, kind, unit],
        )
    return int(existing.values_list("id", flat=True).get())


def posting_write(*, header: PostingHeader, legs: Sequence[Leg], locked: Mapping[int, Account]) -> PostingRef | None:
    """Write one balanced posting and move the cached balances of the locked accounts it touches.

    Returns None, writing nothing, when no leg moves anything (a free sale earns and spends nothing).

    :raises InsufficientBalance: a member balance would fall below its floor.
    :raises BalanceCeilingExceeded: a member balance would rise above its ceiling.
    """
    assert_in_transaction()
    legs = legs_compact(legs)
    if not legs:
        return None
    legs_check_balanced(legs)
    cached = {a.id: Bounds(a.balance, a.floor, a.ceiling) for a in locked.values() if a.balance is not None}
    after, delta, breach = balances_after(legs, cached)
    if breach is not None:
        unit = locked[breach.account_id].unit
        if breach.below_floor:
            raise insufficient(available=breach.balance, requested=-breach.requested, unit=unit)
        ceiling = breach.ceiling or 0
        raise BalanceCeilingExceeded(ceiling=ceiling, ceiling_text=amount_text(ceiling, unit))
    posting = _posting_insert(header)
    # One INSERT for all entries (the PostgreSQL guard checks each statement balances on its own), naming the
    # posting by its public id so that nothing here waits for an earlier statement's answer.
    posting_ref = IdOf(Posting._meta.db_table, posting.public_id)
    sql_insert(
        Entry._meta.db_table,
        ["posting_id", "account_id", "unit", "amount", "balance_after", "origin_store_id"],
        [
            (posting_ref, leg.account_id, leg.unit, leg.amount, bal, leg.origin_store_id)
            for leg, bal in zip(legs, after, strict=True)
        ],
    )
    _apply_deltas(delta, locked)
    return posting


_POSTING_COLUMNS = [
    "public_id", "program_id", "store_id", "reason", "request_key", "source_type", "source_id", "staff_id",
    "terminal_id", "system", "event_at", "created_at", "reverses_id", "details",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class PostingRef:
    """A posting just written: its public id is all its callers need (the database assigns the id)."""

    public_id: str

    @property
    def row(self) -> IdOf:
        return IdOf(Posting._meta.db_table, self.public_id)


def _posting_insert(header: PostingHeader) -> PostingRef:
    actor, public_id = header.actor, ids.posting_id()
    row = [
        public_id, header.program_id, actor.store_id, header.reason, header.request_key, header.source_type,
        header.source_id, actor.staff_id, actor.terminal_id, actor.system, db_datetime(header.event_at),
        db_datetime(header.now), header.reverses_id, db_json(header.details),
    ]  # fmt: skip
    sql_insert(Posting._meta.db_table, _POSTING_COLUMNS, [row])
    return PostingRef(public_id)


def _apply_deltas(delta: Mapping[int, int], locked: Mapping[int, Account]) -> None:
    if not delta:
        return
    # Increments, not absolute values: even if a caller forgot a lock, no update is lost and the CHECK
    # constraint still refuses an overdraft.
    cases = " ".join(["WHEN %s THEN %s"] * len(delta))
    marks = ", ".join(["%s"] * len(delta))
    params: list[int] = [n for pair in delta.items() for n in pair] + list(delta)
    sql_run(
        f"UPDATE {Account._meta.db_table} SET balance = balance + CASE id {cases} ELSE 0 END,"  # noqa: S608
        f" version = version + 1 WHERE id IN ({marks})",
        params,
    )
    for account_id, change in delta.items():
        account = locked[account_id]
        assert account.balance is not None
        account.balance += change
        account.version += 1
