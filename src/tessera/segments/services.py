"""Writing segments: create, change and delete saved segments, refresh their snapshots, export them (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from tessera.audit.services import audit_record
from tessera.kit.actor import Actor
from tessera.kit.db import use_case
from tessera.programs.models import Program
from tessera.segments.errors import SegmentInvalid, SegmentNameTaken
from tessera.segments.exports import export_csv
from tessera.segments.models import Segment, SegmentMember, SegmentRefresh, TagColour
from tessera.segments.rules import definition_dump
from tessera.segments.selectors import definition_check, members_matching, segment_members

NAME_MAX, DESCRIPTION_MAX, TAG_LABEL_MAX = 100, 500, 40


@dataclass(frozen=True, slots=True)
class SegmentInput:
    """What staff say about a segment; ``definition`` is the JSON tree (checked by the service)."""

    name: str
    definition: object
    description: str = ""
    is_smart_tag: bool = False
    tag_label: str = ""
    tag_colour: str = TagColour.GREY


def segment_create(*, program: Program, data: SegmentInput, actor: Actor, now: datetime) -> Segment:
    """Save a new segment; its snapshot is empty until the first refresh.

    :raises DefinitionInvalid: the conditions do not hold together.
    :raises SegmentInvalid: a name, label or colour is missing or too long.
    :raises SegmentNameTaken: the programme has a segment of that name.
    """
    segment = Segment(program=program, created_at=now, created_by_id=actor.staff_id)
    with use_case():
        _apply(segment, data, actor=actor, now=now)
        _save(segment)
        _audit(segment, "segment.create", actor, now)
    return segment


def segment_update(*, segment: Segment, data: SegmentInput, actor: Actor, now: datetime) -> Segment:
    """Change a saved segment; its snapshot stays as it is until the next refresh.

    :raises DefinitionInvalid, SegmentInvalid, SegmentNameTaken: as ``segment_create``.
    """
    with use_case():
        _apply(segment, data, actor=actor, now=now)
        _save(segment)
        _audit(segment, "segment.update", actor, now)
    return segment


def segment_delete(*, segment: Segment, actor: Actor, now: datetime) -> None:
    """Delete a saved segment with its snapshot and history; a smart tag disappears from its members."""
    with use_case():
        _audit(segment, "segment.delete", actor, now, {"name": segment.name})
        Segment.objects.filter(id=segment.id).delete()


def segment_refresh(*, segment: Segment, now: datetime, staff_id: int | None = None) -> SegmentRefresh:
    """Replace the segment's snapshot with the members its definition selects now, in one transaction.

    The snapshot is written by one INSERT ... SELECT from the compiled query, so no member id passes through
    Python however large the segment. Readers see the old snapshot until the commit, then the new one.

    :raises DefinitionInvalid: the definition names something the programme no longer has (a deleted tag).
    """
    with use_case():
        locked = Segment.objects.select_for_update().get(id=segment.id)
        group = definition_check(program=locked.program, definition=locked.definition)
        SegmentMember.objects.filter(segment=locked).delete()
        ids_sql, params = (
            members_matching(program=locked.program, group=group, now=now).values("id").query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SegmentMember._meta.db_table} (segment_id, member_id)"  # noqa: S608
                f" SELECT %s, chosen.id FROM ({ids_sql}) chosen",
                [locked.id, *params],
            )
        count = SegmentMember.objects.filter(segment=locked).count()
        Segment.objects.filter(id=locked.id).update(refreshed_at=now, member_count=count)
        refresh = SegmentRefresh.objects.create(segment=locked, refreshed_at=now, member_count=count, staff_id=staff_id)
    segment.refreshed_at, segment.member_count = now, count
    return refresh


def segment_export(*, segment: Segment, actor: Actor, now: datetime) -> tuple[str, int]:
    """The snapshot as CSV (columns in ``exports``), with an audit record of who took how many members.

    The record and the file come from one transaction, so every file handed out has its record.
    """
    with use_case():
        body, rows = export_csv(segment, segment_members(segment=segment))
        _audit(segment, "segment.export", actor, now, {"members": rows, "refreshed_at": _iso(segment.refreshed_at)})
    return body, rows


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _apply(segment: Segment, data: SegmentInput, *, actor: Actor, now: datetime) -> None:
    name, label = data.name.strip(), data.tag_label.strip()
    if not name or len(name) > NAME_MAX:
        raise SegmentInvalid(reason=_("give it a name of 1 to 100 characters"))
    if len(data.description) > DESCRIPTION_MAX:
        raise SegmentInvalid(reason=_("the description is longer than 500 characters"))
    if (data.is_smart_tag and not label) or len(label) > TAG_LABEL_MAX:
        raise SegmentInvalid(reason=_("a smart tag needs a label of 1 to 40 characters"))
    if data.tag_colour not in TagColour.values:
        raise SegmentInvalid(reason=_("the tag colour is not one of the choices"))
    group = definition_check(program=segment.program, definition=data.definition)
    segment.name, segment.description, segment.definition = name, data.description.strip(), definition_dump(group)
    segment.is_smart_tag, segment.tag_label, segment.tag_colour = data.is_smart_tag, label, data.tag_colour
    segment.updated_at, segment.updated_by_id = now, actor.staff_id


def _save(segment: Segment) -> None:
    try:
        with transaction.atomic():  # a savepoint: the unique name decides between two people saving at once
            segment.save()
    except IntegrityError as exc:
        if Segment.objects.filter(program=segment.program, name=segment.name).exclude(id=segment.id).exists():
            raise SegmentNameTaken(name=segment.name) from exc
        raise


def _audit(
    segment: Segment, action: str, actor: Actor, now: datetime, details: dict[str, object] | None = None
) -> None:
    audit_record(actor=actor, action=action, object_type="segment", object_id=segment.public_id, now=now,
                 details=details)  # fmt: skip
