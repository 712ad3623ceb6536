"""Steps every POS write shares: checking the till's clock, finding the member, spotting duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError

from tessera.checkout.errors import (
    CurrencyMismatch,
    DocumentNumberConflict,
    EventTimeInvalid,
    MemberNotActive,
    MemberNotFound,
    UnknownCurrency,
)
from tessera.checkout.models import Document
from tessera.idempotency.services import Claim, idempotency_complete
from tessera.kit.actor import Actor
from tessera.kit.db import Read, json_from_db, sql_rows
from tessera.kit.money import currency_is_known
from tessera.kit.outcome import Outcome
from tessera.members.models import Member
from tessera.members.selectors import member_get_for_merchant, member_get_for_merchant_read
from tessera.tiers.services import TierChange


def event_at_check(event_at: datetime, now: datetime) -> None:
    """Refuse a till time from the future (beyond clock skew) or older than an offline spell may last."""
    if event_at.tzinfo is None:
        raise EventTimeInvalid(event_at=event_at.isoformat())
    skew = timedelta(seconds=settings.TESSERA_EVENT_FUTURE_SKEW_SECONDS)
    oldest = timedelta(days=settings.TESSERA_EVENT_MAX_AGE_DAYS)
    if event_at > now + skew or event_at < now - oldest:
        raise EventTimeInvalid(event_at=event_at.isoformat())


def currency_check(*, given: str, actor: Actor) -> None:
    if not currency_is_known(given):
        raise UnknownCurrency(given=given)
    if given != actor.currency:
        raise CurrencyMismatch(expected=actor.currency, given=given)


def member_for_actor(*, actor: Actor, reference: str, require_active: bool = True) -> Member:
    """The member behind ``reference`` if the acting store serves their programme; one answer otherwise."""
    found = member_get_for_merchant(merchant_id=actor.merchant_id, reference=reference)
    return member_found_check(found, require_active=require_active)


def member_lookup_read(*, actor: Actor, reference: str) -> Read[Member | None] | None:
    """``member_for_actor``'s read, to send with the key's claim; check its answer with ``member_found_check``."""
    return member_get_for_merchant_read(merchant_id=actor.merchant_id, reference=reference)


def member_found_check(member: Member | None, *, require_active: bool = True) -> Member:
    if member is None:
        raise MemberNotFound()
    if require_active and member.status != Member.Status.ACTIVE:
        raise MemberNotActive(status=Member.Status(member.status).label)
    return member


def duplicate_document_read(*, actor: Actor, kind: str, pos_number: str) -> Read[tuple[str, Any] | None]:
    """The earlier document with this POS number at the acting store, as (fingerprint, receipt); None if none."""
    return Read(
        f"SELECT fingerprint, receipt FROM {Document._meta.db_table}"  # noqa: S608
        " WHERE store_id = %s AND kind = %s AND pos_number = %s",
        [actor.store_id, kind, pos_number],
        lambda rows: (rows[0][0], rows[0][1]) if rows else None,
    )


def document_receipt(public_id: str) -> dict[str, Any]:
    """The receipt a POS document was answered with: what a replay of its idempotency key answers again."""
    rows = sql_rows(f"SELECT receipt FROM {Document._meta.db_table} WHERE public_id = %s", [public_id])  # noqa: S608
    receipt: dict[str, Any] = json_from_db(rows[0][0])
    return receipt


def duplicate_document(
    earlier: tuple[str, Any] | None, *, pos_number: str, fingerprint: str, claim: Claim
) -> Outcome | None:
    """An earlier document with this POS number: its answer if the body is the same, a conflict otherwise.

    This is what keeps an offline resync that arrives with a fresh idempotency key from counting twice.
    """
    if earlier is None:
        return None
    if earlier[0] != fingerprint:
        raise DocumentNumberConflict(pos_number=pos_number)
    receipt: dict[str, Any] = json_from_db(earlier[1])
    idempotency_complete(claim=claim, response=receipt)
    return Outcome(receipt, replayed=True)


@contextmanager
def document_number_guard(pos_number: str) -> Iterator[None]:
    """Turn the unique-constraint backstop into the documented conflict.

    Two documents with one POS number but different members never share a lock, so both may pass the
    duplicate check; the second INSERT then fails, the whole transaction rolls back, and the POS is told why.
    """
    try:
        yield
    except IntegrityError as exc:
        text = str(exc)
        if "document_unique_per_store" in text or "checkout_document.store_id" in text:
            raise DocumentNumberConflict(pos_number=pos_number) from exc
        raise


def tier_change_body(change: TierChange | None) -> dict[str, Any] | None:
    """What a receipt says about a tier move this document caused (None: no move)."""
    if change is None:
        return None
    return {"from_tier": change.from_code, "to_tier": change.to_code, "reason": change.reason}
