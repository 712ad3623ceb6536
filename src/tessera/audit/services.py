"""Writing audit records, inside the caller's transaction so the record and the change commit together.

A reveal of personal data is the one audited action that changes nothing else; it has a use case of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tessera.audit.models import AuditRecord
from tessera.kit.actor import Actor
from tessera.kit.db import assert_in_transaction, use_case


def audit_record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    now: datetime,
    request_key: str = "",
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """Record one staff, terminal or system action. Never logs secrets or full personal data."""
    assert_in_transaction()
    return AuditRecord.objects.create(
        created_at=now,
        staff_id=actor.staff_id,
        terminal_id=actor.terminal_id,
        system=actor.system,
        store_id=actor.store_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        request_key=request_key,
        details=details or {},
    )


def reveal_record(*, actor: Actor, object_type: str, object_id: str, field: str, now: datetime) -> AuditRecord:
    """Record that a staff member was shown one personal field in full (``<object_type>.reveal``).

    A reveal changes nothing else, so the record is the whole use case and commits on its own, before the value
    is shown. Only the field's name is recorded, never its value.
    """
    with use_case():
        return audit_record(
            actor=actor,
            action=f"{object_type}.reveal",
            object_type=object_type,
            object_id=object_id,
            now=now,
            details={"field": field},
        )
