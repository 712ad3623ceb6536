"""Enrolment, lookup, profile changes and status, each audited."""

from __future__ import annotations

from datetime import date

import pytest

from tessera.audit.models import AuditRecord
from tessera.kit.cards import luhn_is_valid
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.models import Account
from tessera.members.models import Member
from tessera.members.selectors import member_find
from tessera.members.services import Profile, member_card_code_rotate, member_enroll, member_status_set, member_update
from tessera.testing import member_new, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return world_build()


def enrol(world, phone, **profile):
    body = member_enroll(
        program=world.program, profile=Profile(phone=phone, name="Zhang Wei", **profile), actor=world.a.actor, now=now()
    ).body
    return Member.objects.get(public_id=body["member_id"])


class TestEnrol:
    def test_phone_is_stored_in_e164_and_the_card_has_a_check_digit(self, world):
        member = enrol(world, "138 0013 8000", birthday=date(1990, 2, 28), gender="female", locale="zh-hans")
        assert member.phone == "+8613800138000"
        assert len(member.card_number) == 16
        assert luhn_is_valid(member.card_number)
        assert len(member.card_code) >= 20
        assert Account.objects.filter(member=member).count() == 4
        assert AuditRecord.objects.filter(action="member.enroll", object_id=member.public_id).count() == 1

    def test_korean_numbers_are_read_in_the_programmes_region(self):
        world = world_build(country="KR", timezone="Asia/Seoul", currency="KRW")
        assert enrol(world, "010-1234-5678").phone == "+821012345678"

    @pytest.mark.parametrize("phone", ["12345", "abc", "+86 000", ""])
    def test_malformed_phone_is_refused(self, world, phone):
        with pytest.raises(DomainError) as exc:
            enrol(world, phone)
        assert exc.value.code == "phone_invalid"
        assert not Member.objects.exists()

    def test_one_live_membership_per_phone(self, world):
        first = enrol(world, "13800138000")
        with pytest.raises(DomainError) as exc:
            enrol(world, "+86 13800138000")
        assert exc.value.code == "member_exists"
        member_status_set(member=first, status="closed", reason="asked", actor=world.a.actor, now=now())
        assert enrol(world, "13800138000").id != first.id

    def test_bad_details_are_refused(self, world):
        for details in [{"gender": "x"}, {"locale": "fr"}, {"birthday": date(1800, 1, 1)}, {"email": "no-at"}]:
            with pytest.raises(DomainError) as exc:
                enrol(world, "13800138000", **details)
            assert exc.value.code == "profile_invalid"

    def test_enrolment_is_idempotent_with_a_key(self, world):
        args = {"program": world.program, "profile": Profile(phone="13800138000", name="Li"), "actor": world.a.actor}
        first = member_enroll(**args, now=now(), request_key="enrol-1")
        again = member_enroll(**args, now=now(), request_key="enrol-1")
        assert again.replayed
        assert again.body == first.body
        assert Member.objects.count() == 1


class TestLookup:
    def test_by_phone_card_and_code_in_any_form(self, world):
        member = member_new(world, phone="13800138000")
        for query in [
            "13800138000",
            "+86 138-0013-8000",
            member.card_number,
            f"{member.card_number[:4]} {member.card_number[4:]}",
            member.card_code,
            member.public_id,
        ]:
            assert member_find(merchant_id=world.merchant.id, query=query) == [member], query

    def test_a_mistyped_card_number_fails_its_check_digit(self, world):
        member = member_new(world)
        wrong = member.card_number[:-1] + str((int(member.card_number[-1]) + 1) % 10)
        assert member_find(merchant_id=world.merchant.id, query=wrong) == []

    def test_a_rotated_code_stops_working(self, world):
        member = member_new(world)
        old = member.card_code
        member_card_code_rotate(member=member, actor=world.a.actor, now=now())
        assert member_find(merchant_id=world.merchant.id, query=old) == []

    def test_other_merchants_members_are_invisible(self, world):
        member = member_new(world, phone="13800138000")
        rival = world_build(name="Rival")
        assert member_find(merchant_id=rival.merchant.id, query="13800138000") == []
        assert member_find(merchant_id=rival.merchant.id, query=member.card_number) == []


class TestChanges:
    def test_update_audits_which_fields_changed_not_their_values(self, world):
        member = member_new(world, phone="13800138000")
        member_update(
            member=member, profile=Profile(phone="13900139000", name="New Name"), actor=world.a.actor, now=now()
        )
        record = AuditRecord.objects.get(action="member.update")
        assert record.details == {"fields": ["phone", "name"]}
        assert "13900139000" not in str(record.details)

    def test_status_moves_and_closing_is_final(self, world):
        member = member_new(world)
        actor = world.a.actor
        member = member_status_set(member=member, status="frozen", reason="", actor=actor, now=now())
        member = member_status_set(member=member, status="active", reason="", actor=actor, now=now())
        member = member_status_set(member=member, status="closed", reason="", actor=actor, now=now())
        with pytest.raises(DomainError) as exc:
            member_status_set(member=member, status="active", reason="", actor=actor, now=now())
        assert exc.value.code == "status_change_invalid"
