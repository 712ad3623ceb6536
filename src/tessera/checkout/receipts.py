"""The answers Tessera gives the POS, as plain JSON-able dicts (stored and replayed byte for byte)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tessera.ledger.services import MemberAccounts


def balances_body(accounts: MemberAccounts, currency: str) -> dict[str, Any]:
    principal = accounts.sv_principal.balance or 0
    bonus = accounts.sv_bonus.balance or 0
    return {
        "points": accounts.points.balance or 0,
        "points_owed": -(accounts.points_debt.balance or 0),
        "stored_value": {
            "currency": currency,
            "principal_minor": principal,
            "bonus_minor": bonus,
            "total_minor": principal + bonus,
        },
    }


def document_head(
    *,
    document_id: str,
    kind: str,
    pos_number: str,
    member_id: str,
    currency: str,
    posting_id: str | None,
    event_at: datetime,
    now: datetime,
) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "kind": kind,
        "pos_number": pos_number,
        "member_id": member_id,
        "currency": currency,
        "posting_id": posting_id,
        "event_at": event_at.isoformat(),
        "recorded_at": now.isoformat(),
    }
