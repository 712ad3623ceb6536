"""Member pages: search, the member view, enrolment, profile changes and status changes."""

from __future__ import annotations

import pytest

from tessera.audit.models import AuditRecord
from tessera.checkout.commands import RedemptionIn, TopUpIn
from tessera.checkout.services import points_redeem, top_up_commit
from tessera.console.tests.helpers import console, make_staff, system_actor, token_of
from tessera.kit.cards import card_code_payload
from tessera.kit.clock import now
from tessera.members.models import Member

pytestmark = pytest.mark.django_db


class TestSearch:
    @pytest.mark.parametrize("field", ["phone", "card_number", "card_code", "payload"])
    def test_finds_a_member_by_phone_card_number_or_card_code(self, org, cashier_a, member, field):
        query = {
            "phone": "138 0013 8000",
            "card_number": member.card_number,
            "card_code": member.card_code,
            "payload": card_code_payload(member.card_code),
        }[field]
        response = console(cashier_a, org.a).get("/members/", {"q": query})
        assert response.status_code == 302
        assert response["Location"] == f"/members/{member.public_id}/"

    def test_htmx_search_answers_with_the_results_only(self, org, cashier_a, member):
        response = console(cashier_a, org.a).get("/members/", {"q": member.card_number}, headers={"HX-Request": "true"})
        html = response.content.decode()
        assert member.name in html
        assert "<html" not in html
        assert "138****8000" in html

    def test_a_submitted_htmx_search_with_one_match_opens_the_member(self, org, cashier_a, member):
        headers = {"HX-Request": "true", "HX-Trigger": "member-search"}
        response = console(cashier_a, org.a).get("/members/", {"q": member.card_number}, headers=headers)
        assert response["HX-Redirect"] == f"/members/{member.public_id}/"

    def test_no_match_says_so(self, org, cashier_a, member):
        response = console(cashier_a, org.a).get("/members/", {"q": "13900000000"})
        assert "No member matches" in response.content.decode()


class TestMemberView:
    def test_shows_card_qr_balances_and_history(self, org, cashier_a, wallet_member):
        html = console(cashier_a, org.a).get(f"/members/{wallet_member.public_id}/").content.decode()
        assert "<svg" in html
        assert "qrline" in html
        assert wallet_member.card_number in html
        assert "¥500.00" in html
        assert "¥50.00" in html
        assert "Top-up" in html
        assert org.a.name in html
        assert wallet_member.card_code not in html  # the QR carries the code; the page never prints it

    def test_cashiers_and_managers_alike_see_the_phone_masked(self, org, cashier_a, manager_a, member):
        for user in (cashier_a, manager_a):
            html = console(user, org.a).get(f"/members/{member.public_id}/").content.decode()
            assert "+86138****8000" in html
            assert "+8613800138000" not in html

    def test_history_times_are_in_the_store_time_zone(self, org, cashier_a, wallet_member):
        response = console(cashier_a, org.a).get(f"/members/{wallet_member.public_id}/")
        item = response.context["history"][0]
        assert item.row.store_timezone == "Asia/Shanghai"
        assert item.reason == "Top-up"

    def test_history_is_paginated(self, org, cashier_a, wallet_member):
        for n in range(30):  # below the bonus band: one member entry each
            top_up = TopUpIn(wallet_member.public_id, f"T{n}", now(), "CNY", 100)
            top_up_commit(actor=system_actor(org.a), top_up=top_up, request_key=f"t{n}", now=now())
        client = console(cashier_a, org.a)
        first = client.get(f"/members/{wallet_member.public_id}/")
        assert len(first.context["history"]) == 25
        older = first.context["next_before"]
        second = client.get(
            f"/members/{wallet_member.public_id}/history/?before={older}", headers={"HX-Request": "true"}
        )
        assert len(second.context["history"]) == 2 + 30 - 25  # the seeding top-up made two entries
        assert second.context["next_before"] is None

    def test_an_unknown_member_is_a_404(self, org, cashier_a):
        assert console(cashier_a, org.a).get("/members/mbr_01jzzzzzzzzzzzzzzzzzzzzzzz/").status_code == 404


class TestEnrol:
    def _data(self, client, **over):
        token = token_of(client.get("/members/create/").content.decode())
        return {"token": token, "program": "", "name": "Park Min", "phone": "13912345678", "locale": "ko", **over}

    def test_posting_twice_enrols_once(self, org, cashier_a):
        client = console(cashier_a, org.a)
        data = self._data(client, program=str(org.program.id))
        first = client.post("/members/create/", data)
        again = client.post("/members/create/", data)
        assert first["Location"] == again["Location"]
        member = Member.objects.get(phone="+8613912345678")
        assert first["Location"] == f"/members/{member.public_id}/"
        assert member.enrolled_store_id == org.a.id

    def test_an_invalid_phone_is_refused_with_a_translated_message(self, org, cashier_a):
        client = console(cashier_a, org.a)
        data = self._data(client, program=str(org.program.id), phone="12345")
        client.cookies["django_language"] = "zh-hans"
        response = client.post("/members/create/", data)
        assert response.status_code == 200
        assert "12345 不是有效的手机号码。" in response.content.decode()
        assert not Member.objects.filter(name="Park Min").exists()

    def test_a_phone_already_enrolled_is_refused(self, org, cashier_a, member):
        client = console(cashier_a, org.a)
        response = client.post("/members/create/", self._data(client, program=str(org.program.id), phone="13800138000"))
        assert "already belongs to the programme" in response.content.decode()
        assert Member.objects.count() == 1


class TestEdit:
    def test_a_cashier_leaves_the_hidden_phone_unchanged(self, org, cashier_a, member):
        client = console(cashier_a, org.a)
        form = client.get(f"/members/{member.public_id}/update/")
        assert "13800138000" not in form.content.decode()
        data = {"name": "Li Wei-Ming", "phone": "", "birthday": "", "gender": "", "locale": "zh-hans", "email": ""}
        assert client.post(f"/members/{member.public_id}/update/", data).status_code == 302
        member.refresh_from_db()
        assert (member.name, member.phone) == ("Li Wei-Ming", "+8613800138000")
        assert AuditRecord.objects.filter(action="member.update", object_id=member.public_id).exists()

    def test_a_manager_changes_the_phone(self, org, manager_a, member):
        client = console(manager_a, org.a)
        data = {"name": "Li Wei", "phone": "13700137000", "birthday": "1990-05-01", "locale": "en", "email": ""}
        assert client.post(f"/members/{member.public_id}/update/", data).status_code == 302
        member.refresh_from_db()
        assert member.phone == "+8613700137000"
        assert str(member.birthday) == "1990-05-01"


class TestCardCode:
    def test_customer_service_issues_a_new_card_code_and_the_old_one_stops_working(self, org, member):
        service = make_staff(org, "service", "customer_service", [])
        client = console(service, org.a)
        old_code = member.card_code
        assert client.post(f"/members/{member.public_id}/card-code/").status_code == 302
        member.refresh_from_db()
        assert member.card_code != old_code
        assert client.get("/members/", {"q": old_code}).context["rows"] == []
        assert AuditRecord.objects.filter(action="member.card_code", object_id=member.public_id).exists()

    def test_cashiers_cannot_issue_a_card_code(self, org, cashier_a, member):
        old_code = member.card_code
        assert console(cashier_a, org.a).post(f"/members/{member.public_id}/card-code/").status_code == 403
        member.refresh_from_db()
        assert member.card_code == old_code


class TestStatus:
    def test_a_manager_freezes_unfreezes_and_closes(self, org, manager_a, member):
        client = console(manager_a, org.a)
        for target in ["frozen", "active"]:
            client.post(f"/members/{member.public_id}/status/", {"status": target})
            member.refresh_from_db()
            assert member.status == target
        client.post(f"/members/{member.public_id}/close/", {"reason": "moved abroad"})
        member.refresh_from_db()
        assert member.status == "closed"
        closing = AuditRecord.objects.filter(action="member.status", object_id=member.public_id).last()
        assert (closing.details["to"], closing.details["reason"]) == ("closed", "moved abroad")

    def test_the_status_form_does_not_close(self, org, manager_a, member):
        response = console(manager_a, org.a).post(f"/members/{member.public_id}/status/", {"status": "closed"})
        assert response.status_code == 302
        member.refresh_from_db()
        assert member.status == "active"

    def test_customer_service_freezes_but_cannot_close(self, org, member):
        service = make_staff(org, "service", "customer_service", [])
        client = console(service, org.b)
        assert client.post(f"/members/{member.public_id}/status/", {"status": "frozen"}).status_code == 302
        assert client.post(f"/members/{member.public_id}/close/").status_code == 403
        member.refresh_from_db()
        assert member.status == "frozen"

    def test_a_closed_membership_cannot_reopen(self, org, manager_a, member):
        client = console(manager_a, org.a)
        client.post(f"/members/{member.public_id}/close/")
        response = client.post(f"/members/{member.public_id}/status/", {"status": "active"}, follow=True)
        assert "cannot become" in response.content.decode()
        member.refresh_from_db()
        assert member.status == "closed"

    def test_a_frozen_member_cannot_redeem_at_the_till(self, org, manager_a, wallet_member):
        console(manager_a, org.a).post(f"/members/{wallet_member.public_id}/status/", {"status": "frozen"})
        redemption = RedemptionIn(wallet_member.public_id, "P1", now(), 1)
        with pytest.raises(Exception, match="member_not_active"):
            points_redeem(actor=system_actor(org.a), redemption=redemption, request_key="p1", now=now())
