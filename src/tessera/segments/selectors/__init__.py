"""Reading segments: checking and counting a definition, saved segments, their snapshots, and smart tags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tessera.crm.models import Tag
from tessera.members.lifecycle import program_local_date
from tessera.members.models import Member
from tessera.programs.models import Program, ProgramMerchant
from tessera.segments.errors import SegmentNotFound
from tessera.segments.models import Segment, SegmentMember, SegmentRefresh
from tessera.segments.rules import Group, definition_parse
from tessera.segments.selectors.compile import Context, group_q
from tessera.stores.models import Store
from tessera.tiers.models import MemberTier
from tessera.tiers.selectors import ladder_view_get

__all__ = [
    "SmartTag",
    "definition_check",
    "definition_count",
    "member_smart_tags",
    "members_matching",
    "segment_field_choices",
    "segment_get",
    "segment_list",
    "segment_members",
    "segment_refreshes",
]


def segment_field_choices(*, program: Program) -> dict[str, list[tuple[str, str]]]:
    """The programme's own choices of the fields that have them: stores by public id, tier codes, tag names."""
    merchants = ProgramMerchant.objects.filter(program=program).values("merchant_id")
    stores = Store.objects.filter(merchant_id__in=merchants).order_by("code")
    ladder = ladder_view_get(program_id=program.id)
    tags = Tag.objects.filter(program=program).order_by("name").values_list("name", flat=True)
    return {
        "enrolled_store": [(s.public_id, f"{s.code} · {s.name}") for s in stores],
        "tier": [(code, code) for code in (ladder.codes if ladder else ())],
        "tags": [(name, name) for name in tags],
    }


def definition_check(*, program: Program, definition: object) -> Group:
    """The definition as a tree, its programme choices checked.

    :raises DefinitionInvalid: listing every bad part.
    """
    choices = {
        code: [value for value, _label in pairs] for code, pairs in segment_field_choices(program=program).items()
    }
    return definition_parse(definition, choices=choices)


def members_matching(*, program: Program, group: Group, now: datetime) -> QuerySet[Member]:
    """The programme's members the tree selects today (in the programme's time zone), as one SQL query."""
    ctx = Context(program=program, today=program_local_date(program, now))
    return Member.objects.filter(program=program).filter(group_q(group, ctx))


def definition_count(*, program: Program, definition: object, now: datetime) -> int:
    """How many members the definition selects now: the builder's live count.

    :raises DefinitionInvalid: listing every bad part.
    """
    group = definition_check(program=program, definition=definition)
    return members_matching(program=program, group=group, now=now).count()


def segment_list(*, program: Program) -> list[Segment]:
    return list(Segment.objects.filter(program=program).order_by("name"))


def segment_get(*, program: Program, public_id: str) -> Segment:
    """:raises SegmentNotFound: no segment of that id in this programme (another programme's is the same)."""
    found = Segment.objects.filter(program=program, public_id=public_id).first()
    if found is None:
        raise SegmentNotFound()
    return found


def segment_refreshes(*, segment: Segment, limit: int = 30) -> list[SegmentRefresh]:
    """The newest refreshes first: how the segment's size changed."""
    return list(
        SegmentRefresh.objects.filter(segment=segment).select_related("staff").order_by("-refreshed_at", "-id")[:limit]
    )


def segment_members(*, segment: Segment) -> QuerySet[Member]:
    """The members of the segment's latest snapshot, with their statistics and tier code, in id order."""
    ladder = ladder_view_get(program_id=segment.program_id)
    members = Member.objects.filter(segment_rows__segment=segment).select_related("stats", "enrolled_store")
    if ladder is not None:
        # A member not on the ladder yet holds its base tier.
        tier = MemberTier.objects.filter(member=OuterRef("pk"), ladder_id=ladder.ladder_id).values("tier__code")
        members = members.annotate(tier_code=Coalesce(Subquery(tier[:1]), Value(ladder.codes[0])))
    return members.order_by("id")


@dataclass(frozen=True, slots=True)
class SmartTag:
    segment_id: str
    label: str
    colour: str
    refreshed_at: datetime


def member_smart_tags(member: Member) -> list[SmartTag]:
    """The smart tags whose latest snapshot holds the member, by label: for the member page and the 360 view."""
    rows = (
        SegmentMember.objects.filter(member=member, segment__is_smart_tag=True, segment__program_id=member.program_id)
        .select_related("segment")
        .order_by("segment__tag_label", "segment_id")
    )
    return [_smart_tag(row.segment) for row in rows]


def _smart_tag(segment: Segment) -> SmartTag:
    assert segment.refreshed_at is not None  # a snapshot row exists only after a refresh
    return SmartTag(segment.public_id, segment.tag_label, segment.tag_colour, segment.refreshed_at)


def segment_summary(segment: Segment) -> dict[str, Any]:
    """A saved segment as the API shows it."""
    return {
        "segment_id": segment.public_id, "name": segment.name, "description": segment.description,
        "definition": segment.definition, "is_smart_tag": segment.is_smart_tag, "tag_label": segment.tag_label,
        "tag_colour": segment.tag_colour, "member_count": segment.member_count,
        "refreshed_at": segment.refreshed_at.isoformat() if segment.refreshed_at else None,
        "created_at": segment.created_at.isoformat(), "updated_at": segment.updated_at.isoformat(),
    }  # fmt: skip
