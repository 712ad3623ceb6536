"""Who is acting: a staff member at a store, a POS terminal, or a named system job."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting party and the store it acts as (id, merchant, currency); postings and audit rows record both."""

    store_id: int
    merchant_id: int
    currency: str
    staff_id: int | None = None
    terminal_id: int | None = None
    system: str = ""
    label: str = ""

    def __post_init__(self) -> None:
        assert (self.staff_id is not None) + (self.terminal_id is not None) + bool(self.system) == 1, (
            "an actor is exactly one of staff, terminal or system"
        )

    @property
    def kind(self) -> str:
        if self.staff_id is not None:
            return "staff"
        return "terminal" if self.terminal_id is not None else "system"
