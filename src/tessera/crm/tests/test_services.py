"""Profile and tag services: validation, programme scoping, audit, unique tags."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tessera.audit.models import AuditRecord
from tessera.console.tests.helpers import Org, make_staff
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
from tessera.crm.rules import PROFILE_FIELDS, TILL_FIELDS
from tessera.crm.services import (
    member_tag_add,
    member_tag_remove,
    profile_update,
    tag_create,
    tag_delete,
    tag_rename,
)
from tessera.kit.actor import Actor
from tessera.kit.clock import now
from tessera.programs.services import alliance_create
from tessera.settlement.tests.test_alliance_month import partner
from tessera.testing import member_new, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return world_build()


@pytest.fixture
def member(world):
    return member_new(world)


def update(*, member, actor, allowed=PROFILE_FIELDS, separate_consent=False, **fields):
    return profile_update(member=member, actor=actor, now=now(), fields=fields, allowed=allowed,
                          separate_consent=separate_consent)  # fmt: skip


def audits(action):
    return list(AuditRecord.objects.filter(action=action).order_by("id"))


class TestProfile:
    def test_sets_cleans_and_audits_field_names_only(self, world, member):
        profile = update(member=member, actor=world.a.actor, region="  Xuhui   District ",
                                 education="bachelor", preferences=["Linen", "linen", " Kids wear "])  # fmt: skip
        assert (profile.region, profile.education, profile.preferences) == (
            "Xuhui District",
            "bachelor",
            ["Linen", "Kids wear"],
        )
        [record] = audits("member.profile_update")
        assert record.object_id == member.public_id
        assert sorted(record.details["fields"]) == ["education", "preferences", "region"]
        assert "Xuhui" not in str(record.details)

    def test_an_unchanged_value_writes_no_audit(self, world, member):
        update(member=member, actor=world.a.actor, region="Xuhui")
        update(member=member, actor=world.a.actor, region="Xuhui")
        assert len(audits("member.profile_update")) == 1

    @pytest.mark.parametrize(
        "fields",
        [
            {"education": "phd"},
            {"income_band": "rich"},
            {"region": "x" * 101},
            {"preferences": "Linen"},
            {"preferences": ["x" * 41]},
            {"preferences": [f"p{i}" for i in range(21)]},
            {"preferences": [1, 2]},
            {"occupation": 5},
            {"shoe_size": "42"},
        ],
    )
    def test_bad_input_is_refused_and_changes_nothing(self, world, member, fields):
        with pytest.raises(ProfileAttributeInvalid) as caught:
            update(member=member, actor=world.a.actor, separate_consent=True, **fields)
        assert caught.value.text()  # a translated sentence, not a code
        assert not Profile.objects.filter(member=member).exists()
        assert not audits("member.profile_update")

    def test_a_sensitive_value_needs_the_separate_consent(self, world, member):
        with pytest.raises(SensitiveConsentRequired):
            update(member=member, actor=world.a.actor, income_band="middle", region="Xuhui")
        assert not Profile.objects.filter(member=member).exists()
        update(member=member, actor=world.a.actor, income_band="middle", separate_consent=True)
        assert audits("member.profile_update")[-1].details == {"fields": ["income_band"], "separate_consent": True}

    def test_clearing_a_sensitive_value_needs_no_consent(self, world, member):
        update(member=member, actor=world.a.actor, occupation="Nurse", separate_consent=True)
        profile = update(member=member, actor=world.a.actor, occupation="")
        assert profile.occupation == ""

    def test_a_till_may_not_set_sensitive_or_unlisted_attributes(self, world, member):
        with pytest.raises(SensitiveNotAllowed):
            update(member=member, actor=world.a.actor, allowed=TILL_FIELDS,
                           income_band="high", separate_consent=True)  # fmt: skip
        profile = update(member=member, actor=world.a.actor, allowed=TILL_FIELDS, region="Jing'an")
        assert profile.region == "Jing'an"

    def test_an_alliance_partner_never_sets_sensitive_attributes(self, world, member):
        bean, bean1 = partner("Bean", "BEAN1")
        alliance_create(program=world.program, name="City card", partners=[bean], commission_bp=1_000)
        with pytest.raises(SensitiveNotAllowed):
            update(member=member, actor=bean1.actor, occupation="Chef", separate_consent=True)
        assert update(member=member, actor=bean1.actor, region="Pudong").region == "Pudong"

    def test_the_database_refuses_a_band_outside_the_choices(self, member):
        with pytest.raises(IntegrityError), transaction.atomic():
            Profile.objects.create(member=member, income_band="rich")


class TestTags:
    def test_create_rename_and_audit(self, world):
        tag = tag_create(program=world.program, name="  VIP   client ", description="Call first", actor=world.a.actor,
                         now=now())  # fmt: skip
        assert tag.name == "VIP client"
        tag_rename(tag=tag, name="VIP", description="", actor=world.a.actor, now=now())
        tag.refresh_from_db()
        assert (tag.name, tag.description) == ("VIP", "")
        assert [a.action for a in AuditRecord.objects.filter(object_type="tag")] == ["tag.create", "tag.rename"]

    @pytest.mark.parametrize("name", ["VIP", "vip", " VIP "])
    def test_names_are_unique_per_programme_ignoring_case(self, world, name):
        tag_create(program=world.program, name="VIP", actor=world.a.actor, now=now())
        with pytest.raises(TagExists):
            tag_create(program=world.program, name=name, actor=world.a.actor, now=now())
        other = world_build(name="Other", stores=1)
        assert tag_create(program=other.program, name=name, actor=other.a.actor, now=now()).name == name.strip()

    def test_the_database_keeps_names_unique_too(self, world):
        tag_create(program=world.program, name="VIP", actor=world.a.actor, now=now())
        with pytest.raises(IntegrityError), transaction.atomic():
            Tag.objects.create(program=world.program, name="VIP", created_at=now())

    def test_rename_onto_another_tags_name_is_refused(self, world):
        tag_create(program=world.program, name="VIP", actor=world.a.actor, now=now())
        other = tag_create(program=world.program, name="New", actor=world.a.actor, now=now())
        with pytest.raises(TagExists):
            tag_rename(tag=other, name="vip", description="", actor=world.a.actor, now=now())

    @pytest.mark.parametrize(("name", "description"), [("", ""), ("   ", ""), ("x" * 41, ""), ("ok", "d" * 201)])
    def test_bad_names_are_refused(self, world, name, description):
        with pytest.raises(TagNameInvalid):
            tag_create(program=world.program, name=name, description=description, actor=world.a.actor, now=now())
        assert not Tag.objects.exists()

    def test_only_the_programmes_merchant_manages_its_tags(self, world):
        bean, bean1 = partner("Bean", "BEAN1")
        alliance_create(program=world.program, name="City card", partners=[bean], commission_bp=1_000)
        with pytest.raises(TagNotOwner):
            tag_create(program=world.program, name="VIP", actor=bean1.actor, now=now())
        tag = tag_create(program=world.program, name="VIP", actor=world.a.actor, now=now())
        with pytest.raises(TagNotOwner):
            tag_delete(tag=tag, actor=bean1.actor, now=now())

    def test_delete_an_unused_tag(self, world):
        tag = tag_create(program=world.program, name="VIP", actor=world.a.actor, now=now())
        assert tag_delete(tag=tag, actor=world.a.actor, now=now()) == 0
        assert not Tag.objects.exists()
        assert audits("tag.delete")[0].details == {"name": "VIP", "detached": 0}

    def test_a_used_tag_is_deleted_only_when_detaching_is_confirmed(self, world, member):
        tag = tag_create(program=world.program, name="VIP", actor=world.a.actor, now=now())
        member_tag_add(member=member, tag=tag, actor=world.a.actor, now=now())
        with pytest.raises(TagInUse) as caught:
            tag_delete(tag=tag, actor=world.a.actor, now=now())
        assert "1" in caught.value.text()
        assert MemberTag.objects.count() == 1
        assert tag_delete(tag=tag, actor=world.a.actor, now=now(), detach=True) == 1
        assert not MemberTag.objects.exists()
        assert not Tag.objects.exists()


class TestMemberTags:
    def test_add_once_remove_once_each_audited(self, world, member):
        tag = tag_create(program=world.program, name="VIP", actor=world.a.actor, now=now())
        assert member_tag_add(member=member, tag=tag, actor=world.a.actor, now=now()) is True
        assert member_tag_add(member=member, tag=tag, actor=world.a.actor, now=now()) is False
        assert MemberTag.objects.filter(member=member, tag=tag).count() == 1
        assert member_tag_remove(member=member, tag=tag, actor=world.a.actor, now=now()) is True
        assert member_tag_remove(member=member, tag=tag, actor=world.a.actor, now=now()) is False
        assert [a.action for a in AuditRecord.objects.filter(action__startswith="member.tag")] == [
            "member.tag_add",
            "member.tag_remove",
        ]

    def test_the_database_keeps_a_tag_once_per_member(self, world, member):
        tag = tag_create(program=world.program, name="VIP", actor=world.a.actor, now=now())
        member_tag_add(member=member, tag=tag, actor=world.a.actor, now=now())
        with pytest.raises(IntegrityError), transaction.atomic():
            MemberTag.objects.create(member=member, tag=tag, added_at=now())

    def test_a_tag_of_another_programme_is_refused(self, world, member):
        other = world_build(name="Other", stores=1)
        foreign = tag_create(program=other.program, name="VIP", actor=other.a.actor, now=now())
        with pytest.raises(TagOtherProgram) as caught:
            member_tag_add(member=member, tag=foreign, actor=world.a.actor, now=now())
        assert "another programme" in caught.value.text()
        with pytest.raises(TagOtherProgram):
            member_tag_remove(member=member, tag=foreign, actor=world.a.actor, now=now())
        assert not MemberTag.objects.exists()

    def test_a_staff_member_is_recorded_as_who_added_it(self, world, member):
        org = Org(world.merchant, world.a.store, world.b.store, world.program, world.merchant, world.b.store)
        user = make_staff(org, "cs", "customer_service", [world.a.store])
        actor = Actor(store_id=world.a.store.id, merchant_id=world.merchant.id, currency="CNY", staff_id=user.id)
        tag = tag_create(program=world.program, name="VIP", actor=actor, now=now())
        member_tag_add(member=member, tag=tag, actor=actor, now=now())
        assert MemberTag.objects.get().added_by_id == user.id
