"""The nightly refresh of saved segments, as a programme job (``messaging.jobs``).

``segments.refresh`` runs once per programme and local day after 01:00 in the programme's time zone: after the
RFM run of 00:30 (``analytics.jobs``), so segments on RFM scores use that night's scores. Each segment is
refreshed in its own transaction, so one that can no longer be counted (it names a tag since deleted) is
reported in the summary and the others still refresh. Rerunning a day refreshes again, which is harmless.
"""

from __future__ import annotations

import logging
from datetime import date, time
from typing import Any

from tessera.kit.clock import now as clock_now
from tessera.kit.errors import DomainError
from tessera.messaging.jobs import register_job
from tessera.programs.models import Program
from tessera.segments.selectors import segment_list
from tessera.segments.services import segment_refresh

logger = logging.getLogger(__name__)


def segments_refresh_nightly(*, program_id: int, local_date: date) -> dict[str, Any]:
    program = Program.objects.get(id=program_id)
    refreshed: dict[str, int] = {}
    failed: dict[str, str] = {}
    for segment in segment_list(program=program):
        try:
            refreshed[segment.public_id] = segment_refresh(segment=segment, now=clock_now()).member_count
        except DomainError as exc:
            logger.warning("segment %s of programme %s not refreshed: %s", segment.public_id, program_id, exc)
            failed[segment.public_id] = exc.code
    return {"refreshed": refreshed, "failed": failed}


register_job("segments.refresh", segments_refresh_nightly, at_local_time=time(1, 0))
