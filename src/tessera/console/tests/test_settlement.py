"""Settlement in the console: headquarters closes, reads, exports and adjusts; a store manager sees their store's
share; a cashier sees nothing."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from tessera.checkout.commands import TopUpIn
from tessera.checkout.services import sale_commit, top_up_commit
from tessera.console.tests.helpers import console, make_staff, system_actor, token_of
from tessera.kit.clock import now
from tessera.ledger.models import Posting
from tessera.settlement.models import SettlementPeriod
from tessera.testing import key, sale_in

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTER_NOVEMBER = datetime(2026, 12, 2, 9, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _early_december():
    # Staff sessions last twelve hours: every request of a test happens on the same morning.
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        yield


@pytest.fixture
def november(org, member):
    """500.00 (+50.00 bonus) topped up at SH01, 120.00 of it spent at BJ01 in proportion: 109.09 of principal and
    10.91 of bonus. SH01 owes BJ01 the principal (bonus is not settled by default)."""
    with time_machine.travel(datetime(2026, 11, 10, 12, tzinfo=SHANGHAI), tick=False):
        top_up = TopUpIn(member=member.public_id, pos_number="T-1", event_at=now(), currency="CNY", amount_minor=50_000)
        top_up_commit(actor=system_actor(org.a), top_up=top_up, request_key=key(), now=now())
        sale = sale_in(member, [(1, 12_000)], sv=12_000)
        sale_commit(actor=system_actor(org.b), sale=sale, request_key=key(), now=now())
    return org


def test_headquarters_closes_november_and_reads_its_statements(november, hq):
    client = console(hq, november.a)
    response = client.post("/settlement/close/", {"period": "2026-11"})
    assert response.status_code == 302
    assert response["Location"] == "/settlement/2026-11/"
    response = client.get("/settlement/2026-11/")
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    page = response.content.decode()
    assert "SH01" in page
    assert "BJ01" in page
    assert "CN¥109.09" in page
    assert SettlementPeriod.objects.get().closed_by_id == hq.id
    listing = client.get("/settlement/").content.decode()
    assert 'href="/settlement/2026-11/"' in listing


def test_a_refused_close_says_why_and_closes_nothing(november, hq):
    with time_machine.travel(datetime(2026, 11, 20, tzinfo=SHANGHAI), tick=False):
        client = console(hq, november.a)
        response = client.post("/settlement/close/", {"period": "2026-11"}, follow=True)
        assert "once the month is over" in response.content.decode()
        bad = client.post("/settlement/close/", {"period": "2026-13"}, follow=True)
    assert not SettlementPeriod.objects.exists()
    assert "YYYY-MM" in bad.content.decode()


def test_the_workbook_download_holds_the_statements(november, hq):
    client = console(hq, november.a)
    client.post("/settlement/close/", {"period": "2026-11"})
    response = client.get("/settlement/2026-11/export.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="settlement-2026-11.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    codes = [row[0] for row in book["statements"].iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == ["BJ01", "HQ", "SH01"]
    assert client.get("/settlement/2026-11/export.csv?table=nope").status_code == 404


def test_an_adjustment_from_the_console_posts_once(november, hq):
    client = console(hq, november.a)
    token = token_of(client.get("/settlement/").content.decode())
    data = {"token": token, "creditor": november.b.public_id, "debtor": november.a.public_id, "amount": "12.34",
            "reason": "price keyed wrong", "corrects": "2026-11"}  # fmt: skip
    assert client.post("/settlement/adjustments/", data).status_code == 302
    assert client.post("/settlement/adjustments/", data).status_code == 302
    assert Posting.objects.filter(reason="settlement_adjustment").count() == 1
    same = data | {"token": token_of(client.get("/settlement/").content.decode()), "debtor": november.b.public_id}
    refused = client.post("/settlement/adjustments/", same)
    assert refused.status_code == 422
    assert "cannot owe itself" in refused.content.decode()


def test_a_store_manager_sees_their_store_and_cannot_close(november, manager_a, hq):
    console(hq, november.a).post("/settlement/close/", {"period": "2026-11"})
    client = console(manager_a, november.a)
    page = client.get("/settlement/2026-11/").content.decode()
    assert "Shanghai Jingan" in page
    assert "<h3>BJ01" not in page  # another store's statement
    assert 'action="/settlement/close/"' not in client.get("/settlement/").content.decode()
    assert client.post("/settlement/close/", {"period": "2026-10"}).status_code == 403


def test_a_cashier_and_another_merchant_see_nothing(november, cashier_a, hq):
    console(hq, november.a).post("/settlement/close/", {"period": "2026-11"})
    assert console(cashier_a, november.a).get("/settlement/2026-11/").status_code == 403
    stranger = make_staff(november, "hq.other", "hq_admin", [], merchant=november.other_merchant)
    assert console(stranger, november.other_store).get("/settlement/2026-11/").status_code == 404


def test_the_month_and_its_closing_are_shown_in_the_owners_time_zone(november, hq):
    """The clock stands at 09:00 in Shanghai (01:00 UTC); the pages say 09:00, and November from its local
    midnight, whatever zone the server runs in."""
    client = console(hq, november.a)
    client.post("/settlement/close/", {"period": "2026-11"})
    listing = client.get("/settlement/").content.decode()
    assert "2026-12-02 09:00" in listing
    assert "2026-12-02 01:00" not in listing
    period = client.get("/settlement/2026-11/").content.decode()
    assert "2026-11-01 00:00" in period
    assert "2026-12-01 00:00" in period
