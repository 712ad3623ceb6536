"""Who may do what, where: one permission matrix for console, admin and API.

Pure functions over plain values, so the matrix is tested without a database and printed into the docs.
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
    SALE = "checkout.sale"
    RETURN = "checkout.return"
    TOP_UP = "wallet.top_up"
    TOP_UP_REFUND = "wallet.top_up_refund"
    POINTS_REDEEM = "points.redeem"
    STORE_REPORT = "store.report"
    TERMINAL_MANAGE = "store.terminals"
    PROGRAM_CONFIGURE = "program.configure"


_CASHIER = frozenset(
    {
        Action.MEMBER_VIEW,
        Action.MEMBER_ENROLL,
        Action.MEMBER_UPDATE,
        Action.SALE,
        Action.RETURN,
        Action.TOP_UP,
        Action.TOP_UP_REFUND,
        Action.POINTS_REDEEM,
    }
)
_MANAGER = _CASHIER | {Action.MEMBER_STATUS, Action.STORE_REPORT, Action.TERMINAL_MANAGE}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CASHIER: _CASHIER,
    Role.STORE_MANAGER: frozenset(_MANAGER),
    # Only headquarters shapes the programme: tiers, earning rules, expiry, templates.
    Role.HQ_ADMIN: frozenset(_MANAGER | {Action.PROGRAM_CONFIGURE}),
    # Nothing yet: their actions and scopes come with the matrix that gives each role its reach.
    Role.CUSTOMER_SERVICE: frozenset(),
    Role.ALLIANCE_ADMIN: frozenset(),
    Role.AUDITOR: frozenset(),
}

# A POS terminal acts for its own store only, and only at the till.
TERMINAL_ACTIONS = frozenset(_CASHIER)


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a staff member may act: their merchant and, below headquarters, a set of stores."""

    role: Role
    merchant_id: int | None
    store_ids: frozenset[int]
    is_platform_admin: bool = False


def role_allows(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]


def scope_covers_store(scope: Scope, *, store_id: int, store_merchant_id: int) -> bool:
    """A store is in scope for HQ of its merchant, or for staff assigned to that very store."""
    if scope.is_platform_admin:
        return True
    if scope.merchant_id != store_merchant_id:
        return False
    return scope.role is Role.HQ_ADMIN or store_id in scope.store_ids


def scope_allows(scope: Scope, action: Action, *, store_id: int, store_merchant_id: int) -> bool:
    if scope.is_platform_admin:
        return True
    return role_allows(scope.role, action) and scope_covers_store(
        scope, store_id=store_id, store_merchant_id=store_merchant_id
    )


TOKEN_PREFIX = "tst_"  # noqa: S105 - the visible prefix of staff API tokens, not a secret


def token_digest(secret: str) -> str:
    # Tokens carry 256 bits of entropy: a plain SHA-256 leaves nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()
