"""Who may do what, where: one permission matrix for console, admin and API.

Pure functions over plain values, so the matrix is tested without a database and checked against the docs.

Two questions decide every request: does the role allow the action (``PERMISSIONS``), and is the target in the
staff member's scope? A target is a store (almost everything), a whole merchant (merchant-level settlement) or
an alliance (alliance statements). How far a role's scope reaches is ``REACH``: the stores assigned to the staff
member, every store of their merchant, or their alliance.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CASHIER = "cashier"  # shop guide or cashier
    CUSTOMER_SERVICE = "customer_service"
    STORE_MANAGER = "store_manager"
    HQ_ADMIN = "hq_admin"  # the operations centre (headquarters); the stored value predates the new name
    ALLIANCE_ADMIN = "alliance_admin"
    AUDITOR = "auditor"


class Action(StrEnum):
    MEMBER_VIEW = "member.view"
    MEMBER_ENROLL = "member.enroll"
    MEMBER_UPDATE = "member.update"
    MEMBER_STATUS = "member.status"
    MEMBER_CLOSE = "member.close"
    MEMBER_REVEAL = "member.reveal"
    MEMBER_CARD_CODE = "member.card_code"
    SALE = "checkout.sale"
    RETURN = "checkout.return"
    TOP_UP = "wallet.top_up"
    TOP_UP_REFUND = "wallet.top_up_refund"
    POINTS_REDEEM = "points.redeem"
    STORE_REPORT = "store.report"
    TERMINAL_MANAGE = "store.terminals"
    PROGRAM_CONFIGURE = "program.configure"
    REPORT_VIEW = "report.view"
    SETTLEMENT_VIEW = "settlement.view"
    SETTLEMENT_CLOSE = "settlement.close"
    SETTLEMENT_ADJUST = "settlement.adjust"
    SEGMENT_MANAGE = "segment.manage"
    SEGMENT_EXPORT = "segment.export"


class Reach(StrEnum):
    STORES = "stores"  # the stores assigned to the staff member (StaffUser.stores), within their merchant
    MERCHANT = "merchant"  # every store of their merchant, and the merchant itself
    ALLIANCE = "alliance"  # their alliance only: alliance-level reads, never a store


REACH: dict[Role, Reach] = {
    Role.CASHIER: Reach.STORES,
    Role.STORE_MANAGER: Reach.STORES,
    Role.CUSTOMER_SERVICE: Reach.MERCHANT,
    Role.HQ_ADMIN: Reach.MERCHANT,
    Role.AUDITOR: Reach.MERCHANT,
    Role.ALLIANCE_ADMIN: Reach.ALLIANCE,
}

_TILL = frozenset({Action.SALE, Action.RETURN, Action.TOP_UP, Action.TOP_UP_REFUND, Action.POINTS_REDEEM})
_CASHIER = _TILL | {Action.MEMBER_VIEW, Action.MEMBER_ENROLL, Action.MEMBER_UPDATE}
# Customer service looks after the member, never the till: no sales, returns, top-ups or redemptions.
_CUSTOMER_SERVICE = frozenset(
    {
        Action.MEMBER_VIEW,
        Action.MEMBER_UPDATE,
        Action.MEMBER_STATUS,
        Action.MEMBER_REVEAL,
        Action.MEMBER_CARD_CODE,
    }
)
_MANAGER = (
    _CASHIER
    | _CUSTOMER_SERVICE
    | {Action.MEMBER_CLOSE, Action.STORE_REPORT, Action.TERMINAL_MANAGE, Action.REPORT_VIEW, Action.SETTLEMENT_VIEW}
)
# Only the operations centre shapes the programme and closes or corrects a settlement period.
# Segments and their exports reach every member of the programme, so they are the operations centre's alone.
_HQ = _MANAGER | {
    Action.PROGRAM_CONFIGURE,
    Action.SETTLEMENT_CLOSE,
    Action.SETTLEMENT_ADJUST,
    Action.SEGMENT_MANAGE,
    Action.SEGMENT_EXPORT,
}
# Auditors read: never a write, and personal data stays masked (no member.reveal).
_AUDITOR = frozenset({Action.MEMBER_VIEW, Action.STORE_REPORT, Action.REPORT_VIEW, Action.SETTLEMENT_VIEW})
# Alliance-level reads only, until the alliance and its settlement exist (docs/permissions.md).
_ALLIANCE_ADMIN = frozenset({Action.REPORT_VIEW, Action.SETTLEMENT_VIEW})

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CASHIER: _CASHIER,
    Role.CUSTOMER_SERVICE: _CUSTOMER_SERVICE,
    Role.STORE_MANAGER: _MANAGER,
    Role.HQ_ADMIN: _HQ,
    Role.ALLIANCE_ADMIN: _ALLIANCE_ADMIN,
    Role.AUDITOR: _AUDITOR,
}

# A POS terminal acts for its own store only, and only at the till.
TERMINAL_ACTIONS = _CASHIER

# Who may sign in to the Django admin besides platform administrators; the admin shows them their merchant only.
ADMIN_ROLES = frozenset({Role.HQ_ADMIN})


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a staff member may act: their merchant, their stores, and for an alliance admin their alliance.

    ``alliance_id`` stays None until alliances exist; an alliance admin without one is in scope nowhere.
    """

    role: Role
    merchant_id: int | None
    store_ids: frozenset[int]
    is_platform_admin: bool = False
    alliance_id: int | None = None


def role_allows(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]


def may_use_admin(role: Role, *, is_platform_admin: bool) -> bool:
    return is_platform_admin or role in ADMIN_ROLES


def scope_covers_store(scope: Scope, *, store_id: int, store_merchant_id: int) -> bool:
    """A store is in scope for merchant-wide roles of its merchant, or for staff assigned to that very store."""
    if scope.is_platform_admin:
        return True
    reach = REACH[scope.role]
    if reach is Reach.ALLIANCE or scope.merchant_id != store_merchant_id:
        return False
    return reach is Reach.MERCHANT or store_id in scope.store_ids


def scope_covers_merchant(scope: Scope, *, merchant_id: int) -> bool:
    """The merchant as a whole (its settlement, its reports) is in scope only for its merchant-wide roles."""
    if scope.is_platform_admin:
        return True
    return REACH[scope.role] is Reach.MERCHANT and scope.merchant_id == merchant_id


def scope_covers_alliance(scope: Scope, *, alliance_id: int) -> bool:
    if scope.is_platform_admin:
        return True
    return REACH[scope.role] is Reach.ALLIANCE and scope.alliance_id == alliance_id


def scope_allows(scope: Scope, action: Action, *, store_id: int, store_merchant_id: int) -> bool:
    """Whether the staff member may do ``action`` at that store (the question every console page asks)."""
    if scope.is_platform_admin:
        return True
    return role_allows(scope.role, action) and scope_covers_store(
        scope, store_id=store_id, store_merchant_id=store_merchant_id
    )


def scope_allows_merchant(scope: Scope, action: Action, *, merchant_id: int) -> bool:
    """Whether the staff member may do ``action`` for the whole merchant (close its settlement period)."""
    if scope.is_platform_admin:
        return True
    return role_allows(scope.role, action) and scope_covers_merchant(scope, merchant_id=merchant_id)


def scope_allows_alliance(scope: Scope, action: Action, *, alliance_id: int) -> bool:
    """Whether the staff member may do ``action`` for the alliance (read its statements)."""
    if scope.is_platform_admin:
        return True
    return role_allows(scope.role, action) and scope_covers_alliance(scope, alliance_id=alliance_id)


TOKEN_PREFIX = "tst_"  # noqa: S105 - the visible prefix of staff API tokens, not a secret


def token_digest(secret: str) -> str:
    # Tokens carry 256 bits of entropy: a plain SHA-256 leaves nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()
