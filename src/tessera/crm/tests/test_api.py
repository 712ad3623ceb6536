"""The terminal API: the profile a till may know, the attributes it may set, and tags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tessera.audit.models import AuditRecord
from tessera.crm.models import MemberTag, Profile
from tessera.crm.services import profile_update, tag_create
from tessera.kit.clock import now
from tessera.members.models import Member
from tessera.testing import member_new, world_build

pytestmark = pytest.mark.django_db

SECRET_JOB = "Detective inspector"


@pytest.fixture
def world():
    return world_build()


@pytest.fixture
def member(world):
    found = member_new(world)
    Member.objects.filter(id=found.id).update(birthday=dt.date(2000, 1, 1))
    fields = {"occupation": SECRET_JOB, "income_band": "high", "region": "Xuhui"}
    profile_update(member=found, actor=world.a.actor, now=now(), fields=fields, separate_consent=True)
    return Member.objects.select_related("program").get(id=found.id)


def api(shop):
    return Client(HTTP_AUTHORIZATION=f"Bearer {shop.key}")


def patch(shop, member, body):
    return api(shop).patch(f"/api/v1/members/{member.public_id}/profile", body, content_type="application/json")


def test_a_till_gets_the_profile_without_sensitive_attributes(world, member):
    response = api(world.a).get(f"/api/v1/members/{member.public_id}/profile")
    assert response.status_code == 200
    body = response.json()
    assert body["region"] == "Xuhui"
    assert body["age_band"] == "25_34"
    assert "occupation" not in body
    assert "income_band" not in body
    assert SECRET_JOB not in response.content.decode()
    assert "2000-01-01" not in response.content.decode()


def test_a_till_sets_what_it_may_and_leaves_out_what_it_does_not_name(world, member):
    response = patch(world.a, member, {"store": world.a.store.code, "preferences": ["Linen", " linen"]})
    assert response.status_code == 200, response.content
    assert response.json()["preferences"] == ["Linen"]
    profile = Profile.objects.get(member=member)
    assert (profile.region, profile.occupation) == ("Xuhui", SECRET_JOB)
    assert AuditRecord.objects.filter(action="member.profile_update", terminal_id=world.a.terminal.id).exists()


@pytest.mark.parametrize("body", [{"income_band": "low"}, {"occupation": "Chef"}])
def test_a_till_cannot_set_sensitive_attributes(world, member, body):
    response = patch(world.a, member, body)
    assert response.status_code == 422
    assert Profile.objects.get(member=member).income_band == "high"


def test_a_bad_value_gets_a_translated_error(world, member):
    response = patch(world.a, member, {"education": "phd"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "profile_attribute_invalid"


def test_a_till_naming_another_store_is_refused(world, member):
    response = patch(world.a, member, {"store": world.b.store.code, "region": "Pudong"})
    assert response.status_code == 403
    assert Profile.objects.get(member=member).region == "Xuhui"


def test_another_merchants_member_is_not_found(world, member):
    other = world_build(name="Other", stores=1)
    assert api(other.a).get(f"/api/v1/members/{member.public_id}/profile").status_code == 404
    assert patch(other.a, member, {"region": "Pudong"}).status_code == 404
    assert api(other.a).get(f"/api/v1/members/{member.public_id}/tags").status_code == 404


def test_tags_list_add_and_remove(world, member):
    tag_create(program=world.program, name="VIP client", description="Call first", actor=world.a.actor, now=now())
    url = f"/api/v1/members/{member.public_id}/tags"
    listed = api(world.a).get(url).json()
    assert (listed["tags"], listed["available"]) == ([], [{"name": "VIP client", "description": "Call first"}])
    added = api(world.a).post(url, {"tag": "vip client"}, content_type="application/json")
    assert added.status_code == 200, added.content
    assert [t["name"] for t in added.json()["tags"]] == ["VIP client"]
    again = api(world.a).post(url, {"tag": "VIP client"}, content_type="application/json")
    assert again.status_code == 200
    assert MemberTag.objects.filter(member=member).count() == 1
    removed = api(world.a).post(f"{url}/remove", {"tag": "VIP client"}, content_type="application/json")
    assert removed.json()["tags"] == []


def test_a_tag_of_another_programme_is_not_found(world, member):
    other = world_build(name="Other", stores=1)
    tag_create(program=other.program, name="Foreign", actor=other.a.actor, now=now())
    url = f"/api/v1/members/{member.public_id}/tags"
    response = api(world.a).post(url, {"tag": "Foreign"}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "tag_not_found"
    assert not MemberTag.objects.exists()
