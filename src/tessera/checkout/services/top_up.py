"""Top-ups: principal paid in at the till, plus any bonus the programme's bands grant. Idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from tessera.checkout.commands import TopUpIn
from tessera.checkout.errors import AmountInvalid, LineInvalid, StoredValueNotAccepted
from tessera.checkout.models import Tender
from tessera.checkout.services.common import currency_check, member_found_check, member_lookup_read, tier_change_body
from tessera.checkout.services.flow import Request, Write, pos_write
from tessera.checkout.services.lines import TENDER_COLUMNS
from tessera.kit.actor import Actor
from tessera.kit.db import sql_insert
from tessera.kit.money import AMOUNT_MINOR_MAX
from tessera.kit.outcome import Outcome
from tessera.ledger.models import AccountKind
from tessera.ledger.rules import Leg
from tessera.ledger.services import store_account_id
from tessera.members.lifecycle import member_card_require_valid
from tessera.members.models import Member
from tessera.members.stats import member_stats_top_up
from tessera.programs.rules import top_up_bonus
from tessera.programs.selectors import top_up_bands
from tessera.tiers.services import tier_facts_record
from tessera.wallet.rules import top_up_refusal
from tessera.wallet.selectors import stored_value_limits_get

# A top-up is paid with money from outside the programme, never with stored value itself.
TOP_UP_TENDERS = frozenset(Tender.Kind.values) - {Tender.Kind.STORED_VALUE, Tender.Kind.POINTS}


def top_up_commit(*, actor: Actor, top_up: TopUpIn, request_key: str, now: datetime) -> Outcome:
    """Add stored value to a member's wallet.

    :raises AmountInvalid: the amount is not between 1 and the maximum.
    :raises StoredValueNotAccepted: the programme keeps stored value in another currency.
    :raises BalanceCeilingExceeded: the wallet would exceed its cap.
    :raises TopUpAboveBalanceCap: principal and bonus would take the card above its profile's cap.
    :raises TopUpAboveSingleMaximum: the amount is above the profile's maximum single top-up.
    """
    currency_check(given=top_up.currency, actor=actor)
    if not 1 <= top_up.amount_minor <= AMOUNT_MINOR_MAX:
        raise AmountInvalid(max=AMOUNT_MINOR_MAX)
    if top_up.tender_kind not in TOP_UP_TENDERS:
        reason = _("a top-up cannot be paid by %(kind)s") % {"kind": top_up.tender_kind}
        raise LineInvalid(line_no="-", reason=reason)
    request = Request(actor=actor, kind="top_up", pos_number=top_up.pos_number, event_at=top_up.event_at,
                      request_key=request_key, body=top_up.canonical(), now=now)  # fmt: skip

    def find(looked: Member | None) -> tuple[Member, TopUpIn]:
        member = member_found_check(looked)
        member_card_require_valid(member=member, at=top_up.event_at)
        if member.program.currency != top_up.currency:
            raise StoredValueNotAccepted(currency=member.program.currency, given=top_up.currency)
        return member, top_up

    lookup = member_lookup_read(actor=actor, reference=top_up.member)
    return pos_write(request, find=find, write=_top_up_write, lookup=lookup)


def _top_up_write(w: Write, top_up: TopUpIn) -> dict[str, Any]:
    program, cur, amount = w.program, w.program.currency, top_up.amount_minor
    bonus = top_up_bonus(amount, top_up_bands(program_id=program.id))
    # The balances are the locked ones (pos_write locked the member's accounts), so two tills topping up the same
    # card at once are checked one after the other and neither can take it over the cap. Every member is enrolled
    # with a phone and a name, so every card is named (ADR 0015).
    balance = (w.accounts.sv_principal.balance or 0) + (w.accounts.sv_bonus.balance or 0)
    refusal = top_up_refusal(limits=stored_value_limits_get(program_id=program.id), named=True,
                             balance_minor=balance, amount_minor=amount, bonus_minor=bonus, currency=cur)  # fmt: skip
    if refusal is not None:
        raise refusal

    def store(kind: AccountKind) -> int:
        return store_account_id(program_id=program.id, store_id=w.request.actor.store_id, kind=kind, unit=cur)

    legs = [Leg(w.accounts.sv_principal.id, cur, amount), Leg(store(AccountKind.STORE_SV_PRINCIPAL_IN), cur, -amount)]
    if bonus:
        legs += [Leg(w.accounts.sv_bonus.id, cur, bonus), Leg(store(AccountKind.STORE_SV_BONUS_IN), cur, -bonus)]
    posting = w.post(legs, details={"bonus": {"rule": "top_up_band", "bonus_minor": bonus}})
    # Stored value put in can set the tier (seed 000's salon ladder); the bonus is a gift, not money put in.
    change = tier_facts_record(member_id=w.member.id, program=program, stored_value_minor=amount,
                               event_at=top_up.event_at, now=w.request.now)  # fmt: skip
    receipt = w.receipt(posting, cur, amount_minor=amount, bonus_minor=bonus, tier_change=tier_change_body(change))
    document_id = w.record(posting, receipt, currency=cur, total_minor=amount, sv_principal_minor=amount,
                        sv_bonus_minor=bonus)  # fmt: skip
    sql_insert(Tender._meta.db_table, TENDER_COLUMNS, [(document_id, top_up.tender_kind, amount, "")])
    member_stats_top_up(member_id=w.member.id, amount_minor=amount)
    w.audit("wallet.top_up", amount_minor=amount)
    return receipt
