"""Signing in and out, choosing a store, and the idle and absolute session limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from tessera.access.console.acting import SESSION_STORE_KEY
from tessera.console.tests.helpers import PASSWORD, console, make_staff
from tessera.kit.clock import now

pytestmark = pytest.mark.django_db


class TestLogin:
    def test_anonymous_staff_are_sent_to_sign_in(self, org):
        response = Client().get("/members/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=/members/")

    def test_a_single_store_cashier_lands_on_home_at_their_store(self, org, cashier_a):
        client = Client()
        response = client.post("/login/", {"username": "cashier.a", "password": PASSWORD}, follow=True)
        assert response.status_code == 200
        assert client.session[SESSION_STORE_KEY] == org.a.id
        assert org.a.name in response.content.decode()

    def test_a_wrong_password_is_refused_with_a_message(self, org, cashier_a):
        response = Client().post("/login/", {"username": "cashier.a", "password": "wrong password"})
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()
        assert "_auth_user_id" not in response.wsgi_request.session

    def test_the_staff_members_language_is_set_at_sign_in(self, org):
        user = make_staff(org, "kim", "cashier", [org.a])
        user.preferred_language = "ko"
        user.save()
        response = Client().post("/login/", {"username": "kim", "password": PASSWORD})
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"

    def test_sign_out_ends_the_session(self, org, cashier_a):
        client = console(cashier_a, org.a)
        response = client.post("/logout/")
        assert response.status_code == 302
        assert client.get("/")["Location"].startswith("/login/")


class TestStoreSelection:
    def test_lists_only_stores_in_scope(self, org, cashier_a, hq):
        cashier_page = console(cashier_a, org.a).get("/store/").content.decode()
        assert org.a.name in cashier_page
        assert org.b.name not in cashier_page
        hq_page = console(hq, None).get("/store/").content.decode()
        assert org.a.name in hq_page
        assert org.b.name in hq_page
        assert org.other_store.name not in hq_page

    def test_choosing_a_store_in_scope_is_remembered(self, org, hq):
        client = console(hq, None)
        response = client.post("/store/", {"store": org.b.public_id, "next": "/members/"})
        assert response["Location"] == "/members/"
        assert client.session[SESSION_STORE_KEY] == org.b.id

    def test_choosing_a_store_out_of_scope_is_refused(self, org, cashier_a):
        client = console(cashier_a, org.a)
        assert client.post("/store/", {"store": org.b.public_id}).status_code == 403
        assert client.post("/store/", {"store": org.other_store.public_id}).status_code == 403
        assert client.session[SESSION_STORE_KEY] == org.a.id

    def test_an_unsafe_next_address_is_ignored(self, org, hq):
        client = console(hq, None)
        response = client.post("/store/", {"store": org.a.public_id, "next": "https://evil.example/"})
        assert response["Location"] == "/"

    def test_pages_needing_a_store_ask_for_one_first(self, org, hq):
        response = console(hq, None).get("/checkout/sale/")
        assert response.status_code == 302
        assert response["Location"].startswith("/store/?next=")


class TestSessionLimits:
    def test_idle_staff_are_signed_out(self, org, cashier_a):
        client = console(cashier_a, org.a)
        assert client.get("/").status_code == 200
        idle = timedelta(seconds=settings.TESSERA_SESSION_IDLE_SECONDS + 5)
        with time_machine.travel(now() + idle, tick=False):
            response = client.get("/members/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
        assert "_auth_user_id" not in client.session

    def test_activity_keeps_the_session_alive(self, org, cashier_a):
        client = console(cashier_a, org.a)
        client.get("/")
        step = timedelta(seconds=settings.TESSERA_SESSION_IDLE_SECONDS - 60)
        with time_machine.travel(now() + step, tick=False):
            assert client.get("/").status_code == 200
        with time_machine.travel(now() + 2 * step, tick=False):
            assert client.get("/").status_code == 200

    def test_sessions_end_after_the_absolute_limit_even_when_active(self, org, cashier_a):
        client = console(cashier_a, org.a)
        client.get("/")
        start = now()
        step = timedelta(seconds=settings.TESSERA_SESSION_IDLE_SECONDS - 60)
        hops = settings.SESSION_COOKIE_AGE // int(step.total_seconds()) + 1
        responses = []
        for hop in range(1, hops + 1):
            with time_machine.travel(start + hop * step, tick=False):
                responses.append(client.get("/").status_code)
        assert responses[0] == 200
        assert responses[-1] == 302

    def test_htmx_requests_are_redirected_by_header(self, org, cashier_a):
        client = console(cashier_a, org.a)
        client.get("/")
        idle = timedelta(seconds=settings.TESSERA_SESSION_IDLE_SECONDS + 5)
        with time_machine.travel(now() + idle, tick=False):
            response = client.get("/members/?q=1", headers={"HX-Request": "true"})
        assert response["HX-Redirect"] == "/login/"
