"""Changing member profiles, the programme's tags and which members carry them. Each change is audited.

Audit records name the fields or the tag that changed, never a profile value: the audit log is read by more
people than may see sensitive attributes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from django.db import IntegrityError
from django.utils.translation import gettext as _

from tessera.audit.services import audit_record
from tessera.crm.errors import (
    ProfileAttributeInvalid,
    SensitiveConsentRequired,
    SensitiveNotAllowed,
    TagExists,
    TagInUse,
    TagNameInvalid,
    TagNotOwner,
    TagOtherProgram,
)
from tessera.crm.models import MemberTag, Profile, Tag
from tessera.crm.rules import (
    PREFERENCE_MAX,
    PREFERENCES_MAX,
    PROFILE_FIELDS,
    SENSITIVE_FIELDS,
    TAG_NAME_MAX,
    preferences_normalise,
    words_normalise,
)
from tessera.kit.actor import Actor
from tessera.kit.db import use_case
from tessera.members.models import Member
from tessera.programs.models import Program

TEXT_MAX = {"occupation": 100, "region": 100}
CHOICES = {"income_band": Profile.IncomeBand.values, "education": Profile.Education.values}
DESCRIPTION_MAX = 200

# ---------------------------------------------------------------- profiles


def profile_update(
    *,
    member: Member,
    actor: Actor,
    now: datetime,
    fields: Mapping[str, object],
    allowed: Collection[str] = PROFILE_FIELDS,
    separate_consent: bool = False,
) -> Profile:
    """Set the given profile attributes, by code (blank clears one); the others stay as they are.

    ``allowed`` is what the caller may set (a till: ``rules.TILL_FIELDS``). Only the staff of the card's own
    merchant set sensitive attributes, and a new sensitive value needs the member's ``separate_consent``
    (compliance.md C-3); clearing one never does, as withdrawing must stay as easy as giving.

    :raises ProfileAttributeInvalid: an unknown attribute or a value of the wrong shape; nothing is saved.
    :raises SensitiveNotAllowed: a sensitive attribute from a caller that may not set it.
    :raises SensitiveConsentRequired: a new sensitive value without the separate consent.
    """
    clean = profile_clean(fields)
    if any(f in SENSITIVE_FIELDS for f in clean) and (
        actor.merchant_id != member.program.owner_id or not set(SENSITIVE_FIELDS) <= set(allowed)
    ):
        raise SensitiveNotAllowed()
    if refused := sorted(set(clean) - set(allowed)):
        raise ProfileAttributeInvalid(reason=_("%(fields)s cannot be set here") % {"fields": ", ".join(refused)})
    with use_case():
        profile, _created = Profile.objects.select_for_update().get_or_create(member=member)
        changed = [f for f, value in clean.items() if getattr(profile, f) != value]
        given = [f for f in changed if f in SENSITIVE_FIELDS and clean[f]]
        if given and not separate_consent:
            raise SensitiveConsentRequired()
        if changed:
            for f in changed:
                setattr(profile, f, clean[f])
            profile.save()
            audit_record(actor=actor, action="member.profile_update", object_type="member",
                         object_id=member.public_id, now=now,
                         details={"fields": changed, "separate_consent": bool(given)})  # fmt: skip
    return profile


def profile_clean(fields: Mapping[str, object]) -> dict[str, object]:
    """Each attribute normalised and checked, or ``ProfileAttributeInvalid`` naming the first one that is wrong."""
    clean: dict[str, object] = {}
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise ProfileAttributeInvalid(reason=_("%(field)s is not a profile attribute") % {"field": name})
        if name == "preferences":
            clean[name] = _preferences_clean(value)
        elif not isinstance(value, str):
            raise ProfileAttributeInvalid(reason=_("%(field)s must be text") % {"field": name})
        elif name in CHOICES:
            if value not in CHOICES[name]:
                raise ProfileAttributeInvalid(reason=_("%(field)s has no such choice") % {"field": name})
            clean[name] = value
        else:
            text = words_normalise(value)
            if len(text) > TEXT_MAX[name]:
                limit = {"field": name, "max": TEXT_MAX[name]}
                raise ProfileAttributeInvalid(reason=_("%(field)s is at most %(max)s characters") % limit)
            clean[name] = text
    return clean


def _preferences_clean(value: object) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ProfileAttributeInvalid(reason=_("preferences must be a list of words"))
    kept = preferences_normalise(list(value))
    if len(kept) > PREFERENCES_MAX or any(len(v) > PREFERENCE_MAX for v in kept):
        limits = {"count": PREFERENCES_MAX, "max": PREFERENCE_MAX}
        raise ProfileAttributeInvalid(reason=_("at most %(count)s preferences of %(max)s characters each") % limits)
    return kept


# ---------------------------------------------------------------- the programme's tags


def _owner_only(program: Program, actor: Actor) -> None:
    # An alliance's partners use the card's tags but do not define them: the card's merchant owns its vocabulary.
    if actor.merchant_id != program.owner_id:
        raise TagNotOwner()


def _tag_text(name: str, description: str) -> tuple[str, str]:
    name, description = words_normalise(name), description.strip()
    if not name or len(name) > TAG_NAME_MAX or len(description) > DESCRIPTION_MAX:
        raise TagNameInvalid()
    return name, description


def _name_taken(program_id: int, name: str, but: int | None = None) -> bool:
    # Names differing only in case read as the same tag to staff picking one from a list.
    same = Tag.objects.filter(program_id=program_id, name__iexact=name)
    return (same if but is None else same.exclude(id=but)).exists()


def tag_create(*, program: Program, name: str, description: str = "", actor: Actor, now: datetime) -> Tag:
    """A new manual tag of the programme.

    :raises TagNotOwner, TagNameInvalid, TagExists: nothing is created.
    """
    _owner_only(program, actor)
    name, description = _tag_text(name, description)
    try:
        with use_case():
            if _name_taken(program.id, name):
                raise TagExists(name=name)
            tag = Tag.objects.create(program=program, name=name, description=description, created_at=now)
            audit_record(actor=actor, action="tag.create", object_type="tag", object_id=str(tag.id), now=now,
                         details={"name": name})  # fmt: skip
    except IntegrityError as exc:  # two people creating the same tag at once: the unique constraint decides
        raise TagExists(name=name) from exc
    return tag


def tag_rename(*, tag: Tag, name: str, description: str, actor: Actor, now: datetime) -> Tag:
    """Rename a tag or change its description; members keep carrying it.

    :raises TagNotOwner, TagNameInvalid, TagExists: nothing changes.
    """
    _owner_only(tag.program, actor)
    name, description = _tag_text(name, description)
    try:
        with use_case():
            locked = Tag.objects.select_for_update().get(id=tag.id)
            if _name_taken(locked.program_id, name, but=locked.id):
                raise TagExists(name=name)
            before = locked.name
            locked.name, locked.description = name, description
            locked.save(update_fields=["name", "description"])
            audit_record(actor=actor, action="tag.rename", object_type="tag", object_id=str(locked.id), now=now,
                         details={"from": before, "to": name})  # fmt: skip
    except IntegrityError as exc:
        raise TagExists(name=name) from exc
    return locked


def tag_delete(*, tag: Tag, actor: Actor, now: datetime, detach: bool = False) -> int:
    """Delete a tag. A tag members carry is deleted only with ``detach``, which takes it off them first (so a
    misclick cannot silently untag thousands of members); returns how many members it was taken off.

    :raises TagNotOwner: another merchant's programme.
    :raises TagInUse: members carry it and ``detach`` is not given; nothing changes.
    """
    _owner_only(tag.program, actor)
    with use_case():
        locked = Tag.objects.select_for_update().get(id=tag.id)
        count = MemberTag.objects.filter(tag=locked).count()
        if count and not detach:
            raise TagInUse(count=count)
        MemberTag.objects.filter(tag=locked).delete()
        audit_record(actor=actor, action="tag.delete", object_type="tag", object_id=str(locked.id), now=now,
                     details={"name": locked.name, "detached": count})  # fmt: skip
        locked.delete()
    return count


# ---------------------------------------------------------------- tags on members


def member_tag_add(*, member: Member, tag: Tag, actor: Actor, now: datetime) -> bool:
    """Put the tag on the member; False when it was already there (nothing changes, nothing is audited).

    :raises TagOtherProgram: the tag is another programme's.
    """
    if tag.program_id != member.program_id:
        raise TagOtherProgram()
    with use_case():
        _row, created = MemberTag.objects.get_or_create(
            member=member, tag=tag, defaults={"added_at": now, "added_by_id": actor.staff_id}
        )
        if created:
            audit_record(actor=actor, action="member.tag_add", object_type="member", object_id=member.public_id,
                         now=now, details={"tag": tag.id, "name": tag.name})  # fmt: skip
    return created


def member_tag_remove(*, member: Member, tag: Tag, actor: Actor, now: datetime) -> bool:
    """Take the tag off the member; False when they did not carry it.

    :raises TagOtherProgram: the tag is another programme's.
    """
    if tag.program_id != member.program_id:
        raise TagOtherProgram()
    with use_case():
        removed, _by_model = MemberTag.objects.filter(member=member, tag=tag).delete()
        if removed:
            audit_record(actor=actor, action="member.tag_remove", object_type="member", object_id=member.public_id,
                         now=now, details={"tag": tag.id, "name": tag.name})  # fmt: skip
    return bool(removed)
