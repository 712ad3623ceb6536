"""Access: a staff member acts only as a store in their scope, and only does what their role allows there."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tessera.access.console.acting import SESSION_STORE_KEY
from tessera.checkout.models import Document
from tessera.console.tests.helpers import balances_of, console, make_staff, sale_data, token_of

pytestmark = pytest.mark.django_db

STORE_PAGES = ["/", "/members/", "/members/create/", "/checkout/sale/", "/checkout/top-up/", "/checkout/report/"]


def _console_views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _console_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_console_view_passes_the_guard():
    """The one permission check: every console view (bar sign-in, sign-out and language) is wrapped by the guard."""
    open_views = {"login/", "logout/", "language/"}
    console_resolver = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "console")
    unguarded = [
        route
        for route, view in _console_views(console_resolver.url_patterns)
        if route not in open_views and not hasattr(view, "console_action")
    ]
    assert unguarded == []


class TestActingAsAnotherStore:
    @pytest.mark.parametrize("url", STORE_PAGES)
    def test_a_cashier_of_store_a_cannot_act_as_store_b(self, org, cashier_a, url):
        client = console(cashier_a, org.b)  # a forged or stale session naming store B
        assert client.get(url).status_code == 403
        assert SESSION_STORE_KEY not in client.session  # the bad choice is forgotten

    def test_a_cashier_of_store_a_cannot_post_a_sale_to_store_b(self, org, cashier_a, wallet_member):
        client = console(cashier_a, org.a)
        token = token_of(client.get("/checkout/sale/").content.decode())
        forged = console(cashier_a, org.b)
        data = sale_data(token, wallet_member.public_id, [("Shirt", 1, "10.00")], [("cash", "10.00")])
        assert forged.post("/checkout/sale/commit/", data).status_code == 403
        assert not Document.objects.filter(kind="sale").exists()

    def test_a_manager_of_store_a_cannot_open_store_bs_report(self, org, manager_a):
        assert console(manager_a, org.a).get("/checkout/report/").status_code == 200
        assert console(manager_a, org.b).get("/checkout/report/").status_code == 403

    def test_staff_of_another_merchant_cannot_act_as_its_stores(self, org):
        stranger = make_staff(org, "stranger", "hq_admin", [], merchant=org.other_merchant)
        assert console(stranger, org.a).get("/").status_code == 403

    def test_an_inactive_store_is_refused(self, org, cashier_a):
        org.a.is_active = False
        org.a.save()
        assert console(cashier_a, org.a).get("/").status_code == 403

    def test_a_form_opened_at_store_a_is_refused_after_switching_to_store_b(self, org, hq, wallet_member):
        client = console(hq, org.a)
        token = token_of(client.get("/checkout/top-up/").content.decode())
        client.post("/store/", {"store": org.b.public_id})
        response = client.post(
            "/checkout/top-up/", {"token": token, "member": wallet_member.public_id, "amount": "100", "tender": "cash"}
        )
        assert response.status_code == 200
        assert "opened for another store" in response.content.decode()
        assert Document.objects.filter(kind="top_up").count() == 1  # only the seeding top-up


class TestRoles:
    def test_cashiers_cannot_open_the_store_report(self, org, cashier_a):
        client = console(cashier_a, org.a)
        assert client.get("/checkout/report/").status_code == 403
        assert "/checkout/report/" not in client.get("/").content.decode()

    def test_cashiers_cannot_change_a_membership_status(self, org, cashier_a, member):
        client = console(cashier_a, org.a)
        response = client.post(f"/members/{member.public_id}/status/", {"status": "frozen"})
        assert response.status_code == 403
        member.refresh_from_db()
        assert member.status == "active"

    def test_managers_can_change_a_membership_status(self, org, manager_a, member):
        client = console(manager_a, org.a)
        response = client.post(f"/members/{member.public_id}/status/", {"status": "frozen", "reason": "lost card"})
        assert response.status_code == 302
        member.refresh_from_db()
        assert member.status == "frozen"


class TestVisibility:
    def test_members_are_visible_at_every_store_serving_the_programme(self, org, member):
        cashier_b = make_staff(org, "cashier.b", "cashier", [org.b])
        response = console(cashier_b, org.b).get(f"/members/{member.public_id}/")
        assert response.status_code == 200
        assert member.name in response.content.decode()

    def test_members_of_another_merchant_are_not_found(self, org, member):
        stranger = make_staff(org, "stranger", "cashier", [org.other_store], merchant=org.other_merchant)
        client = console(stranger, org.other_store)
        assert client.get(f"/members/{member.public_id}/").status_code == 404
        assert client.get(f"/members/?q={member.card_number}").context["rows"] == []

    def test_a_receipt_is_shown_only_at_the_store_that_recorded_it(self, org, hq, wallet_member):
        document = Document.objects.get(kind="top_up")
        assert console(hq, org.a).get(f"/checkout/documents/{document.public_id}/").status_code == 200
        assert console(hq, org.b).get(f"/checkout/documents/{document.public_id}/").status_code == 404

    def test_the_report_counts_only_the_current_store(self, org, hq, wallet_member):
        report_a = console(hq, org.a).get("/checkout/report/").context["report"]
        report_b = console(hq, org.b).get("/checkout/report/").context["report"]
        assert report_a.today.top_ups_count == 1
        assert report_a.today.top_ups_minor == 50_000
        assert report_b.today.top_ups_count == 0
        assert balances_of(wallet_member).sv_total_minor == 55_000
