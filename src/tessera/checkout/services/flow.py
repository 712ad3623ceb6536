"""The one shape of every POS write: claim the key, find the member, lock, spot duplicates, write, remember.

Sales, returns, top-ups and redemptions differ only in how they find their member and what they write; the
order of steps, which is what makes them idempotent and race-free, lives here once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from tessera.audit.services import audit_record
from tessera.checkout.models import Document
from tessera.checkout.services.common import (
    document_number_guard,
    document_receipt,
    duplicate_document,
    duplicate_document_read,
    event_at_check,
)
from tessera.idempotency.services import Claim, idempotency_claim_read, idempotency_claim_settle
from tessera.kit.actor import Actor
from tessera.kit.db import IdOf, Read, db_datetime, db_json, pipelined, sql_insert, sql_reads, use_case
from tessera.kit.fingerprint import fingerprint
from tessera.kit.ids import new_public_id
from tessera.kit.outcome import Outcome
from tessera.ledger.rules import Leg
from tessera.ledger.services import (
    MemberAccounts,
    PostingHeader,
    PostingRef,
    member_accounts_lock_read,
    posting_write,
)
from tessera.members.models import Member
from tessera.members.selectors import Balances
from tessera.programs.models import Program

Found = TypeVar("Found")


@dataclass(frozen=True, slots=True)
class Request:
    """What identifies one POS write: the document it records and the key it came with."""

    actor: Actor
    kind: str
    pos_number: str
    event_at: datetime
    request_key: str
    body: dict[str, Any]
    now: datetime
    fingerprint: str = field(init=False)  # of the kind and body, asked for three times per write

    def __post_init__(self) -> None:
        object.__setattr__(self, "fingerprint", fingerprint(operation=self.kind, body=self.body))


@dataclass(frozen=True, slots=True)
class Write:
    """A POS write under way, after its member's accounts are locked: posts, records and audits it.

    ``seen`` holds the answers to the write's own reads (``pos_write``'s ``reads``), made under the lock;
    ``document_id`` is the public id the key's claim named as its answer.
    """

    request: Request
    member: Member
    accounts: MemberAccounts
    document_id: str
    seen: tuple[Any, ...] = ()

    @property
    def program(self) -> Program:
        return self.member.program

    def post(self, legs: list[Leg], details: dict[str, Any]) -> PostingRef | None:
        r = self.request
        header = PostingHeader(
            program_id=self.program.id, reason=r.kind, request_key=r.request_key, source_type=r.kind,
            source_id=self.document_id, actor=r.actor, event_at=r.event_at, now=r.now, details=details,
        )  # fmt: skip
        return posting_write(header=header, legs=legs, locked=self.accounts.by_id())

    def receipt(self, posting: PostingRef | None, currency: str, **fields: Any) -> dict[str, Any]:
        r = self.request
        return {
            "document_id": self.document_id, "kind": r.kind, "pos_number": r.pos_number,
            "member_id": self.member.public_id, "currency": currency,
            "posting_id": posting.public_id if posting else None, "event_at": r.event_at.isoformat(),
            "recorded_at": r.now.isoformat(), **fields, "balances": _balances(self.accounts, self.program.currency),
        }  # fmt: skip

    def record(self, posting: PostingRef | None, receipt: dict[str, Any], **figures: Any) -> IdOf:
        """Insert the document; returns a reference to it for its lines and tenders."""
        r = self.request
        values = {
            "public_id": self.document_id, "kind": r.kind, "program_id": self.program.id,
            "store_id": r.actor.store_id, "terminal_id": r.actor.terminal_id, "staff_id": r.actor.staff_id,
            "member_id": self.member.id, "pos_number": r.pos_number, "fingerprint": r.fingerprint,
            "posting_id": posting.row if posting else None, "receipt": db_json(receipt),
            "event_at": db_datetime(r.event_at), "created_at": db_datetime(r.now),
            "points": 0, "sv_principal_minor": 0, "sv_bonus_minor": 0, "original_id": None,
        }  # fmt: skip
        values.update(figures)
        sql_insert(Document._meta.db_table, list(values), [list(values.values())])
        return IdOf(Document._meta.db_table, self.document_id)

    def audit(self, action: str, **details: Any) -> None:
        # POS terminals are traced by their postings and documents; staff actions also leave an audit row.
        r = self.request
        if r.actor.staff_id is not None:
            audit_record(
                actor=r.actor,
                action=action,
                object_type="document",
                object_id=self.document_id,
                now=r.now,
                request_key=r.request_key,
                details={"member": self.member.public_id, **details},
            )


def _balances(accounts: MemberAccounts, currency: str) -> dict[str, Any]:
    return Balances(
        currency=currency,
        points=accounts.points.balance or 0,
        points_debt=-(accounts.points_debt.balance or 0),
        sv_principal_minor=accounts.sv_principal.balance or 0,
        sv_bonus_minor=accounts.sv_bonus.balance or 0,
    ).as_dict()


def pos_write(
    request: Request,
    *,
    find: Callable[[Any], tuple[Member, Found]],
    write: Callable[[Write, Found], dict[str, Any]],
    lookup: Read[Any] | None = None,
    reads: Callable[[Member], Sequence[Read[Any] | None]] | None = None,
) -> Outcome:
    """Run one POS write idempotently; ``find`` locates the member (and anything else), ``write`` records it.

    Three waits for the database before the writes, each carrying everything that can go with it:

    * the key's claim, with ``lookup`` (the member's read, say), whose answer ``find`` is given;
    * the member's account lock, with the duplicate check and ``reads``: what the write must know under the
      lock (a place on a ladder, a month's count), whose answers arrive as ``Write.seen``;
    * the writes, as one pipeline.

    The till-time check comes after the key's claim, so a late retry of an answered request is still answered.
    """
    fp, actor = request.fingerprint, request.actor
    document_id = new_public_id("doc")  # the key's answer will be this document's receipt
    with document_number_guard(request.pos_number), use_case():
        claim, looked = _claim(request, lookup, document_id)
        if claim.replay is not None:
            return Outcome(claim.replay, replayed=True)
        event_at_check(request.event_at, request.now)
        member, found = find(looked)
        accounts, earlier, *seen = sql_reads([
            member_accounts_lock_read(member_id=member.id),
            duplicate_document_read(actor=actor, kind=request.kind, pos_number=request.pos_number),
            *(reads(member) if reads else ()),
        ])  # fmt: skip
        duplicate = duplicate_document(earlier, pos_number=request.pos_number, fingerprint=fp, claim=claim)
        if duplicate is not None:
            return duplicate
        # Everything from here on only writes: on PostgreSQL it travels as one pipeline, one round trip. The
        # key's record already names the document, so the receipt is written once, with the document.
        with pipelined():
            write_ = Write(request=request, member=member, accounts=accounts, seen=tuple(seen), document_id=document_id)
            receipt = write(write_, found)
    return Outcome(receipt)


def _claim(request: Request, lookup: Read[Any] | None, document_id: str) -> tuple[Claim, Any]:
    """Claim the request's key and run ``lookup`` in the same round trip (the lookup is wasted on a replay)."""
    key, kind, fp = request.request_key, request.kind, request.fingerprint
    store_id = request.actor.store_id
    inserted, looked = sql_reads([
        idempotency_claim_read(store_id=store_id, key=key, operation=kind, fingerprint=fp, now=request.now,
                               answer_document=document_id),
        lookup,
    ])  # fmt: skip
    claim = idempotency_claim_settle(inserted, store_id=store_id, key=key, operation=kind, fingerprint=fp,
                                     answer_of=document_receipt)  # fmt: skip
    return claim, looked
