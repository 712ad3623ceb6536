"""What the demo's plan is made of: the members it plans for and the steps that happen at a till.

``history`` draws the steps; the loader replays them through the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tessera.demo.catalogue import Item, Shopper
from tessera.demo.markets import Market, Reward
from tessera.members.services import Profile


@dataclass(frozen=True, slots=True)
class MemberPlan:
    market: Market
    index: int
    profile: Profile
    shopper: Shopper
    home: str


@dataclass(slots=True)
class Step:
    """One thing that happens at a till. ``recorded_at`` is when Tessera hears of it (later if the POS was offline)."""

    at: datetime
    recorded_at: datetime
    member: MemberPlan
    store: str
    staffed: bool  # rung up by a cashier in the console rather than by the store's POS terminal
    pos_number: str = ""
    request_key: str = ""


@dataclass(slots=True)
class Enrol(Step):
    pass


@dataclass(slots=True)
class Sale(Step):
    items: tuple[Item, ...] = ()
    discount_percent: int = 0
    tender: str = "cash"
    reference: str = ""
    from_stored_value: bool = False


@dataclass(slots=True)
class TopUp(Step):
    amount_minor: int = 0
    tender: str = "cash"


@dataclass(slots=True)
class TopUpRefund(Step):
    original: TopUp | None = None  # refunded in full, or as much of it as the card still holds


@dataclass(slots=True)
class Redeem(Step):
    reward: Reward | None = None
    menu: tuple[Reward, ...] = ()  # the gifts offered where it is redeemed; empty: those of the member's market


@dataclass(slots=True)
class ShareHistory(Step):
    """The member lets the alliance's partners see their purchases at the other merchants; only the card's own
    merchant records it."""


@dataclass(slots=True)
class Return(Step):
    original: Sale | None = None
    lines: tuple[tuple[int, int], ...] = ()  # (line number, quantity); empty gives back everything


@dataclass(slots=True)
class Freeze(Step):
    reason: str = ""


@dataclass(slots=True)
class Plan:
    members: list[MemberPlan] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
