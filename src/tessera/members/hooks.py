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
