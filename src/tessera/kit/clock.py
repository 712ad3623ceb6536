"""The one place Tessera reads the wall clock; interfaces call it once and pass ``now`` down."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(tz=UTC)
