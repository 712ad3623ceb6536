"""Builders for segment tests: members with chosen facts written straight to their tables, and each member's
facts read back in Python, the oracle's input (``rules.evaluate``)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from tessera.analytics.rules import SCORES, Stage, WorkingGroup, code_of
from tessera.analytics.rules import Segment as RfmSegment
from tessera.analytics.selectors import rfm_member_ids, rfm_run_latest
from tessera.blueprints.seeds import diamonds_ladder
from tessera.crm.models import MemberTag, Profile, Tag
from tessera.kit.clock import now
from tessera.ledger.models import Account, AccountKind
from tessera.members.lifecycle import program_local_date
from tessera.members.models import Member, MemberCategoryStats, MemberStats
from tessera.programs.models import Program
from tessera.stores.selectors import headquarters_actor
from tessera.testing import World, member_new, world_build
from tessera.tiers.models import MemberTier, Tier, TierLadder
from tessera.tiers.services import tier_ladder_load

_phones = itertools.count(1)


def world_with_ladder(**kw: Any) -> World:
    world = world_build(stores=2, **kw)
    tier_ladder_load(program=world.program, spec=diamonds_ladder())
    return world


def hq(world: World, staff_id: int | None = None):
    if staff_id is None:
        return headquarters_actor(merchant_id=world.merchant.id, system="tests")
    return headquarters_actor(merchant_id=world.merchant.id, staff_id=staff_id)


def local(program: Program, day: str | date, clock: str = "12:00") -> datetime:
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(d, time.fromisoformat(clock), tzinfo=ZoneInfo(program.timezone))


def person(world: World, **facts: Any) -> Member:
    """A member of ``world`` with the facts given, written where checkout, the CRM and the tier job write them.

    Facts: member columns (``birthday``, ``gender``, ``status``, ``enrolled_at``), statistics (``purchase_count``,
    ``spend_minor``, ``refund_minor``, ``top_up_minor``, ``first_purchase_at``, ``last_purchase_at``),
    ``categories={"kids": {"purchase_count": 3, ...}}``, ``profile={...}``, ``tags=[names]``, ``tier=code``.
    """
    member = member_new(world, phone=f"1390077{next(_phones):04d}")
    columns = {k: facts.pop(k) for k in ("birthday", "gender", "status", "enrolled_at") if k in facts}
    if "store" in facts:
        columns["enrolled_store"] = facts.pop("store")
    if columns:
        Member.objects.filter(id=member.id).update(**columns)
    stats = {k: facts.pop(k) for k in list(facts) if k in {f.name for f in MemberStats._meta.fields}}
    if stats:
        MemberStats.objects.filter(member=member).update(**stats)
    for category, figures in facts.pop("categories", {}).items():
        MemberCategoryStats.objects.create(member=member, category=category, **figures)
    if (profile := facts.pop("profile", None)) is not None:
        Profile.objects.create(member=member, **profile)
    for name in facts.pop("tags", ()):
        tag, _new = Tag.objects.get_or_create(program=world.program, name=name, defaults={"created_at": now()})
        MemberTag.objects.create(member=member, tag=tag, added_at=now())
    if (code := facts.pop("tier", None)) is not None:
        tier_place(member, code)
    assert not facts, f"unknown facts {facts}"
    return Member.objects.get(id=member.id)


def tier_place(member: Member, code: str) -> None:
    ladder = TierLadder.objects.get(program_id=member.program_id, is_active=True)
    tier = Tier.objects.get(ladder=ladder, code=code)
    moment = now()
    MemberTier.objects.update_or_create(
        member=member, ladder=ladder,
        defaults={"tier": tier, "since": moment, "window_start": moment.date(), "created_at": moment,
                  "updated_at": moment},
    )  # fmt: skip


def _local_date(program: Program, at: datetime | None) -> date | None:
    return program_local_date(program, at) if at is not None else None


def facts_of(member: Member) -> dict[str, Any]:
    """Everything a definition may test about the member, read row by row in Python (slow, obviously right)."""
    program = Program.objects.get(id=member.program_id)
    member = Member.objects.select_related("enrolled_store").get(id=member.id)
    stats = MemberStats.objects.filter(member=member).first()
    profile = Profile.objects.filter(member=member).first()
    accounts = dict(Account.objects.filter(member=member).values_list("kind", "balance"))
    facts: dict[str, Any] = {
        "gender": member.gender, "status": member.status, "enrolled_store": member.enrolled_store.public_id,
        "birthday": member.birthday, "enrolled_at": _local_date(program, member.enrolled_at),
        "points_balance": int(accounts.get(AccountKind.MEMBER_POINTS) or 0),
        "stored_value_minor": int(accounts.get(AccountKind.MEMBER_SV_PRINCIPAL) or 0)
        + int(accounts.get(AccountKind.MEMBER_SV_BONUS) or 0),
        "tags": set(MemberTag.objects.filter(member=member).values_list("tag__name", flat=True)),
    }  # fmt: skip
    for name in ("occupation", "income_band", "education", "region"):
        facts[name] = getattr(profile, name) if profile else None
    facts["preferences"] = list(profile.preferences) if profile else []
    if stats is not None:
        facts |= {"purchase_count": stats.purchase_count, "net_spend_minor": stats.net_spend_minor,
                  "top_up_minor": stats.top_up_minor,
                  "first_purchase_at": _local_date(program, stats.first_purchase_at),
                  "last_purchase_at": _local_date(program, stats.last_purchase_at)}  # fmt: skip
    facts |= _category_facts(member, program)
    facts["tier"] = _tier_code(member)
    facts |= _rfm_facts(member, program)
    return facts


def _category_facts(member: Member, program: Program) -> dict[str, Any]:
    rows = list(MemberCategoryStats.objects.filter(member=member))
    return {
        "category.purchase_count": {r.category: r.purchase_count for r in rows},
        "category.quantity": {r.category: r.quantity for r in rows},
        "category.spend_minor": {r.category: r.spend_minor for r in rows},
        "category.last_purchase_at": {r.category: _local_date(program, r.last_purchase_at) for r in rows},
    }


def _tier_code(member: Member) -> str | None:
    ladder = TierLadder.objects.filter(program_id=member.program_id, is_active=True).first()
    if ladder is None:
        return None
    place = MemberTier.objects.filter(member=member, ladder=ladder).select_related("tier").first()
    return place.tier.code if place else Tier.objects.get(ladder=ladder, rank=0).code


def _rfm_facts(member: Member, program: Program) -> dict[str, Any]:
    """The member's scores in the latest run, asked one value at a time through ``rfm_member_ids``."""
    run = rfm_run_latest(program=program)
    if run is None:
        return {}
    facts: dict[str, Any] = {}
    columns = {"rfm_r": ("r_score", [(str(s), s) for s in SCORES]), "rfm_f": ("f_score", [(str(s), s) for s in SCORES]),
               "rfm_m": ("m_score", [(str(s), s) for s in SCORES]),
               "rfm_segment": ("segment", [(code_of(c), c.value) for c in RfmSegment]),
               "rfm_group": ("working_group", [(code_of(c), c.value) for c in WorkingGroup]),
               "stage": ("stage", [(code_of(c), c.value) for c in Stage])}  # fmt: skip
    for code, (column, values) in columns.items():
        for text, value in values:
            if member.id in set(rfm_member_ids(run=run, **{column: value})):
                facts[code] = text
    return facts


def utc(day: str, clock: str = "00:00") -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=UTC)
