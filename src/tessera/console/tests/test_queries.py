"""The member view and its history run a fixed number of queries, however long the member's history is."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tessera.checkout.commands import LineIn, SaleIn, TenderIn
from tessera.checkout.services import sale_commit
from tessera.console.tests.helpers import console, make_staff, system_actor
from tessera.kit.clock import now

pytestmark = pytest.mark.django_db

MEMBER_VIEW_QUERIES_MAX = 10
HISTORY_QUERIES_MAX = 7


def _sales(org, member, count, store):
    for n in range(count):
        sale = SaleIn(
            member=member.public_id,
            pos_number=f"Q{store.code}{n}",
            event_at=now(),
            currency="CNY",
            lines=(LineIn(1, "SKU", "Shirt", 1, 10_000, category=f"C{n % 3}"),),
            tenders=(TenderIn("cash", 10_000),),
        )
        sale_commit(actor=system_actor(store), sale=sale, request_key=f"q-{store.code}-{n}", now=now())


def _count(client, url):
    client.get(url)  # the first request of a session also writes the session; count a steady one
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_member_view_queries_are_bounded(org, wallet_member, django_assert_max_num_queries):
    client = console(make_staff(org, "m", "store_manager", [org.a, org.b]), org.a)
    url = f"/members/{wallet_member.public_id}/"
    _sales(org, wallet_member, 2, org.a)
    few = _count(client, url)
    _sales(org, wallet_member, 30, org.b)  # history from two stores, more than a page
    with django_assert_max_num_queries(MEMBER_VIEW_QUERIES_MAX):
        client.get(url)
    assert _count(client, url) == few


def test_history_page_queries_are_bounded(org, cashier_a, wallet_member, django_assert_max_num_queries):
    _sales(org, wallet_member, 60, org.a)
    client = console(cashier_a, org.a)
    first = client.get(f"/members/{wallet_member.public_id}/")
    url = f"/members/{wallet_member.public_id}/history/?before={first.context['next_before']}"
    with django_assert_max_num_queries(HISTORY_QUERIES_MAX):
        response = client.get(url, headers={"HX-Request": "true"})
    assert len(response.context["history"]) == 25
