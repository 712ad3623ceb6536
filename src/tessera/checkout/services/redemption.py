"""Points redemptions at the till: a gift or service paid for in points. Idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tessera.audit.services import audit_record
from tessera.checkout.commands import RedemptionIn
from tessera.checkout.errors import AmountInvalid
from tessera.checkout.models import Document
from tessera.checkout.receipts import balances_body, document_head
from tessera.checkout.services.common import (
    claim_key,
    document_number_guard,
    duplicate_document,
    event_at_check,
    member_for_actor,
)
from tessera.idempotency.services import idempotency_complete
from tessera.kit.actor import Actor
from tessera.kit.db import use_case
from tessera.kit.fingerprint import fingerprint
from tessera.kit.ids import new_public_id
from tessera.kit.outcome import Outcome
from tessera.ledger.models import POINTS, AccountKind
from tessera.ledger.rules import Leg
from tessera.ledger.services import MemberAccounts, PostingHeader, member_accounts_lock, posting_write, store_account_id
from tessera.members.models import Member

POINTS_MAX = 10**9


def points_redeem(*, actor: Actor, redemption: RedemptionIn, request_key: str, now: datetime) -> Outcome:
    """Take points from a member for a gift or service.

    :raises InsufficientBalance: the member holds fewer points (checked under the lock).
    """
    event_at_check(redemption.event_at, now)
    if not 1 <= redemption.points <= POINTS_MAX:
        raise AmountInvalid(max=POINTS_MAX)
    fp = fingerprint(operation="redemption", body=redemption.canonical())
    with document_number_guard(redemption.pos_number), use_case():
        claim = claim_key(actor=actor, key=request_key, operation="redemption", fingerprint=fp, now=now)
        if claim.replay is not None:
            return Outcome(claim.replay, replayed=True)
        member = member_for_actor(actor=actor, reference=redemption.member)
        accounts = member_accounts_lock(member_id=member.id)
        if dup := duplicate_document(
            actor=actor, kind="redemption", pos_number=redemption.pos_number, fingerprint=fp, claim=claim
        ):
            return dup
        receipt = _redemption_write(
            actor=actor,
            redemption=redemption,
            member=member,
            accounts=accounts,
            fp=fp,
            request_key=request_key,
            now=now,
        )
        idempotency_complete(claim=claim, response=receipt)
    return Outcome(receipt)


def _redemption_write(
    *,
    actor: Actor,
    redemption: RedemptionIn,
    member: Member,
    accounts: MemberAccounts,
    fp: str,
    request_key: str,
    now: datetime,
) -> dict[str, Any]:
    program = member.program
    document_id = new_public_id("doc")
    redeemed = store_account_id(
        program_id=program.id, store_id=actor.store_id, kind=AccountKind.STORE_POINTS_REDEEMED, unit=POINTS
    )
    posting = posting_write(
        header=PostingHeader(
            program_id=program.id,
            reason="redemption",
            request_key=request_key,
            source_type="redemption",
            source_id=document_id,
            actor=actor,
            event_at=redemption.event_at,
            now=now,
            details={"note": redemption.reason[:200]},
        ),
        legs=[Leg(accounts.points.id, POINTS, -redemption.points), Leg(redeemed, POINTS, redemption.points)],
        locked=accounts.by_id(),
    )
    assert posting is not None  # a top-up or redemption always moves value
    receipt = {
        **document_head(
            document_id=document_id,
            kind="redemption",
            pos_number=redemption.pos_number,
            member_id=member.public_id,
            currency=program.currency,
            posting_id=posting.public_id,
            event_at=redemption.event_at,
            now=now,
        ),
        "points": redemption.points,
        "balances": balances_body(accounts, program.currency),
    }
    Document.objects.create(
        public_id=document_id,
        kind=Document.Kind.REDEMPTION,
        program=program,
        store_id=actor.store_id,
        terminal_id=actor.terminal_id,
        staff_id=actor.staff_id,
        member=member,
        pos_number=redemption.pos_number,
        currency=program.currency,
        total_minor=0,
        points=redemption.points,
        fingerprint=fp,
        posting=posting,
        receipt=receipt,
        event_at=redemption.event_at,
        created_at=now,
    )
    if actor.staff_id is not None:
        audit_record(
            actor=actor,
            action="points.redeem",
            object_type="document",
            object_id=document_id,
            now=now,
            request_key=request_key,
            details={"member": member.public_id, "points": redemption.points},
        )
    return receipt
