"""The action each API operation needs: the declaration the generated authorisation suite holds the API to.

Console views declare theirs with ``console_view(Action.X)``. API views enforce theirs in code (``terminal_actor``
for terminals; ``program_for_staff``, which calls ``StaffAuth.require``, for staff tokens), so this table says
what each operation must enforce, and ``access/tests/test_authorisation_api.py`` asks every role at every
operation and compares. An operation missing here, or a row naming no operation, fails that suite.

Keys are the method and the path as the OpenAPI document spells them. ``None`` means any caller the
operation's authentication accepts (Tessera's own programme templates, the same for every merchant).

``API_TARGETS`` says where the action is asked for when it is not the store: a terminal's own store, or for
headquarters tools the merchant's headquarters (``Target.STORE``, every operation not listed there).
"""

from __future__ import annotations

from enum import StrEnum

from tessera.access.rules import Action


class Target(StrEnum):
    STORE = "store"  # scope_allows at the terminal's store, or at the merchant's headquarters for staff tokens
    MERCHANT = "merchant"  # scope_allows_merchant: the merchant as a whole
    STORES_IN_SCOPE = "stores_in_scope"  # the merchant's stores the caller's scope reaches, whichever they are


_MEMBER = "/api/v1/members/{member}"
_PROGRAM = "/api/v1/programs/{program_id}"
_MONTH = f"{_PROGRAM}/settlements/{{period}}"

API_ACTIONS: dict[tuple[str, str], Action | None] = {
    # POS terminals (terminal API keys): the till's actions, as the key's own store.
    ("GET", "/api/v1/members/lookup"): Action.MEMBER_VIEW,
    ("POST", "/api/v1/members"): Action.MEMBER_ENROLL,
    ("GET", "/api/v1/members/{member_id}"): Action.MEMBER_VIEW,
    ("GET", "/api/v1/members/{member_id}/history"): Action.MEMBER_VIEW,
    ("GET", "/api/v1/members/{member_ref}/progress"): Action.MEMBER_VIEW,
    ("GET", f"{_MEMBER}/coupons"): Action.SALE,
    ("GET", f"{_MEMBER}/mall"): Action.MEMBER_VIEW,
    ("POST", "/api/v1/sales/quote"): Action.SALE,
    ("POST", "/api/v1/sales"): Action.SALE,
    ("POST", "/api/v1/returns"): Action.RETURN,
    ("POST", "/api/v1/top-ups/quote"): Action.TOP_UP,
    ("POST", "/api/v1/top-ups"): Action.TOP_UP,
    ("POST", "/api/v1/top-ups/refunds"): Action.TOP_UP_REFUND,
    ("POST", "/api/v1/redemptions"): Action.POINTS_REDEEM,
    ("POST", "/api/v1/coupons/release"): Action.SALE,
    ("POST", "/api/v1/mall/orders"): Action.POINTS_REDEEM,
    ("GET", "/api/v1/mall/orders/{order}"): Action.MEMBER_VIEW,
    ("POST", "/api/v1/mall/orders/{order}/advance"): Action.POINTS_REDEEM,
    ("POST", "/api/v1/mall/orders/{order}/cancel"): Action.POINTS_REDEEM,
    # Headquarters tools (staff API tokens), for the programme's owner.
    ("GET", "/api/v1/blueprints"): None,
    ("GET", _PROGRAM): Action.PROGRAM_CONFIGURE,
    ("PATCH", _PROGRAM): Action.PROGRAM_CONFIGURE,
    ("POST", f"{_PROGRAM}/blueprints/{{code}}"): Action.PROGRAM_CONFIGURE,
    ("POST", f"{_PROGRAM}/tier-ladders"): Action.PROGRAM_CONFIGURE,
    ("POST", f"{_PROGRAM}/earning-rules"): Action.PROGRAM_CONFIGURE,
    ("POST", f"{_PROGRAM}/gift-ladders"): Action.PROGRAM_CONFIGURE,
    ("POST", f"{_PROGRAM}/coupons/issue"): Action.PROGRAM_CONFIGURE,
    ("GET", f"{_PROGRAM}/stored-value/liability"): Action.REPORT_VIEW,
    ("GET", f"{_PROGRAM}/settlements"): Action.SETTLEMENT_VIEW,
    ("GET", _MONTH): Action.SETTLEMENT_VIEW,
    ("GET", f"{_MONTH}/export"): Action.SETTLEMENT_VIEW,
    ("POST", f"{_MONTH}/close"): Action.SETTLEMENT_CLOSE,
    ("POST", f"{_PROGRAM}/settlement-adjustments"): Action.SETTLEMENT_ADJUST,
}

API_TARGETS: dict[tuple[str, str], Target] = {
    # A store manager reads their own stores' share of a month; closing and correcting are merchant-wide.
    ("GET", f"{_PROGRAM}/settlements"): Target.STORES_IN_SCOPE,
    ("GET", _MONTH): Target.STORES_IN_SCOPE,
    ("GET", f"{_MONTH}/export"): Target.STORES_IN_SCOPE,
    ("POST", f"{_MONTH}/close"): Target.MERCHANT,
    ("POST", f"{_PROGRAM}/settlement-adjustments"): Target.MERCHANT,
}


def operations_declare(
    actions: dict[tuple[str, str], Action | None], targets: dict[tuple[str, str], Target] | None = None
) -> None:
    """Declare the operations of an area above this layer (CRM, segments, analytics, the tier designer).

    Their API modules call this at import: the layers forbid this module from importing them, and a table per
    area keeps each area's declarations beside its routes. A key declared twice is a mistake, so it raises.
    """
    clash = sorted(set(actions) & set(API_ACTIONS)) + sorted(set(targets or {}) & set(API_TARGETS))
    if clash:
        raise ValueError(f"operations declared twice: {clash}")
    API_ACTIONS.update(actions)
    API_TARGETS.update(targets or {})
