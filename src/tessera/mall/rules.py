"""Pure rules of the mall: which state an order may move to."""

from __future__ import annotations

QUANTITY_MAX = 100

# ordered → ready → picked up; ordered → shipped; ordered or ready → cancelled. Nothing leaves the last three.
TRANSITIONS: dict[str, frozenset[str]] = {
    "ordered": frozenset({"ready", "shipped", "cancelled"}),
    "ready": frozenset({"picked_up", "cancelled"}),
    "picked_up": frozenset(),
    "shipped": frozenset(),
    "cancelled": frozenset(),
}


def transition_allowed(state: str, target: str) -> bool:
    return target in TRANSITIONS.get(state, frozenset())
