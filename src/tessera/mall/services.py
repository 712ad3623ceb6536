"""Mall writes: place an order, move it along, cancel it. Each is one transaction.

Lock order, always: the member's ledger accounts (ascending id), then the item row, then (by its UPDATE) the
store's stock row. Placing and cancelling take them in that order, and restocking takes the item before the store
row, so two writes on the same member and item queue instead of deadlocking.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F

from tessera.audit.services import audit_record
from tessera.coupons.models import Coupon
from tessera.coupons.services import IssueSource, coupon_issue, coupon_void
from tessera.idempotency.services import idempotency_claim, idempotency_complete
from tessera.kit.actor import Actor
from tessera.kit.db import assert_in_transaction, use_case
from tessera.kit.fingerprint import fingerprint
from tessera.ledger.models import POINTS, AccountKind, Entry, Posting
from tessera.ledger.rules import Leg, legs_by_origin
from tessera.ledger.services import PostingHeader, member_accounts_lock, posting_write, store_account_id
from tessera.mall.errors import (
    MallCouponAlreadyUsed,
    MallItemNotFound,
    MallItemNotOrderable,
    MallOrderNotFound,
    MallOutOfStock,
    MallOutOfStockAtStore,
    MallQuantityInvalid,
    MallStockInvalid,
    MallStockPoolInUse,
    MallStoreNotServing,
    MallTierNotAllowed,
    MallTransitionRefused,
)
from tessera.mall.models import MallItem, MallOrder, MallOrderEvent, MallStoreStock
from tessera.mall.rules import QUANTITY_MAX, transition_allowed
from tessera.mall.selectors import mall_store_serves
from tessera.members.models import Member
from tessera.points.selectors import points_redeem_only
from tessera.points.services import lot_add, lots_consume
from tessera.programs.models import ProgramMerchant
from tessera.tiers.selectors import tier_benefits_get

State = MallOrder.State


def mall_order_place(
    *, actor: Actor, member: Member, item_id: str, quantity: int, request_key: str, now: datetime
) -> dict[str, Any]:
    """Order ``quantity`` of an item for ``member``: points debited, stock taken, coupons issued; idempotent.

    :raises MallQuantityInvalid: quantity is not 1..QUANTITY_MAX.
    :raises MallItemNotFound: no such item in a programme this store serves and the member belongs to.
    :raises MallItemNotOrderable: the item is switched off or outside its dates.
    :raises MallTierNotAllowed: the member's tier may not order it.
    :raises MallOutOfStock: fewer units left than ordered (checked under the lock): in the item's pool, or at this
        store (``MallOutOfStockAtStore``, the same code) when the item keeps stock per store.
    :raises InsufficientBalance: the member holds fewer points (checked under the lock).
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= QUANTITY_MAX:
        raise MallQuantityInvalid(max=QUANTITY_MAX)
    body = {"member": member.public_id, "item": item_id, "quantity": quantity}
    with use_case():
        claim = idempotency_claim(store_id=actor.store_id, key=request_key, operation="mall.order",
                                  fingerprint=fingerprint(operation="mall.order", body=body), now=now)  # fmt: skip
        if claim.replay is not None:
            return claim.replay
        item = _item_visible(actor=actor, member=member, item_id=item_id)
        _item_check_orderable(item=item, member=member, now=now)
        accounts = member_accounts_lock(member_id=member.id)
        item = MallItem.objects.select_for_update().get(id=item.id)  # after the accounts: the fixed lock order
        order = _order_write(actor=actor, member=member, item=item, quantity=quantity, accounts=accounts,
                             request_key=request_key, now=now)  # fmt: skip
        answer = mall_order_answer(order)
        idempotency_complete(claim=claim, response=answer)
        return answer


def _order_write(*, actor: Actor, member: Member, item: MallItem, quantity: int, accounts: Any,
                 request_key: str, now: datetime) -> MallOrder:  # fmt: skip
    assert_in_transaction()
    points = item.points_price * quantity
    store_stock = _stock_take(item=item, store_id=actor.store_id, quantity=quantity)
    order = MallOrder(program_id=item.program_id, item=item, member=member, store_id=actor.store_id,
                      store_stock=store_stock, quantity=quantity, points=points, cash_minor=item.cash_minor * quantity,
                      currency=member.program.currency, ordered_at=now)  # fmt: skip
    only = points_redeem_only(member.program, actor.merchant_id)
    spent = lots_consume(member_id=member.id, points=points, now=now, only=only)
    redeemed = store_account_id(program_id=item.program_id, store_id=actor.store_id,
                                kind=AccountKind.STORE_POINTS_REDEEMED, unit=POINTS)  # fmt: skip
    header = PostingHeader(program_id=item.program_id, reason="mall_order", request_key=request_key,
                           source_type="mall_order", source_id=order.public_id, actor=actor, event_at=now, now=now,
                           details={"item": item.public_id, "quantity": quantity})  # fmt: skip
    legs = [Leg(accounts.points.id, POINTS, -points),
            *legs_by_origin(redeemed, POINTS, spent, home_store_id=actor.store_id)]  # fmt: skip
    ref = posting_write(header=header, legs=legs, locked=accounts.by_id())
    assert ref is not None
    order.posting = Posting.objects.get(public_id=ref.public_id)
    if item.kind == MallItem.Kind.COUPON:
        assert item.coupon_template is not None
        coupons = coupon_issue(template=item.coupon_template, member=member, actor=actor, count=quantity,
                               source=IssueSource("mall", order.public_id), now=now)  # fmt: skip
        order.coupon_ids = [c.public_id for c in coupons]
    order.save()
    _event(order, State.ORDERED, actor, now)
    return order


def _stock_take(*, item: MallItem, store_id: int, quantity: int) -> MallStoreStock | None:
    """Take the units from the ordering store's row if the item keeps stock per store, else from its pool."""
    assert_in_transaction()
    # The conditional UPDATEs are the stock guard: they never take stock below zero, whatever raced before. The
    # caller holds the item's lock, so no restock can turn the item into a per-store one half-way through.
    here = MallStoreStock.objects.filter(item_id=item.id, store_id=store_id).first()
    if here is None and not MallStoreStock.objects.filter(item_id=item.id).exists():
        if MallItem.objects.filter(id=item.id, stock__gte=quantity).update(stock=F("stock") - quantity) != 1:
            raise MallOutOfStock(stock=item.stock)
        return None
    if here is None:  # a per-store item this store was never given
        raise MallOutOfStockAtStore(stock=0)
    if MallStoreStock.objects.filter(id=here.id, stock__gte=quantity).update(stock=F("stock") - quantity) != 1:
        raise MallOutOfStockAtStore(stock=here.stock)
    return here


def _stock_return(order: MallOrder) -> None:
    # Back to where the units came from, whichever store cancels: the store row the order names, else the pool.
    assert_in_transaction()
    if order.store_stock_id is not None:
        MallStoreStock.objects.filter(id=order.store_stock_id).update(stock=F("stock") + order.quantity)
    else:
        MallItem.objects.filter(id=order.item_id).update(stock=F("stock") + order.quantity)


def mall_store_stock_add(*, actor: Actor, item_id: int, store_id: int, units: int, now: datetime) -> MallStoreStock:
    """Put ``units`` into one store's stock of an item, or take them away when negative; stock_given moves too.

    The first row for an item makes it a per-store item: from then on it is sold only from store rows. Runs in
    the caller's transaction, not its own: the caller is the admin's change form, which Django wraps in one
    transaction with the item's own save, and a durable use case cannot open inside it. The UPDATE is relative,
    so units that orders take while staff fill in the form are never lost or counted twice.

    :raises MallStockInvalid: ``units`` is not a whole number, or would take the store's stock below zero.
    :raises MallStockPoolInUse: the item still has units in its programme-wide pool.
    :raises MallStoreNotServing: the store's merchant does not serve the item's programme.
    """
    assert_in_transaction()
    if isinstance(units, bool) or not isinstance(units, int):
        raise MallStockInvalid()
    item = MallItem.objects.select_for_update().get(id=item_id)  # before the store row: the lock order of orders
    if item.stock > 0:
        raise MallStockPoolInUse(stock=item.stock)
    if not mall_store_serves(store_id=store_id, program_id=item.program_id):
        raise MallStoreNotServing()
    row = MallStoreStock.objects.filter(item_id=item.id, store_id=store_id).first()
    if row is None and units < 0:
        raise MallStockInvalid()
    row = row or MallStoreStock.objects.create(item_id=item.id, store_id=store_id)
    changed = MallStoreStock.objects.filter(id=row.id, stock__gte=-units).update(
        stock=F("stock") + units, stock_given=F("stock_given") + units
    )
    if changed != 1:  # taking away more than is left, with the row as it stands now, not as the form saw it
        raise MallStockInvalid()
    audit_record(actor=actor, action="mall.stock_add", object_type="mall_item", object_id=item.public_id, now=now,
                 details={"store_id": store_id, "units": units})  # fmt: skip
    row.refresh_from_db()
    return row


def mall_order_advance(*, actor: Actor, order_id: str, target: str, now: datetime) -> dict[str, Any]:
    """Move an order to ready for pickup, picked up or shipped.

    :raises MallOrderNotFound: no such order at a store of this merchant's programme.
    :raises MallTransitionRefused: the order cannot move from its state to ``target``.
    """
    with use_case():
        order = _order_locked(actor=actor, order_id=order_id)
        if target == State.CANCELLED or not transition_allowed(order.state, target):
            raise MallTransitionRefused(state=order.state, target=target)
        order.state = target
        order.save(update_fields=["state"])
        _event(order, target, actor, now)
        return mall_order_answer(order)


def mall_order_cancel(*, actor: Actor, order_id: str, request_key: str, now: datetime) -> dict[str, Any]:
    """Cancel an order not yet handed over: points back (a reversing posting, and a lot), stock back, coupons void.

    The points come back as one lot earned at the order's time, so they expire as a lot earned then would.

    :raises MallOrderNotFound: no such order at a store of this merchant's programme.
    :raises MallTransitionRefused: the order was picked up, shipped or cancelled already.
    :raises MallCouponAlreadyUsed: a coupon the order issued is held, redeemed or gone.
    """
    with use_case():
        claim = idempotency_claim(store_id=actor.store_id, key=request_key, operation="mall.cancel",
                                  fingerprint=fingerprint(operation="mall.cancel", body={"order": order_id}),
                                  now=now)  # fmt: skip
        if claim.replay is not None:
            return claim.replay
        order = _order_locked(actor=actor, order_id=order_id)
        if not transition_allowed(order.state, State.CANCELLED):
            raise MallTransitionRefused(state=order.state, target=State.CANCELLED)
        accounts = member_accounts_lock(member_id=order.member_id)
        MallItem.objects.select_for_update().get(id=order.item_id)  # after the accounts, before the stock
        for coupon in Coupon.objects.filter(public_id__in=order.coupon_ids).order_by("id"):
            if not coupon_void(coupon_id=coupon.id, actor=actor, now=now, document=order.public_id):
                raise MallCouponAlreadyUsed()
        _stock_return(order)
        redeemed = store_account_id(program_id=order.program_id, store_id=order.store_id,
                                    kind=AccountKind.STORE_POINTS_REDEEMED, unit=POINTS)  # fmt: skip
        header = PostingHeader(program_id=order.program_id, reason="mall_cancel", request_key=request_key,
                               source_type="mall_order", source_id=order.public_id, actor=actor, event_at=now,
                               now=now, reverses_id=order.posting_id)  # fmt: skip
        # The points go back to the stores that issued them, as the order's entries name them.
        origins = _order_origins(order, redeemed)
        legs = [Leg(accounts.points.id, POINTS, order.points),
                *legs_by_origin(redeemed, POINTS, origins, home_store_id=order.store_id, sign=-1)]  # fmt: skip
        ref = posting_write(header=header, legs=legs, locked=accounts.by_id())
        assert ref is not None
        for origin, points in origins:
            lot_add(program=order.member.program, member_id=order.member_id, store_id=origin, points=points,
                    source_type="mall_cancel", source_id=order.public_id, earned_at=order.ordered_at,
                    now=now)  # fmt: skip
        order.reversal = Posting.objects.get(public_id=ref.public_id)
        order.state = State.CANCELLED
        order.save(update_fields=["reversal", "state"])
        _event(order, State.CANCELLED, actor, now)
        answer = mall_order_answer(order)
        idempotency_complete(claim=claim, response=answer)
        return answer


def _order_origins(order: MallOrder, redeemed_account_id: int) -> list[tuple[int, int]]:
    """The points the order redeemed per issuing store (the ordering store for its own), first taken first."""
    rows = Entry.objects.filter(posting_id=order.posting_id, account_id=redeemed_account_id).order_by("id")
    origins: dict[int, int] = {}
    for origin, amount in rows.values_list("origin_store_id", "amount"):
        store = origin or order.store_id
        origins[store] = origins.get(store, 0) + int(amount)
    assert sum(origins.values()) == order.points, "the order's entries do not add up to its points"
    return list(origins.items())


def mall_order_answer(order: MallOrder) -> dict[str, Any]:
    return {
        "order_id": order.public_id, "item_id": order.item.public_id, "member_id": order.member.public_id,
        "quantity": order.quantity, "points": order.points, "cash_minor": order.cash_minor,
        "currency": order.currency, "state": order.state, "posting_id": order.posting.public_id,
        "reversal_id": order.reversal.public_id if order.reversal else None, "coupon_ids": order.coupon_ids,
    }  # fmt: skip


def _item_visible(*, actor: Actor, member: Member, item_id: str) -> MallItem:
    item = MallItem.objects.select_related("coupon_template").filter(public_id=item_id).first()
    if item is None or item.program_id != member.program_id or not _serves(actor, item.program_id):
        raise MallItemNotFound()
    return item


def _serves(actor: Actor, program_id: int) -> bool:
    return ProgramMerchant.objects.filter(program_id=program_id, merchant_id=actor.merchant_id).exists()


def _item_check_orderable(*, item: MallItem, member: Member, now: datetime) -> None:
    if (
        not item.is_active
        or (item.active_from and now < item.active_from)
        or (item.active_until and now >= item.active_until)
    ):
        raise MallItemNotOrderable()
    if item.tier_codes:
        benefits = tier_benefits_get(member_id=member.id, program=member.program, language="en")
        if benefits is None or benefits.tier_code not in item.tier_codes:
            raise MallTierNotAllowed()


def _order_locked(*, actor: Actor, order_id: str) -> MallOrder:
    found = (
        MallOrder.objects.select_related("item", "member__program", "posting", "reversal")
        .select_for_update(of=("self",))
        .filter(public_id=order_id)
        .first()
    )
    if found is None or not _serves(actor, found.program_id):
        raise MallOrderNotFound()
    return found


def _event(order: MallOrder, state: str, actor: Actor, now: datetime) -> None:
    MallOrderEvent.objects.create(order=order, state=state, store_id=actor.store_id, staff_id=actor.staff_id,
                                  terminal_id=actor.terminal_id, at=now)  # fmt: skip
