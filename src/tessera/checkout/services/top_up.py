"""Top-ups: principal paid in at the till, plus any bonus the programme's bands grant. Idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tessera.audit.services import audit_record
from tessera.checkout.commands import TopUpIn
from tessera.checkout.errors import AmountInvalid, LineInvalid, StoredValueNotAccepted
from tessera.checkout.models import Document, Tender
from tessera.checkout.receipts import balances_body, document_head
from tessera.checkout.services.common import (
    claim_key,
    currency_check,
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
from tessera.kit.money import AMOUNT_MINOR_MAX
from tessera.kit.outcome import Outcome
from tessera.ledger.models import AccountKind
from tessera.ledger.rules import Leg
from tessera.ledger.services import MemberAccounts, PostingHeader, member_accounts_lock, posting_write, store_account_id
from tessera.members.models import Member
from tessera.members.stats import member_stats_top_up
from tessera.programs.rules import top_up_bonus
from tessera.programs.selectors import top_up_bands

# A top-up is paid with money from outside the programme, never with stored value itself.
TOP_UP_TENDERS = frozenset(Tender.Kind.values) - {Tender.Kind.STORED_VALUE}


def top_up_commit(*, actor: Actor, top_up: TopUpIn, request_key: str, now: datetime) -> Outcome:
    """Add stored value to a member's wallet.

    :raises AmountInvalid: the amount is not between 1 and the maximum.
    :raises StoredValueNotAccepted: the programme keeps stored value in another currency.
    :raises BalanceCeilingExceeded: the wallet would exceed its cap.
    """
    event_at_check(top_up.event_at, now)
    currency_check(given=top_up.currency, actor=actor)
    if not 1 <= top_up.amount_minor <= AMOUNT_MINOR_MAX:
        raise AmountInvalid(max=AMOUNT_MINOR_MAX)
    if top_up.tender_kind not in TOP_UP_TENDERS:
        raise LineInvalid(line_no="tender", reason=f"a top-up cannot be paid by {top_up.tender_kind!r}")
    fp = fingerprint(operation="top_up", body=top_up.canonical())
    with document_number_guard(top_up.pos_number), use_case():
        claim = claim_key(actor=actor, key=request_key, operation="top_up", fingerprint=fp, now=now)
        if claim.replay is not None:
            return Outcome(claim.replay, replayed=True)
        member = member_for_actor(actor=actor, reference=top_up.member)
        if member.program.currency != top_up.currency:
            raise StoredValueNotAccepted(currency=member.program.currency, given=top_up.currency)
        accounts = member_accounts_lock(member_id=member.id)
        if dup := duplicate_document(
            actor=actor, kind="top_up", pos_number=top_up.pos_number, fingerprint=fp, claim=claim
        ):
            return dup
        receipt = _top_up_write(
            actor=actor, top_up=top_up, member=member, accounts=accounts, fp=fp, request_key=request_key, now=now
        )
        idempotency_complete(claim=claim, response=receipt)
    return Outcome(receipt)


def _top_up_write(
    *,
    actor: Actor,
    top_up: TopUpIn,
    member: Member,
    accounts: MemberAccounts,
    fp: str,
    request_key: str,
    now: datetime,
) -> dict[str, Any]:
    program = member.program
    bonus = top_up_bonus(top_up.amount_minor, top_up_bands(program_id=program.id))
    document_id = new_public_id("doc")
    cur = program.currency

    def store(kind: AccountKind) -> int:
        return store_account_id(program_id=program.id, store_id=actor.store_id, kind=kind, unit=cur)

    legs = [
        Leg(accounts.sv_principal.id, cur, top_up.amount_minor),
        Leg(store(AccountKind.STORE_SV_PRINCIPAL_IN), cur, -top_up.amount_minor),
    ]
    if bonus:
        legs += [Leg(accounts.sv_bonus.id, cur, bonus), Leg(store(AccountKind.STORE_SV_BONUS_IN), cur, -bonus)]
    posting = posting_write(
        header=PostingHeader(
            program_id=program.id,
            reason="top_up",
            request_key=request_key,
            source_type="top_up",
            source_id=document_id,
            actor=actor,
            event_at=top_up.event_at,
            now=now,
            details={"bonus": {"rule": "top_up_band", "bonus_minor": bonus}},
        ),
        legs=legs,
        locked=accounts.by_id(),
    )
    assert posting is not None  # a top-up or redemption always moves value
    receipt = {
        **document_head(
            document_id=document_id,
            kind="top_up",
            pos_number=top_up.pos_number,
            member_id=member.public_id,
            currency=cur,
            posting_id=posting.public_id,
            event_at=top_up.event_at,
            now=now,
        ),
        "amount_minor": top_up.amount_minor,
        "bonus_minor": bonus,
        "balances": balances_body(accounts, cur),
    }
    document = Document.objects.create(
        public_id=document_id,
        kind=Document.Kind.TOP_UP,
        program=program,
        store_id=actor.store_id,
        terminal_id=actor.terminal_id,
        staff_id=actor.staff_id,
        member=member,
        pos_number=top_up.pos_number,
        currency=cur,
        total_minor=top_up.amount_minor,
        sv_principal_minor=top_up.amount_minor,
        sv_bonus_minor=bonus,
        fingerprint=fp,
        posting=posting,
        receipt=receipt,
        event_at=top_up.event_at,
        created_at=now,
    )
    Tender.objects.create(document=document, kind=top_up.tender_kind, amount_minor=top_up.amount_minor)
    member_stats_top_up(member_id=member.id, amount_minor=top_up.amount_minor)
    if actor.staff_id is not None:
        audit_record(
            actor=actor,
            action="wallet.top_up",
            object_type="document",
            object_id=document_id,
            now=now,
            request_key=request_key,
            details={"member": member.public_id, "amount_minor": top_up.amount_minor},
        )
    return receipt
