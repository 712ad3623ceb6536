"""Writing audit records, always inside the caller's transaction so the record and the change commit together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tessera.audit.models import AuditRecord
from tessera.kit.actor import Actor
from tessera.kit.db import assert_in_transaction


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
