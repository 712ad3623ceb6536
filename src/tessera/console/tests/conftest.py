"""Personas for console tests: one chain with stores A and B, its staff, a member, and a second merchant."""

from __future__ import annotations

from typing import Any

import pytest

from tessera.access.models import StaffUser
from tessera.checkout.commands import TopUpIn
from tessera.checkout.services import top_up_commit
from tessera.console.tests.helpers import Org, make_staff, system_actor
from tessera.kit.clock import now
from tessera.members.models import Member
from tessera.members.services import Profile, member_enroll
from tessera.programs.services import program_create, top_up_band_set
from tessera.stores.services import merchant_create, store_create


@pytest.fixture
def org(db: Any) -> Org:
    merchant = merchant_create(name="Silk Road Apparel", country="CN", timezone="Asia/Shanghai", currency="CNY")
    a = store_create(merchant=merchant, code="SH01", name="Shanghai Jingan")
    b = store_create(merchant=merchant, code="BJ01", name="Beijing Sanlitun")
    program = program_create(owner=merchant, name="Silk Club")
    top_up_band_set(program=program, min_amount_minor=50_000, bonus_minor=5_000)
    other = merchant_create(name="Seoul Beauty", country="KR", timezone="Asia/Seoul", currency="KRW")
    other_store = store_create(merchant=other, code="GN01", name="Gangnam")
    program_create(owner=other, name="Glow")
    return Org(merchant, a, b, program, other, other_store)


@pytest.fixture
def cashier_a(org: Org) -> StaffUser:
    return make_staff(org, "cashier.a", "cashier", [org.a])


@pytest.fixture
def manager_a(org: Org) -> StaffUser:
    return make_staff(org, "manager.a", "store_manager", [org.a])


@pytest.fixture
def hq(org: Org) -> StaffUser:
    return make_staff(org, "hq.admin", "hq_admin", [])


@pytest.fixture
def member(org: Org) -> Member:
    body = member_enroll(
        program=org.program,
        profile=Profile(phone="13800138000", name="Li Wei", locale="zh-hans"),
        actor=system_actor(org.a),
        now=now(),
    ).body
    return Member.objects.select_related("program").get(public_id=body["member_id"])


@pytest.fixture
def wallet_member(org: Org, member: Member) -> Member:
    """The member with 500.00 principal and the 50.00 bonus the band grants."""
    top_up = TopUpIn(member=member.public_id, pos_number="SEED-1", event_at=now(), currency="CNY", amount_minor=50_000)
    top_up_commit(actor=system_actor(org.a), top_up=top_up, request_key="seed-1", now=now())
    return member
