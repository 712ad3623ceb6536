"""Member intelligence for the demo's two businesses, after their year is replayed: a scoring of every member
(RFM, working groups, lifecycle stages), profiles and tags on part of the members, and saved segments, so the
console's dashboards, member pages and segment builder have something to show.

Everything goes through the areas' services, as headquarters would do it, in the programme's own language.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from tessera.analytics.services import rfm_run_create
from tessera.crm.services import member_tag_add, profile_update, tag_create
from tessera.demo.catalogue import CUT, KIDSWEAR, PERM
from tessera.demo.organisation import Business
from tessera.kit.actor import Actor
from tessera.members.models import Member, MemberCategoryStats
from tessera.segments.services import SegmentInput, segment_create, segment_refresh
from tessera.stores.selectors import headquarters_actor

PROFILED_SHARE = 0.4  # of members who told the shop more about themselves
SENSITIVE_SHARE = 0.25  # of those, who also gave separate consent to income band and education
TAGGED_SHARE = 0.06  # of members carrying each manual tag


@dataclass(frozen=True)
class Wording:
    regions: tuple[str, ...]
    occupations: tuple[str, ...]
    tags: tuple[tuple[str, str], ...]  # (name, description)
    segments: tuple[tuple[str, str, object, str], ...]  # (name, description, definition, smart tag label or "")


_CN = Wording(
    regions=("上海市静安区", "上海市徐汇区", "杭州市上城区", "南京市秦淮区", "苏州市姑苏区"),
    occupations=("教师", "设计师", "医生", "销售", "工程师", "自由职业"),
    tags=(("团购客户", "为单位或亲友成批购买"), ("老带新", "介绍过新会员入会")),
    segments=(
        ("童装常客", "买过三次及以上童装的会员", {"all": [
            {"field": "category.purchase_count", "category": KIDSWEAR, "op": "gte", "value": 3}]}, "童装常客"),
        ("本月生日", "生日在本月的会员，用于生日关怀", {"all": [
            {"field": "birthday", "op": "this_month"}]}, "本月生日"),
        ("需要唤回的高价值会员", "曾经常买、最近不来的会员", {"all": [
            {"field": "rfm_segment", "op": "in", "value": ["cant_lose", "at_risk"]}]}, ""),
    ),
)  # fmt: skip
_KR = Wording(
    regions=("서울 강남구", "서울 서초구", "서울 마포구", "서울 서대문구", "경기 성남시"),
    occupations=("회사원", "디자이너", "교사", "학생", "자영업", "간호사"),
    tags=(("VIP 관리", "담당 디자이너가 직접 관리하는 고객"), ("지인 소개", "지인을 소개해 준 고객")),
    segments=(
        ("펌 단골", "펌을 세 번 이상 받은 고객", {"all": [
            {"field": "category.purchase_count", "category": PERM, "op": "gte", "value": 3}]}, "펌 단골"),
        ("이번 달 생일", "이번 달이 생일인 고객(생일 쿠폰 대상)", {"all": [
            {"field": "birthday", "op": "this_month"}]}, "이번 달 생일"),
        ("커트 후 재방문 필요", "커트 고객 중 휴면 위험·이탈 단계인 고객", {"all": [
            {"field": "category.purchase_count", "category": CUT, "op": "gte", "value": 1},
            {"any": [{"field": "stage", "op": "in", "value": ["at_risk", "lapsed"]}]}]}, ""),
    ),
)  # fmt: skip
WORDING = {"cn": _CN, "kr": _KR}


def demo_intelligence(businesses: dict[str, Business], *, seed: int, now: datetime) -> None:
    """Score, profile, tag and segment each business's members as of ``now``."""
    for key, business in businesses.items():
        wording = WORDING.get(business.market.key)
        rfm_run_create(program=business.program, now=now)
        if wording is None:
            continue
        rng = random.Random(f"tessera-demo:{seed}:{key}:intelligence")
        actor = headquarters_actor(merchant_id=business.merchant.id, system="demo-intelligence")
        members = list(Member.objects.filter(program=business.program).order_by("id"))
        _profiles(members, wording, rng=rng, actor=actor, now=now)
        for name, description in wording.tags:
            tag = tag_create(program=business.program, name=name, description=description, actor=actor, now=now)
            for member in rng.sample(members, k=max(1, round(len(members) * TAGGED_SHARE))):
                member_tag_add(member=member, tag=tag, actor=actor, now=now)
        for name, description, definition, label in wording.segments:
            data = SegmentInput(name=name, description=description, definition=definition,
                                is_smart_tag=bool(label), tag_label=label)  # fmt: skip
            segment = segment_create(program=business.program, data=data, actor=actor, now=now)
            segment_refresh(segment=segment, now=now)


def _profiles(members: list[Member], wording: Wording, *, rng: random.Random, actor: Actor, now: datetime) -> None:
    liked: dict[int, list[str]] = {}
    for member_id, category in (
        MemberCategoryStats.objects.filter(member__in=members, purchase_count__gt=0)
        .order_by("member_id", "-purchase_count", "category")
        .values_list("member_id", "category")
    ):
        liked.setdefault(member_id, []).append(category)
    for member in members:
        if rng.random() >= PROFILED_SHARE:
            continue
        fields: dict[str, object] = {"region": rng.choice(wording.regions), "preferences": liked.get(member.id, [])[:2]}
        consent = rng.random() < SENSITIVE_SHARE
        if consent:
            fields |= {"occupation": rng.choice(wording.occupations),
                       "income_band": rng.choice(("lower_middle", "middle", "upper_middle")),
                       "education": rng.choice(("secondary", "vocational", "bachelor", "postgraduate"))}  # fmt: skip
        profile_update(member=member, actor=actor, now=now, fields=fields, separate_consent=consent)
