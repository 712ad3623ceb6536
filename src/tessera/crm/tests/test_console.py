"""The profile page, its tags, the 360 view and the tag list in the console."""

from __future__ import annotations

import datetime as dt

import pytest

from tessera.audit.models import AuditRecord
from tessera.checkout.commands import LineIn, SaleIn, TenderIn
from tessera.checkout.models import Document, DocumentLine
from tessera.checkout.services import sale_commit
from tessera.console.tests.helpers import Org, console, make_staff
from tessera.crm.models import MemberTag, Profile, Tag
from tessera.crm.services import member_tag_add, profile_update, tag_create
from tessera.kit.clock import now
from tessera.members.models import Member
from tessera.programs.services import alliance_create
from tessera.settlement.tests.test_alliance_month import partner
from tessera.testing import give_back, key, member_new, world_build

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SECRET_JOB = "Detective inspector"


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
    Member.objects.filter(id=found.id).update(birthday=dt.date(1990, 5, 1), gender="female")
    fields = {"occupation": SECRET_JOB, "income_band": "upper_middle", "region": "Xuhui", "education": "bachelor"}
    profile_update(member=found, actor=world.a.actor, now=now(), fields=fields, separate_consent=True)
    return Member.objects.select_related("program").get(id=found.id)


def staff(org, role):
    return make_staff(org, role, role, [org.a])


def page(client, member, suffix="profile/", **kw):
    response = client.get(f"/members/{member.public_id}/{suffix}", **kw)
    return response, response.content.decode()


class TestProfilePage:
    @pytest.mark.parametrize("role", ["cashier", "customer_service", "store_manager", "hq_admin", "auditor"])
    def test_every_role_sees_sensitive_attributes_masked(self, org, member, role):
        response, html = page(console(staff(org, role), org.a), member)
        assert response.status_code == 200
        assert SECRET_JOB not in html
        assert "Upper middle" not in html
        assert "Xuhui" in html
        assert "Bachelor" in html
        assert "35–44" in html  # the age band; the birthday stays masked
        assert "1990-05-01" not in html
        assert "To suggest offers in a price range that suits the member." in html

    @pytest.mark.parametrize(("role", "offered"), [("cashier", False), ("auditor", False), ("customer_service", True)])
    def test_the_reveal_button_shows_only_for_roles_that_may_reveal(self, org, member, role, offered):
        _response, html = page(console(staff(org, role), org.a), member)
        assert (f"/members/{member.public_id}/profile/reveal/" in html) is offered

    def test_a_reveal_shows_one_attribute_and_is_audited(self, org, member):
        service = staff(org, "customer_service")
        url = f"/members/{member.public_id}/profile/reveal/"
        response = console(service, org.a).post(url, {"field": "occupation"}, headers=HTMX)
        html = response.content.decode()
        assert SECRET_JOB in html
        assert "Upper middle" not in html
        assert "<html" not in html
        assert "no-store" in response["Cache-Control"]
        record = AuditRecord.objects.get(action="member.reveal")
        assert (record.object_id, record.details, record.staff_id) == (member.public_id, {"field": "occupation"},
                                                                       service.id)  # fmt: skip

    def test_cashiers_cannot_reveal_and_nothing_is_recorded(self, org, member):
        url = f"/members/{member.public_id}/profile/reveal/"
        response = console(staff(org, "cashier"), org.a).post(url, {"field": "income_band"})
        assert response.status_code == 403
        assert not AuditRecord.objects.filter(action="member.reveal").exists()

    def test_a_field_that_is_not_sensitive_is_not_revealed_here(self, org, member):
        url = f"/members/{member.public_id}/profile/reveal/"
        assert console(staff(org, "hq_admin"), org.a).post(url, {"field": "phone"}).status_code == 400
        assert not AuditRecord.objects.filter(action="member.reveal").exists()

    def test_another_merchants_member_is_not_found(self, org, member):
        stranger = make_staff(org, "stranger", "hq_admin", [], merchant=org.other_merchant)
        client = console(stranger, org.other_store)
        for suffix in ("profile/", "360/", "profile/edit/"):
            assert page(client, member, suffix)[0].status_code == 404
        url = f"/members/{member.public_id}/profile/reveal/"
        assert client.post(url, {"field": "occupation"}).status_code == 404


class TestProfileEdit:
    def test_a_cashier_edits_only_what_is_not_sensitive(self, org, member):
        client = console(staff(org, "cashier"), org.a)
        _response, html = page(client, member, "profile/edit/")
        assert 'name="occupation"' not in html
        assert 'name="region"' in html
        data = {"education": "master", "region": "Jing'an", "preferences": "Linen，Silk、 kids wear"}
        assert client.post(f"/members/{member.public_id}/profile/edit/", data).status_code == 422  # bad choice
        data["education"] = "postgraduate"
        assert client.post(f"/members/{member.public_id}/profile/edit/", data).status_code == 302
        profile = Profile.objects.get(member=member)
        assert (profile.region, profile.preferences, profile.occupation) == (
            "Jing'an", ["Linen", "Silk", "kids wear"], SECRET_JOB)  # fmt: skip

    def test_a_cashier_posting_a_sensitive_field_changes_nothing_sensitive(self, org, member):
        client = console(staff(org, "cashier"), org.a)
        data = {"education": "bachelor", "region": "Xuhui", "occupation": "Chef", "clear_income_band": "on",
                "separate_consent": "on"}  # fmt: skip
        assert client.post(f"/members/{member.public_id}/profile/edit/", data).status_code == 302
        profile = Profile.objects.get(member=member)
        assert (profile.occupation, profile.income_band) == (SECRET_JOB, "upper_middle")

    def test_the_edit_form_starts_sensitive_fields_blank_and_blank_keeps_them(self, org, member):
        client = console(staff(org, "store_manager"), org.a)
        _response, html = page(client, member, "profile/edit/")
        assert 'name="occupation"' in html
        assert SECRET_JOB not in html
        data = {"education": "bachelor", "region": "Xuhui", "preferences": "", "occupation": "", "income_band": ""}
        assert client.post(f"/members/{member.public_id}/profile/edit/", data).status_code == 302
        assert Profile.objects.get(member=member).occupation == SECRET_JOB

    def test_a_new_sensitive_value_needs_the_consent_tick(self, org, member):
        client = console(staff(org, "store_manager"), org.a)
        data = {"education": "bachelor", "region": "Xuhui", "income_band": "high"}
        response = client.post(f"/members/{member.public_id}/profile/edit/", data)
        assert response.status_code == 422
        assert "separately" in response.content.decode()
        assert Profile.objects.get(member=member).income_band == "upper_middle"
        data["separate_consent"] = "on"
        assert client.post(f"/members/{member.public_id}/profile/edit/", data).status_code == 302
        assert Profile.objects.get(member=member).income_band == "high"

    def test_a_tick_removes_a_sensitive_value(self, org, member):
        client = console(staff(org, "store_manager"), org.a)
        data = {"education": "bachelor", "region": "Xuhui", "clear_occupation": "on"}
        assert client.post(f"/members/{member.public_id}/profile/edit/", data).status_code == 302
        assert Profile.objects.get(member=member).occupation == ""


class TestMemberTags:
    def test_add_and_remove_with_htmx(self, org, world, member):
        tag = tag_create(program=world.program, name="VIP client", actor=world.a.actor, now=now())
        client = console(staff(org, "cashier"), org.a)
        response = client.post(f"/members/{member.public_id}/tags/add/", {"tag": tag.id}, headers=HTMX)
        assert response.status_code == 200
        assert "VIP client" in response.content.decode()
        assert MemberTag.objects.filter(member=member, tag=tag).exists()
        client.post(f"/members/{member.public_id}/tags/remove/", {"tag": tag.id}, headers=HTMX)
        assert not MemberTag.objects.filter(member=member).exists()

    def test_a_tag_of_another_merchants_programme_is_not_found(self, org, member):
        other = world_build(name="Third", stores=1)
        foreign = tag_create(program=other.program, name="VIP", actor=other.a.actor, now=now())
        client = console(staff(org, "cashier"), org.a)
        response = client.post(f"/members/{member.public_id}/tags/add/", {"tag": foreign.id}, follow=True)
        assert "The programme has no such tag." in response.content.decode()
        assert not MemberTag.objects.exists()

    def test_an_auditor_sees_tags_but_cannot_change_them(self, org, world, member):
        tag = tag_create(program=world.program, name="VIP client", actor=world.a.actor, now=now())
        member_tag_add(member=member, tag=tag, actor=world.a.actor, now=now())
        client = console(staff(org, "auditor"), org.a)
        _response, html = page(client, member)
        assert "VIP client" in html
        assert "/tags/remove/" not in html
        assert client.post(f"/members/{member.public_id}/tags/remove/", {"tag": tag.id}).status_code == 403
        assert MemberTag.objects.exists()


def _sale(shop, member, lines, at):
    command = SaleIn(member=member.public_id, pos_number=f"S-{key()}", event_at=at, currency="CNY",
                     lines=tuple(lines), tenders=(TenderIn("cash", sum(li.quantity * li.unit_price_minor
                                                                         for li in lines)),))  # fmt: skip
    return sale_commit(actor=shop.actor, sale=command, request_key=key(), now=now()).body


def _imported_sale(world, member, at):
    doc = Document.objects.create(kind=Document.Kind.IMPORTED_SALE, program=world.program, store=world.a.store,
                                  member=member, pos_number="OLD-1", currency="CNY", total_minor=5_000,
                                  fingerprint="x", receipt={}, event_at=at, created_at=at)  # fmt: skip
    DocumentLine.objects.create(document=doc, line_no=1, sku="OLD-SKU", name="Old coat", brand="Heritage",
                                category="coats", quantity=1, unit_price_minor=5_000, amount_minor=5_000)  # fmt: skip


class Test360:
    def test_lines_by_brand_item_price_quantity_and_store_time(self, org, world, member):
        at = dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC)  # 10:30 in Shanghai
        sale = _sale(world.a, member, [LineIn(1, "DR-1", "Linen dress", 2, 30_000, brand="Silk Road",
                                              category="dresses"),
                                       LineIn(2, "SC-9", "Scarf", 1, 8_000, brand="Aster", category="accessories")],
                     at)  # fmt: skip
        give_back(world.a, sale["pos_number"], [(2, 1)])
        _imported_sale(world, member, dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
        response, html = page(console(staff(org, "cashier"), org.a), member, "360/")
        assert response.status_code == 200
        for text in ("Linen dress", "DR-1", "Silk Road", "Scarf", "Old coat", "Heritage", "2026-03-01 10:30",
                     "Imported sale", "Return", "dresses"):  # fmt: skip
            assert text in html, text
        purchases = response.context["purchases"]
        assert purchases.count == 4
        assert [r.quantity for r in purchases.rows if r.sku == "SC-9"] == [-1, 1]
        brands = {s.key: (s.quantity, s.amount_minor) for s in response.context["by_brand"]}
        assert brands == {"Silk Road": (2, 60_000), "Heritage": (1, 5_000), "Aster": (0, 0)}
        categories = [s.key for s in response.context["by_category"]]
        assert categories[:2] == ["dresses", "coats"]
        assert SECRET_JOB not in html

    def test_paginated_newest_first(self, org, world, member):
        start = now() - dt.timedelta(days=40)
        for day in range(30):
            _sale(world.a, member, [LineIn(1, f"SKU-{day:02d}", "Tee", 1, 1_000)], start + dt.timedelta(days=day))
        client = console(staff(org, "cashier"), org.a)
        first = client.get(f"/members/{member.public_id}/360/").context["purchases"]
        second = client.get(f"/members/{member.public_id}/360/", {"page": "2"}, headers=HTMX)
        assert (first.number, first.pages, first.count, first.rows[0].sku) == (1, 2, 30, "SKU-29")
        assert second.context["purchases"].rows[-1].sku == "SKU-00"
        assert "<html" not in second.content.decode()
        assert client.get(f"/members/{member.public_id}/360/", {"page": "x"}).context["purchases"].number == 1

    def test_an_alliance_partner_sees_only_its_own_sales_until_the_member_consents(self, world, member):
        bean, bean1 = partner("Bean", "BEAN1")
        alliance_create(program=world.program, name="City card", partners=[bean], commission_bp=1_000)
        _sale(world.a, member, [LineIn(1, "SILK-1", "Silk shirt", 1, 20_000, brand="Silk")], now())
        _sale(bean1, member, [LineIn(1, "BEAN-1", "Latte", 1, 3_000, brand="Bean")], now())
        barista = make_staff(Org(bean, bean1.store, bean1.store, world.program, world.merchant, world.a.store),
                             "barista", "store_manager", [bean1.store], merchant=bean)  # fmt: skip
        client = console(barista, bean1.store)
        response, html = page(client, member, "360/")
        assert "Latte" in html
        assert "Silk shirt" not in html
        assert response.context["stats"] is None
        assert [s.key for s in response.context["by_brand"]] == ["Bean"]
        Member.objects.filter(id=member.id).update(partners_may_see_history_since=now())
        assert "Silk shirt" in page(client, member, "360/")[1]

    def test_an_alliance_partner_never_sees_sensitive_attributes(self, world, member):
        bean, bean1 = partner("Bean", "BEAN1")
        alliance_create(program=world.program, name="City card", partners=[bean], commission_bp=1_000)
        manager = make_staff(Org(bean, bean1.store, bean1.store, world.program, world.merchant, world.a.store),
                             "bean-manager", "store_manager", [bean1.store], merchant=bean)  # fmt: skip
        client = console(manager, bean1.store)
        _response, html = page(client, member)
        assert "/profile/reveal/" not in html
        response = client.post(f"/members/{member.public_id}/profile/reveal/", {"field": "occupation"})
        assert response.status_code == 403
        assert SECRET_JOB not in response.content.decode()


class TestTagList:
    def test_hq_creates_renames_and_deletes_with_member_counts(self, org, world, member):
        client = console(staff(org, "hq_admin"), org.a)
        assert client.post("/members/tags/", {"name": "Kids wear fans", "description": "3+ kids' purchases"}
                           ).status_code == 302  # fmt: skip
        tag = Tag.objects.get()
        member_tag_add(member=member, tag=tag, actor=world.a.actor, now=now())
        response = client.get("/members/tags/")
        assert [(t.name, t.member_count) for t in response.context["tags"]] == [("Kids wear fans", 1)]
        client.post("/members/tags/rename/", {"tag": tag.id, "name": "Kids fans", "description": ""})
        assert Tag.objects.get().name == "Kids fans"
        client.post("/members/tags/delete/", {"tag": tag.id})  # in use, not confirmed
        assert Tag.objects.exists()
        client.post("/members/tags/delete/", {"tag": tag.id, "detach": "on"})
        assert not Tag.objects.exists()

    def test_a_duplicate_name_is_refused_on_the_form(self, org, world):
        tag_create(program=world.program, name="VIP", actor=world.a.actor, now=now())
        response = console(staff(org, "hq_admin"), org.a).post("/members/tags/", {"name": "vip"})
        assert response.status_code == 422
        assert "already has a tag" in response.content.decode()
        assert Tag.objects.count() == 1

    @pytest.mark.parametrize("role", ["cashier", "customer_service", "store_manager", "auditor"])
    def test_only_the_operations_centre_manages_tags(self, org, role):
        client = console(staff(org, role), org.a)
        assert client.get("/members/tags/").status_code == 403
        assert client.post("/members/tags/", {"name": "VIP"}).status_code == 403
        assert not Tag.objects.exists()

    def test_another_merchants_tag_cannot_be_renamed_or_deleted(self, org):
        other = world_build(name="Third", stores=1)
        foreign = tag_create(program=other.program, name="VIP", actor=other.a.actor, now=now())
        client = console(staff(org, "hq_admin"), org.a)
        client.post("/members/tags/rename/", {"tag": foreign.id, "name": "Mine", "description": ""})
        client.post("/members/tags/delete/", {"tag": foreign.id, "detach": "on"})
        assert Tag.objects.get().name == "VIP"
