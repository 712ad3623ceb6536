"""Stored-value reads."""

from __future__ import annotations

from tessera.wallet.models import StoredValueProfile
from tessera.wallet.rules import Limits


def stored_value_limits_get(*, program_id: int) -> Limits | None:
    """The programme's stored-value limits, or None when it has no profile (no cap)."""
    row = (
        StoredValueProfile.objects.filter(program_id=program_id)
        .values_list("named_balance_max_minor", "anonymous_balance_max_minor", "top_up_max_minor", "custody_ratio_bp")
        .first()
    )
    return Limits(*row) if row else None
