"""What other areas do when a member joins, inside the enrolment's own transaction.

Members sits below the areas that react to an enrolment (coupons gives a welcome coupon, later the engagement
capability sends a welcome message), so they register here from their ``AppConfig.ready`` instead of members
importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from tessera.kit.actor import Actor

if TYPE_CHECKING:
    from tessera.members.models import Member

EnrolledHook = Callable[["Member", Actor, datetime], None]
_enrolled: dict[str, EnrolledHook] = {}


def on_enrolled(name: str, hook: EnrolledHook) -> None:
    """Run ``hook(member, actor, now)`` after every enrolment, in its transaction; registering twice replaces."""
    _enrolled[name] = hook


def enrolled_hooks_run(member: Member, actor: Actor, now: datetime) -> None:
    for _name, hook in sorted(_enrolled.items()):
        hook(member, actor, now)


# What of the member's stored value a store of one merchant may take (wallet knows: it holds the lots by store).
# Members reads balances for the till but sits below wallet, so wallet registers the answer here.
UsableHook = Callable[["Member", int], int]
_usable: dict[str, UsableHook] = {}


def on_stored_value_usable(hook: UsableHook) -> None:
    """Answer ``hook(member, merchant_id)`` with the minor units spendable at that merchant's stores."""
    _usable["wallet"] = hook


def stored_value_usable(member: Member, merchant_id: int) -> int | None:
    """The stored value spendable at ``merchant_id``'s stores, or None where no area answers."""
    hook = _usable.get("wallet")
    return None if hook is None else hook(member, merchant_id)
