"""Enrolling members and changing their profile, card and status. Each change is audited."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.utils.translation import gettext as _

from tessera.audit.services import audit_record
from tessera.idempotency.services import idempotency_claim, idempotency_complete
from tessera.kit.actor import Actor
from tessera.kit.cards import card_code_new, card_number_new
from tessera.kit.db import assert_in_transaction, use_case
from tessera.kit.fingerprint import fingerprint
from tessera.kit.outcome import Outcome
from tessera.kit.phone import InvalidPhone, phone_normalize
from tessera.ledger.services import member_accounts_open, member_accounts_open_many
from tessera.members.errors import (
    MemberExists,
    PhoneInvalid,
    ProfileInvalid,
    ProgramAmbiguous,
    ProgramNotServed,
    SharingNotApplicable,
    SharingNotOwner,
    StatusChangeInvalid,
)
from tessera.members.hooks import enrolled_hooks_run
from tessera.members.lifecycle import card_valid_until_from, program_local_date
from tessera.members.models import Member, MemberStats
from tessera.members.selectors import member_summary
from tessera.programs.models import Program

LOCALES = ("en", "zh-hans", "zh-hant", "ko")
GENDERS = ("", "female", "male", "other")


@dataclass(frozen=True, slots=True)
class Profile:
    phone: str
    name: str
    birthday: date | None = None
    gender: str = ""
    locale: str = "en"
    email: str | None = None

    def canonical(self) -> dict[str, Any]:
        return {
            "phone": self.phone,
            "name": self.name,
            "birthday": self.birthday.isoformat() if self.birthday else None,
            "gender": self.gender,
            "locale": self.locale,
            "email": self.email,
        }


def program_for_store(*, merchant_id: int, program_public_id: str | None) -> Program:
    """The programme a store enrols into: the one named, or the only one it serves."""
    programs = Program.objects.filter(participants__merchant_id=merchant_id)
    if program_public_id:
        programs = programs.filter(public_id=program_public_id)
    found = list(programs[:2])
    if not found:
        raise ProgramNotServed()
    if len(found) > 1:
        raise ProgramAmbiguous()
    return found[0]


def member_enroll(
    *, program: Program, profile: Profile, actor: Actor, now: datetime, request_key: str | None = None
) -> Outcome:
    """Enrol a member with a new card number and digital-card code, and open their accounts.

    :raises PhoneInvalid: the phone number is not valid for the programme's region.
    :raises MemberExists: a live member of the programme already has this phone number.
    :raises ProfileInvalid: another detail is not valid.
    """
    clean = profile_clean(profile, region=program.phone_region)
    fp = fingerprint(operation="member.enroll", body={"program": program.public_id, **clean.canonical()})
    try:
        with use_case():
            if request_key is not None:
                claim = idempotency_claim(
                    store_id=actor.store_id, key=request_key, operation="member.enroll", fingerprint=fp, now=now
                )
                if claim.replay is not None:
                    return Outcome(claim.replay, replayed=True)
            member = _member_create(program=program, profile=clean, actor=actor, now=now)
            body = member_summary(member)
            audit_record(
                actor=actor,
                action="member.enroll",
                object_type="member",
                object_id=member.public_id,
                now=now,
                request_key=request_key or "",
            )
            if request_key is not None:
                idempotency_complete(claim=claim, response=body)
    except IntegrityError as exc:
        # Two tills enrolling the same phone at once: the unique constraint decides, the loser is told plainly.
        if "member_phone_unique_per_program" in str(exc) or "members_member.program_id" in str(exc):
            raise MemberExists() from exc
        raise
    return Outcome(body)


def _member_create(*, program: Program, profile: Profile, actor: Actor, now: datetime) -> Member:
    if Member.objects.filter(program=program, phone=profile.phone).exclude(status=Member.Status.CLOSED).exists():
        raise MemberExists()
    member = Member.objects.create(
        program=program,
        phone=profile.phone,
        name=profile.name,
        birthday=profile.birthday,
        gender=profile.gender,
        locale=profile.locale,
        email=profile.email,
        card_number=_unused(card_number_new, "card_number"),
        card_code=_unused(card_code_new, "card_code"),
        enrolled_at=now,
        card_valid_until=card_valid_until_from(program_local_date(program, now), program.card_validity_months),
        enrolled_store_id=actor.store_id,
    )
    MemberStats.objects.create(member=member, program_id=program.id)
    member_accounts_open(program_id=program.id, member_id=member.id, currency=program.currency)
    enrolled_hooks_run(member, actor, now)
    return member


def member_join(*, program: Program, profile: Profile, actor: Actor, at: datetime, now: datetime) -> Member:
    """Enrol inside the caller's transaction: the sale that makes a customer a member (seed 002: "a single
    purchase of at least 198 yuan"). The card date is the sale's till time ``at``.

    :raises PhoneInvalid, MemberExists, ProfileInvalid: as member_enroll.
    """
    assert_in_transaction()
    member = _member_create(program=program, profile=profile_clean(profile, region=program.phone_region),
                            actor=actor, now=at)  # fmt: skip
    audit_record(actor=actor, action="member.enroll", object_type="member", object_id=member.public_id, now=now,
                 details={"joined_by": "purchase"})  # fmt: skip
    return member


@dataclass(frozen=True, slots=True)
class ImportedPerson:
    """A customer of the system a merchant moved from, as its purchase history names them."""

    external_ref: str
    phone: str  # E.164, or empty when the history gives none
    name: str


def members_import_create(
    *, program: Program, people: Sequence[ImportedPerson], store_id: int, now: datetime
) -> list[int]:
    """Create members for purchase history imported from another system (ADR 0019), set-based, inside the
    import's transaction: each with a new card, empty statistics and empty accounts. Returns their
    ids in order.

    No enrolment hooks run: a welcome coupon greets someone joining, and these customers joined the merchant
    before Tessera; the import audits their creation once, with its counts.
    """
    assert_in_transaction()
    cards = _unused_many(card_number_new, "card_number", len(people))
    codes = _unused_many(card_code_new, "card_code", len(people))
    valid_until = card_valid_until_from(program_local_date(program, now), program.card_validity_months)
    members = Member.objects.bulk_create(
        [
            Member(program=program, phone=p.phone, name=p.name, external_ref=p.external_ref, card_number=card,
                   card_code=code, enrolled_at=now, card_valid_until=valid_until, enrolled_store_id=store_id)
            for p, card, code in zip(people, cards, codes, strict=True)
        ],
        batch_size=1000,
    )  # fmt: skip
    ids = [m.id for m in members]
    MemberStats.objects.bulk_create([MemberStats(member_id=i, program_id=program.id) for i in ids], batch_size=1000)
    member_accounts_open_many(program_id=program.id, member_ids=ids, currency=program.currency)
    return ids


def _unused_many(generate: Callable[[], str], field: str, count: int, chunk: int = 1000) -> list[str]:
    """``count`` new values of ``generate``, none of them taken by a member (see ``_unused``)."""
    values: dict[str, None] = {}  # drawn so far, in order, each once
    while len(values) < count:
        drawn = [v for v in {generate() for _ in range(min(chunk, count - len(values)))} if v not in values]
        taken = set(Member.objects.filter(**{f"{field}__in": drawn}).values_list(field, flat=True))
        values.update((v, None) for v in drawn if v not in taken)
    return list(values)


def _unused(generate: Any, field: str) -> str:
    # Collisions are astronomically rare at 10^14 card numbers, but a check costs one indexed read.
    for _attempt in range(5):
        value = str(generate())
        if not Member.objects.filter(**{field: value}).exists():
            return value
    raise RuntimeError(f"could not draw an unused {field}")


def profile_clean(profile: Profile, *, region: str, phone_required: bool = True) -> Profile:
    """Normalise and validate a profile; the phone becomes E.164. Only a member imported without a phone may
    keep having none (``phone_required=False``); enrolment always asks for one."""
    phone = ""
    if phone_required or profile.phone.strip():
        try:
            phone = phone_normalize(profile.phone, default_region=region)
        except InvalidPhone as exc:
            raise PhoneInvalid(phone=profile.phone) from exc
    name = profile.name.strip()
    if not name or len(name) > 100:
        raise ProfileInvalid(reason=_("name must be 1 to 100 characters"))
    if profile.gender not in GENDERS:
        raise ProfileInvalid(reason=_("gender must be female, male, other or empty"))
    if profile.locale not in LOCALES:
        raise ProfileInvalid(reason=_("language must be one of %(codes)s") % {"codes": ", ".join(LOCALES)})
    # The server's date plus a day: wherever the member is, their birthday is not after that.
    latest = date.today() + timedelta(days=1)  # noqa: DTZ011
    if profile.birthday is not None and not (date(1900, 1, 1) <= profile.birthday <= latest):
        raise ProfileInvalid(reason=_("birthday is out of range"))
    email = (profile.email or "").strip() or None
    if email is not None:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ProfileInvalid(reason=_("e-mail address is not valid")) from exc
    return replace(profile, phone=phone, name=name, email=email)


def member_update(*, member: Member, profile: Profile, actor: Actor, now: datetime) -> Member:
    """Change a member's details; the audit record lists which fields changed, not their values. A member
    imported without a phone keeps having none until one is given."""
    clean = profile_clean(profile, region=member.program.phone_region, phone_required=bool(member.phone))
    with use_case():
        locked = Member.objects.select_for_update().get(id=member.id)
        changed = [f for f, v in clean.canonical().items() if _current(locked, f) != v]
        if "phone" in changed and (
            Member.objects.filter(program_id=locked.program_id, phone=clean.phone)
            .exclude(id=locked.id)
            .exclude(status=Member.Status.CLOSED)
            .exists()
        ):
            raise MemberExists()
        for field_name in changed:
            setattr(locked, field_name, getattr(clean, field_name))
        locked.save()
        audit_record(
            actor=actor,
            action="member.update",
            object_type="member",
            object_id=locked.public_id,
            now=now,
            details={"fields": changed},
        )
    return locked


def _current(member: Member, field_name: str) -> object:
    value = getattr(member, field_name)
    return value.isoformat() if isinstance(value, date) else value


_TRANSITIONS = {
    Member.Status.ACTIVE: {Member.Status.FROZEN, Member.Status.CLOSED},
    Member.Status.FROZEN: {Member.Status.ACTIVE, Member.Status.CLOSED},
    Member.Status.CLOSED: set(),
}


def member_status_set(*, member: Member, status: str, reason: str, actor: Actor, now: datetime) -> Member:
    """Freeze, unfreeze or close a membership. Closing is final; balances stay on the ledger."""
    with use_case():
        locked = Member.objects.select_for_update().get(id=member.id)
        current = Member.Status(locked.status)
        if status not in {s.value for s in _TRANSITIONS[current]}:
            target = Member.Status(status).label if status in Member.Status.values else status
            raise StatusChangeInvalid(current=current.label, target=target)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="member.status",
            object_type="member",
            object_id=locked.public_id,
            now=now,
            details={"from": current.value, "to": status, "reason": reason[:200]},
        )
    return locked


def member_card_code_rotate(*, member: Member, actor: Actor, now: datetime) -> Member:
    """Issue a new digital-card code (for a lost phone or a leaked screenshot); the old code stops working."""
    with use_case():
        Member.objects.filter(id=member.id).update(card_code=_unused(card_code_new, "card_code"), updated_at=now)
        audit_record(actor=actor, action="member.card_code", object_type="member", object_id=member.public_id, now=now)
    return Member.objects.select_related("program").get(id=member.id)


def member_history_sharing_set(*, member: Member, share: bool, actor: Actor, now: datetime) -> Member:
    """Record or withdraw the member's consent to let the alliance's partners see their purchases elsewhere.

    Only the card's own merchant records it (a partner must not grant itself a member's history), the consent
    keeps the moment it was first given, and withdrawing takes effect at once; both are audited.
    """
    if member.program.alliance_id is None:
        raise SharingNotApplicable()
    if actor.merchant_id != member.program.owner_id:
        raise SharingNotOwner()
    with use_case():
        locked = Member.objects.select_for_update().get(id=member.id)
        before = locked.partners_may_see_history_since is not None
        if before != share:
            locked.partners_may_see_history_since = now if share else None
            locked.save(update_fields=["partners_may_see_history_since", "updated_at"])
            audit_record(actor=actor, action="member.history_sharing", object_type="member",
                         object_id=locked.public_id, now=now, details={"share": share})  # fmt: skip
    return Member.objects.select_related("program").get(id=member.id)
