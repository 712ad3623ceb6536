"""Members imported from another system: known by their old id, possibly without a phone, and everything that
reads a phone copes; enrolment at the till and in the console still asks for one (ADR 0019)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from tessera.console.tests.helpers import Org, console, make_staff
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.members.console.forms import EnrolForm
from tessera.members.models import Member
from tessera.members.selectors import member_find, member_personal_masked, member_summary
from tessera.members.services import ImportedPerson, Profile, member_enroll, member_update, members_import_create
from tessera.messaging.models import OutboxMessage
from tessera.points.jobs import points_expiry_run
from tessera.testing import member_new, sell, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return world_build(points_expiry_policy="end_of_year_after", points_expiry_months=0, points_expiry_reminder_days=30)


def imported(world, *people):
    with transaction.atomic():
        ids = members_import_create(program=world.program, people=people, store_id=world.a.store.id, now=now())
    return [Member.objects.select_related("program").get(id=i) for i in ids]


def test_many_members_without_a_phone_share_a_programme(world):
    first, second = imported(world, ImportedPerson("17850", "", "Customer 17850"), ImportedPerson("13047", "", "B"))
    assert (first.phone, second.phone) == ("", "")
    assert first.card_number != second.card_number
    assert first.stats.purchase_count == 0


def test_the_previous_systems_id_names_one_member_per_programme(world):
    imported(world, ImportedPerson("17850", "", "A"))
    (second,) = imported(world, ImportedPerson("13047", "", "B"))
    other = world_build(name="Other")
    imported(other, ImportedPerson("17850", "", "Same id, other programme"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(id=second.id).update(external_ref="17850")


def test_a_phone_given_by_the_import_is_unique_like_any_other(world):
    member_new(world, phone="13800138000")
    with pytest.raises(IntegrityError):
        imported(world, ImportedPerson("X1", "+8613800138000", "Clash"))


def test_a_member_without_a_phone_shows_no_masked_phone(world):
    (member,) = imported(world, ImportedPerson("17850", "", "Customer 17850"))
    assert member_summary(member)["phone_masked"] == ""
    assert member_personal_masked(member).phone == ""


def test_searching_with_nothing_or_a_blank_phone_finds_no_imported_member(world):
    imported(world, ImportedPerson("17850", "", "Customer 17850"))
    assert member_find(merchant_id=world.merchant.id, query="") == []
    assert member_find(merchant_id=world.merchant.id, query="   ") == []


def test_enrolment_still_needs_a_phone(world):
    with pytest.raises(DomainError) as refused:
        member_enroll(program=world.program, profile=Profile(phone="", name="No Phone"), actor=world.a.actor,
                      now=now())  # fmt: skip
    assert refused.value.code == "phone_invalid"
    form = EnrolForm(data={"program": world.program.id, "name": "No Phone", "phone": "", "locale": "en"},
                     programs=[world.program], store_id=world.a.store.id, staff_id=None, now=now())  # fmt: skip
    assert not form.is_valid()
    assert "phone" in form.errors


def test_an_imported_member_without_a_phone_can_be_edited_and_given_one_later(world):
    (member,) = imported(world, ImportedPerson("17850", "", "Customer 17850"))
    renamed = member_update(member=member, profile=Profile(phone="", name="Mary Jones"), actor=world.a.actor, now=now())
    assert (renamed.name, renamed.phone) == ("Mary Jones", "")
    given = member_update(member=renamed, profile=Profile(phone="13900139000", name="Mary Jones"),
                          actor=world.a.actor, now=now())  # fmt: skip
    assert given.phone == "+8613900139000"
    with pytest.raises(DomainError):  # once a member has a phone, an edit cannot take it away
        member_update(member=given, profile=Profile(phone="", name="Mary Jones"), actor=world.a.actor, now=now())


def test_the_console_member_page_and_edit_form_work_without_a_phone(world):
    (member,) = imported(world, ImportedPerson("17850", "", "Customer 17850"))
    org = Org(world.merchant, world.a.store, world.b.store, world.program, world.merchant, world.a.store)
    client = console(make_staff(org, "manager", "store_manager", [org.a]), org.a)
    assert client.get(f"/members/{member.public_id}/").status_code == 200
    data = {"name": "Mary Jones", "phone": "", "birthday": "", "locale": "en", "email": ""}
    assert client.post(f"/members/{member.public_id}/update/", data).status_code == 302
    member.refresh_from_db()
    assert (member.name, member.phone) == ("Mary Jones", "")


def test_points_reminders_skip_members_without_a_phone(world):
    (no_phone,) = imported(world, ImportedPerson("17850", "", "Customer 17850"))
    with_phone = member_new(world)
    with time_machine.travel(datetime.fromisoformat("2026-05-01T10:00:00+08:00"), tick=False):
        sell(world.a, no_phone, [(1, 10000)])
        sell(world.a, with_phone, [(1, 10000)])
    with time_machine.travel(datetime.fromisoformat("2026-12-10T00:05:00+08:00"), tick=False):
        points_expiry_run(program_id=world.program.id, local_date=date(2026, 12, 10))
    reminded = [m.payload["member_id"] for m in OutboxMessage.objects.filter(kind="points.expiring")]
    assert reminded == [with_phone.public_id]
