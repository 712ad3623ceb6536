from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Outcome:
    """A write's answer as sent to the POS, and whether it is a replay of an earlier answer."""

    body: dict[str, Any]
    replayed: bool = False
