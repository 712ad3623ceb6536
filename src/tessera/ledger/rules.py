"""Pure ledger arithmetic: balancing legs and applying them to cached balances."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Leg:
    """One intended entry: ``amount`` credits (positive) or debits (negative) ``account_id`` in ``unit``.

    ``origin_store_id`` names the store whose value a store account's leg moves when it is not that account's own
    store (settlement between stores, docs/settlement.md).
    """

    account_id: int
    unit: str
    amount: int
    origin_store_id: int | None = None


@dataclass(frozen=True, slots=True)
class Bounds:
    balance: int
    floor: int | None
    ceiling: int | None


class Unbalanced(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class BoundBreach:
    account_id: int
    balance: int
    requested: int
    floor: int | None
    ceiling: int | None
    below_floor: bool


def legs_compact(legs: Iterable[Leg]) -> list[Leg]:
    """Drop zero legs; a posting never records an entry that moves nothing."""
    return [leg for leg in legs if leg.amount != 0]


def legs_check_balanced(legs: Iterable[Leg]) -> None:
    totals: dict[str, int] = defaultdict(int)
    count = 0
    for leg in legs:
        totals[leg.unit] += leg.amount
        count += 1
    if count < 2:
        raise Unbalanced("a posting needs at least two entries")
    if any(total != 0 for total in totals.values()):
        raise Unbalanced(f"entries do not sum to zero per unit: {dict(totals)}")


def balances_after(
    legs: Iterable[Leg], cached: Mapping[int, Bounds]
) -> tuple[list[int | None], dict[int, int], BoundBreach | None]:
    """Apply legs in order to the cached balances.

    Returns each leg's balance afterwards (None for uncached accounts), the net change per cached account, and
    the first bound the legs would break. Bounds are checked on the final balance per account, so a posting
    that debits and credits one account is judged by where it ends, as the database constraint is.
    """
    running = {account_id: bounds.balance for account_id, bounds in cached.items()}
    after: list[int | None] = []
    delta: dict[int, int] = defaultdict(int)
    for leg in legs:
        if leg.account_id in running:
            running[leg.account_id] += leg.amount
            delta[leg.account_id] += leg.amount
            after.append(running[leg.account_id])
        else:
            after.append(None)
    return after, dict(delta), _first_breach(running, delta, cached)


def _first_breach(
    running: Mapping[int, int], delta: Mapping[int, int], cached: Mapping[int, Bounds]
) -> BoundBreach | None:
    for account_id in sorted(delta):
        bounds = cached[account_id]
        final = running[account_id]
        below = bounds.floor is not None and final < bounds.floor
        above = bounds.ceiling is not None and final > bounds.ceiling
        if below or above:
            return BoundBreach(
                account_id=account_id,
                balance=bounds.balance,
                requested=delta[account_id],
                floor=bounds.floor,
                ceiling=bounds.ceiling,
                below_floor=below,
            )
    return None


def legs_by_origin(
    account_id: int, unit: str, amounts: Iterable[tuple[int | None, int]], *, home_store_id: int, sign: int = 1
) -> list[Leg]:
    """One leg on a store account per origin store of the value it moves (``sign`` times each amount).

    An origin equal to the account's own store (``home_store_id``), or unknown, is left unnamed: an entry names
    a store only when settlement must move money to or from it.
    """
    return [
        Leg(account_id, unit, sign * amount, None if origin in (None, home_store_id) else origin)
        for origin, amount in amounts
        if amount
    ]
