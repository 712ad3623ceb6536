"""Personal data in the console: masked for every role, revealed one field at a time where the role allows it,
and every reveal audited; searching by the full phone still works for a cashier at the till."""

from __future__ import annotations

import datetime

import pytest

from tessera.audit.models import AuditRecord
from tessera.console.tests.helpers import Org, console, make_staff
from tessera.members.models import Member
from tessera.members.selectors import email_mask
from tessera.testing import member_new, world_build

pytestmark = pytest.mark.django_db

PHONE, EMAIL, BIRTHDAY = "+8613800138000", "li.wei@example.com", "1990-05-01"
FULL = [PHONE, "13800138000", EMAIL, BIRTHDAY]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def world():
    return world_build()


@pytest.fixture
def org(world):
    other = world_build(name="Other", stores=1)
    return Org(world.merchant, world.a.store, world.b.store, world.program, other.merchant, other.a.store)


@pytest.fixture
def member(world):
    found = member_new(world, phone="13800138000")
    Member.objects.filter(id=found.id).update(email=EMAIL, birthday=datetime.date(1990, 5, 1))
    return Member.objects.select_related("program").get(id=found.id)


def staff(org: Org, role: str):
    return make_staff(org, role, role, [org.a])


def reveal(client, member, field, **headers):
    return client.post(f"/members/{member.public_id}/reveal/", {"field": field}, headers=headers)


class TestMasked:
    @pytest.mark.parametrize("role", ["cashier", "customer_service", "store_manager", "hq_admin", "auditor"])
    def test_every_role_sees_the_member_page_masked(self, org, member, role):
        html = console(staff(org, role), org.a).get(f"/members/{member.public_id}/").content.decode()
        assert "+86138****8000" in html
        assert email_mask(EMAIL) in html
        assert "****-**-**" in html
        assert not [value for value in FULL if value in html]

    @pytest.mark.parametrize("role", ["cashier", "store_manager"])
    def test_the_edit_form_shows_nothing_in_full(self, org, member, role):
        html = console(staff(org, role), org.a).get(f"/members/{member.public_id}/update/").content.decode()
        assert "+86138****8000" in html
        assert not [value for value in FULL if value in html]

    def test_a_cashier_finds_a_member_by_the_full_phone_and_sees_it_masked(self, org, member):
        client = console(staff(org, "cashier"), org.a)
        response = client.get("/members/", {"q": "138 0013 8000"}, headers=HTMX)
        html = response.content.decode()
        assert [m.id for m, _phone in response.context["rows"]] == [member.id]
        assert "+86138****8000" in html
        assert PHONE not in html

    @pytest.mark.parametrize(("role", "offered"), [("cashier", False), ("auditor", False), ("customer_service", True)])
    def test_the_reveal_button_shows_only_for_roles_that_may_reveal(self, org, member, role, offered):
        html = console(staff(org, role), org.a).get(f"/members/{member.public_id}/").content.decode()
        assert (f"/members/{member.public_id}/reveal/" in html) is offered


class TestReveal:
    @pytest.mark.parametrize(("field", "value"), [("phone", PHONE), ("email", EMAIL), ("birthday", BIRTHDAY)])
    def test_customer_service_reveals_one_field_and_the_reveal_is_audited(self, org, member, field, value):
        service = staff(org, "customer_service")
        response = reveal(console(service, org.a), member, field, **HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert value in html
        assert "<html" not in html  # the fragment HTMX swaps in place of the masked value
        assert "no-store" in response["Cache-Control"]
        record = AuditRecord.objects.get(action="member.reveal")
        assert (record.object_id, record.details, record.staff_id, record.store_id) == (
            member.public_id, {"field": field}, service.id, org.a.id,
        )  # fmt: skip

    def test_without_htmx_the_member_page_shows_the_one_field_in_full(self, org, member):
        html = reveal(console(staff(org, "store_manager"), org.a), member, "phone").content.decode()
        assert PHONE in html
        assert EMAIL not in html
        assert "Shown in full" in html

    @pytest.mark.parametrize("role", ["cashier", "auditor"])
    def test_cashiers_and_auditors_cannot_reveal(self, org, member, role):
        response = reveal(console(staff(org, role), org.a), member, "phone", **HTMX)
        assert response.status_code == 403
        assert PHONE not in response.content.decode()
        assert not AuditRecord.objects.filter(action="member.reveal").exists()

    def test_an_unknown_field_is_refused_and_not_audited(self, org, member):
        assert reveal(console(staff(org, "hq_admin"), org.a), member, "password").status_code == 400
        assert not AuditRecord.objects.filter(action="member.reveal").exists()

    def test_a_member_of_another_merchant_cannot_be_revealed(self, org, member):
        stranger = make_staff(org, "stranger", "hq_admin", [], merchant=org.other_merchant)
        assert reveal(console(stranger, org.other_store), member, "phone").status_code == 404
        assert not AuditRecord.objects.filter(action="member.reveal").exists()


class TestEdit:
    def test_a_blank_field_keeps_the_value_and_a_tick_removes_it(self, org, member):
        client = console(staff(org, "store_manager"), org.a)
        data = {"name": "Li Wei", "phone": "", "birthday": "", "locale": "en", "email": "", "clear_email": "on"}
        assert client.post(f"/members/{member.public_id}/update/", data).status_code == 302
        member.refresh_from_db()
        assert (member.phone, member.email, str(member.birthday)) == (PHONE, None, BIRTHDAY)

    def test_a_typed_value_replaces_the_current_one(self, org, member):
        client = console(staff(org, "customer_service"), org.a)
        data = {"name": "Li Wei", "phone": "13700137000", "locale": "en", "email": "new@example.com"}
        assert client.post(f"/members/{member.public_id}/update/", data).status_code == 302
        member.refresh_from_db()
        assert (member.phone, member.email) == ("+8613700137000", "new@example.com")
