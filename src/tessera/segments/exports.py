"""A segment's snapshot as CSV: who is in it and what the segment is about, never how to reach them.

The columns are chosen for compliance.md (docs/segments.md, "Export"): the member's public id (to join the file
back to Tessera), their name and the masked phone the console shows, and loyalty figures. No full phone, e-mail
or birthday: Tessera records no marketing consent yet, so a list fit for sending messages cannot be made here,
and a file of contacts without consent is the data a breach would spill. Sensitive profile attributes (income,
occupation) are never exported, even when the segment's conditions use them. Spreadsheet formulas are defused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from tessera.kit.phone import phone_mask
from tessera.members.lifecycle import program_local_date
from tessera.members.models import Member
from tessera.segments.models import Segment

COLUMNS = (
    "member_id", "name", "phone_masked", "status", "tier", "enrolment_store", "enrolled_on", "purchase_count",
    "net_spend_minor", "currency", "last_purchase_on",
)  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_csv(segment: Segment, members: Iterable[Member]) -> tuple[str, int]:
    """The CSV text (a header, then a row per member) and the number of members in it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    program = segment.program
    count = 0
    for member in members.iterator(chunk_size=2000) if hasattr(members, "iterator") else members:
        writer.writerow([_cell(v) for v in _row(member, program)])
        count += 1
    return out.getvalue(), count


def export_filename(segment: Segment) -> str:
    stamp = segment.refreshed_at.strftime("%Y%m%d-%H%M") if segment.refreshed_at else _("never-refreshed")
    return f"segment-{segment.public_id}-{stamp}.csv"


def _row(member: Member, program: object) -> list[object]:
    stats = getattr(member, "stats", None)
    last = stats.last_purchase_at if stats else None
    return [
        member.public_id,
        member.name,
        phone_mask(member.phone),
        member.status,
        getattr(member, "tier_code", "") or "",
        member.enrolled_store.code,
        program_local_date(program, member.enrolled_at).isoformat(),  # type: ignore[arg-type]
        stats.purchase_count if stats else 0,
        stats.net_spend_minor if stats else 0,
        program.currency,  # type: ignore[attr-defined]
        program_local_date(program, last).isoformat() if last else "",  # type: ignore[arg-type]
    ]


def _cell(value: object) -> object:
    # A name typed as "=HYPERLINK(...)" must stay text when the file is opened in a spreadsheet.
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
