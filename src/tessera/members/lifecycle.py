"""The membership card's life (seed 002): join on one large enough purchase, a card valid for N months, renewal.

Dates are programme-local calendar dates. A card enrolled on 1 March 2026 with a 24-month validity is valid
through 29 February 2028: the day before the same date N months later. When that date does not exist (enrolled
on 31 January, one month), the card runs to the end of the shorter month instead of losing days.

Renewal keeps every point: points live on the ledger and nothing here touches them. The renewal fee is taken at
the till like any payment for a service; Tessera records it in the audit trail (amount and currency), not as a
ledger posting or POS document, because no stored value or points move.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from tessera.audit.services import audit_record
from tessera.idempotency.services import idempotency_claim, idempotency_complete
from tessera.kit.actor import Actor
from tessera.kit.db import use_case
from tessera.kit.errors import Conflict
from tessera.kit.fingerprint import fingerprint
from tessera.kit.money import amount_text
from tessera.kit.outcome import Outcome
from tessera.members.errors import MemberNotActive
from tessera.members.models import Member
from tessera.programs.models import Program

# How long before expiry a card may be renewed. A programme setting could replace it; until then it is fixed.
RENEWAL_WINDOW_DAYS = 30


class CardExpired(Conflict):
    code = "card_expired"
    message = _("This membership card expired on %(valid_until)s. Renew it to earn or spend.")


class CardNeverExpires(Conflict):
    code = "card_never_expires"
    message = _("This membership card does not expire, so there is nothing to renew.")


class CardRenewalTooEarly(Conflict):
    code = "card_renewal_too_early"
    message = _("This card is valid until %(valid_until)s; it can be renewed from %(renewable_from)s.")


class JoinPurchaseTooSmall(Conflict):
    code = "join_purchase_too_small"
    message = _("Joining needs a single purchase of at least %(threshold_text)s; this one is %(amount_text)s.")


def program_local_date(program: Program, at: datetime) -> date:
    return at.astimezone(ZoneInfo(program.timezone)).date()


def card_valid_until_from(start: date, months: int | None) -> date | None:
    """The last valid day of a card first valid on ``start`` for ``months`` months; None when it never expires."""
    if months is None:
        return None
    index = start.year * 12 + start.month - 1 + months
    year, month = index // 12, index % 12 + 1
    last_day = monthrange(year, month)[1]
    if start.day > last_day:
        return date(year, month, last_day)
    return date(year, month, start.day) - timedelta(days=1)


def member_card_valid(member: Member, local_date: date) -> bool:
    """Whether the card is valid on the programme-local ``local_date`` (its last day included)."""
    return member.card_valid_until is None or local_date <= member.card_valid_until


def member_card_require_valid(*, member: Member, at: datetime) -> None:
    """Refuse a card that had expired at the instant ``at`` (for the till: pass the sale's ``event_at``).

    :raises CardExpired: the card's last valid day is before ``at``'s date in the programme's time zone.
    """
    if not member_card_valid(member, program_local_date(member.program, at)):
        raise CardExpired(valid_until=member.card_valid_until.isoformat() if member.card_valid_until else "")


def join_threshold_check(program: Program, purchase_minor: int) -> None:
    """Refuse a first purchase below the programme's joining threshold (no threshold: anything joins).

    :raises JoinPurchaseTooSmall: ``purchase_minor`` is below ``program.join_min_purchase_minor``.
    """
    threshold = program.join_min_purchase_minor
    if threshold is not None and purchase_minor < threshold:
        raise JoinPurchaseTooSmall(
            threshold_minor=threshold, amount_minor=purchase_minor, currency=program.currency,
            threshold_text=amount_text(threshold, program.currency),
            amount_text=amount_text(purchase_minor, program.currency),
        )  # fmt: skip


def member_card_renew(*, member: Member, actor: Actor, now: datetime, request_key: str | None = None) -> Outcome:
    """Renew the card for another ``card_validity_months`` and record the renewal fee. Idempotent with a key.

    The new validity runs from the later of today and the day after the old expiry, so renewing early loses
    no days and renewing late does not backdate the card. Points are kept.

    :raises CardNeverExpires: the programme has no card validity, or this card has no expiry.
    :raises CardRenewalTooEarly: the card is valid for more than ``RENEWAL_WINDOW_DAYS`` more days.
    :raises MemberNotActive: the membership is closed.
    :raises IdempotencyKeyReused: the key was used for another request.
    """
    fp = fingerprint(operation="member.card_renew", body={"member": member.public_id})
    with use_case():
        if request_key is not None:
            claim = idempotency_claim(
                store_id=actor.store_id, key=request_key, operation="member.card_renew", fingerprint=fp, now=now
            )
            if claim.replay is not None:
                return Outcome(claim.replay, replayed=True)
        locked = Member.objects.select_for_update().select_related("program").get(id=member.id)
        body = _renew(locked, actor=actor, now=now, request_key=request_key or "")
        if request_key is not None:
            idempotency_complete(claim=claim, response=body)
    return Outcome(body)


def _renew(member: Member, *, actor: Actor, now: datetime, request_key: str) -> dict[str, Any]:
    program, old = member.program, member.card_valid_until
    if member.status == Member.Status.CLOSED:
        raise MemberNotActive(status=Member.Status.CLOSED.label)
    if program.card_validity_months is None or old is None:
        raise CardNeverExpires()
    today = program_local_date(program, now)
    renewable_from = old - timedelta(days=RENEWAL_WINDOW_DAYS)
    if today < renewable_from:
        raise CardRenewalTooEarly(valid_until=old.isoformat(), renewable_from=renewable_from.isoformat())
    new = card_valid_until_from(max(today, old + timedelta(days=1)), program.card_validity_months)
    assert new is not None
    member.card_valid_until = new
    member.save(update_fields=["card_valid_until", "updated_at"])
    dates = {"previous_valid_until": old.isoformat(), "card_valid_until": new.isoformat()}
    fee = {"fee_minor": program.card_renewal_fee_minor, "currency": program.currency}
    audit_record(
        actor=actor, action="member.card_renew", object_type="member", object_id=member.public_id, now=now,
        request_key=request_key, details={**dates, **fee},
    )  # fmt: skip
    return {"member_id": member.public_id, **dates, **fee}
