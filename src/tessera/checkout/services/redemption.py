"""Points redemptions at the till: a gift or service paid for in points. Idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tessera.checkout.commands import RedemptionIn
from tessera.checkout.errors import AmountInvalid
from tessera.checkout.services.common import member_found_check, member_lookup_read
from tessera.checkout.services.flow import Request, Write, pos_write
from tessera.kit.actor import Actor
from tessera.kit.outcome import Outcome
from tessera.ledger.models import POINTS, AccountKind
from tessera.ledger.rules import Leg, legs_by_origin
from tessera.ledger.services import store_account_id
from tessera.members.lifecycle import member_card_require_valid
from tessera.members.models import Member
from tessera.points.selectors import points_redeem_only
from tessera.points.services import lots_consume

POINTS_MAX = 10**9


def points_redeem(*, actor: Actor, redemption: RedemptionIn, request_key: str, now: datetime) -> Outcome:
    """Take points from a member for a gift or service.

    :raises InsufficientBalance: the member holds fewer points (checked under the lock).
    """
    if not 1 <= redemption.points <= POINTS_MAX:
        raise AmountInvalid(max=POINTS_MAX)
    request = Request(actor=actor, kind="redemption", pos_number=redemption.pos_number,
                      event_at=redemption.event_at, request_key=request_key, body=redemption.canonical(),
                      now=now)  # fmt: skip

    def find(looked: Member | None) -> tuple[Member, RedemptionIn]:
        member = member_found_check(looked)
        member_card_require_valid(member=member, at=redemption.event_at)
        return member, redemption

    lookup = member_lookup_read(actor=actor, reference=redemption.member)
    return pos_write(request, find=find, write=_redemption_write, lookup=lookup)


def _redemption_write(w: Write, redemption: RedemptionIn) -> dict[str, Any]:
    program = w.program
    redeemed = store_account_id(program_id=program.id, store_id=w.request.actor.store_id,
                                kind=AccountKind.STORE_POINTS_REDEEMED, unit=POINTS)  # fmt: skip
    # Lots first: points past their expiry are not spendable even before the nightly sweep. The redeemed points
    # name the stores that issued them (settlement).
    only = points_redeem_only(program, w.request.actor.merchant_id)
    spent = lots_consume(member_id=w.member.id, points=redemption.points, now=w.request.now, only=only)
    legs = [Leg(w.accounts.points.id, POINTS, -redemption.points),
            *legs_by_origin(redeemed, POINTS, spent, home_store_id=w.request.actor.store_id)]  # fmt: skip
    posting = w.post(legs, details={"note": redemption.reason[:200]})
    receipt = w.receipt(posting, program.currency, points=redemption.points)
    w.record(posting, receipt, currency=program.currency, total_minor=0, points=redemption.points)
    w.audit("points.redeem", points=redemption.points)
    return receipt
