"""Headquarters reads, closes, exports and corrects settlement months through the API; others see their share."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from tessera.access.models import StaffUser
from tessera.access.services import staff_token_issue
from tessera.api.tests.test_hq_programs import client, token_for
from tessera.kit.clock import now
from tessera.programs.services import alliance_create
from tessera.stores.services import merchant_create
from tessera.testing import member_new, sell, top_up, world_build

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def chain():
    world = world_build(stores=3)
    with time_machine.travel(datetime(2026, 11, 10, 12, tzinfo=SHANGHAI), tick=False):
        member = member_new(world)
        top_up(world.a, member, 50_000)
        sell(world.b, member, [(1, 12_000)], sv=12_000)  # A owes B 120.00
    return world


def url(world, tail=""):
    return f"/api/v1/programs/{world.program.public_id}/settlements{tail}"


def close(token, world, period="2026-11"):
    with time_machine.travel(datetime(2026, 12, 2, tzinfo=SHANGHAI), tick=False):
        return client(token).post(url(world, f"/{period}/close"))


def test_headquarters_closes_a_month_and_reads_it_back(chain):
    hq = token_for(chain, "hq_admin", "hq")
    response = close(hq, chain)
    assert response.status_code == 201, response.content
    assert (response.json()["period"], response.json()["postings"]) == ("2026-11", 2)
    assert [p["period"] for p in client(hq).get(url(chain)).json()] == ["2026-11"]
    body = client(hq).get(url(chain, "/2026-11")).json()
    assert body["transfers"] == [{"payer": "S001", "payee": "S002", "amount_minor": 12_000}]
    nets = {s["store"]: s["figures"]["net_minor"] for s in body["statements"]}
    assert (nets["S001"], nets["S002"], nets["S003"]) == (-12_000, 12_000, 0)
    assert close(hq, chain).json()["error"]["code"] == "settlement_period_closed"


def test_the_exports_hold_the_same_figures(chain):
    hq = token_for(chain, "hq_admin", "hq")
    close(hq, chain)
    response = client(hq).get(url(chain, "/2026-11/export?format=csv&table=transfers"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["payer", "payee", "amount"], ["S001", "S002", "120.00"]]
    book = load_workbook(io.BytesIO(client(hq).get(url(chain, "/2026-11/export")).content))
    assert book.sheetnames == ["statements", "obligations", "transfers"]
    sheet = book["statements"]
    header = [c.value for c in sheet[1]]
    b_row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "S002")
    assert b_row[header.index("net: to receive (+) or pay (-)")] == 120


def test_an_adjustment_is_recorded_once_per_key(chain):
    hq = token_for(chain, "hq_admin", "hq")
    body = {"creditor": "S003", "debtor": "S001", "amount_minor": 999, "reason": "till float", "corrects": "2026-11"}
    path = f"/api/v1/programs/{chain.program.public_id}/settlement-adjustments"
    first = client(hq).post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="adj-1")
    again = client(hq).post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="adj-1")
    assert first.status_code == 201, first.content
    assert first.json() == again.json()
    bad = client(hq).post(path, body | {"debtor": "NOPE"}, content_type="application/json",
                          HTTP_IDEMPOTENCY_KEY="adj-2")  # fmt: skip
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "settlement_adjustment_invalid")
    missing = client(hq).post(path, body, content_type="application/json")
    assert missing.status_code == 400


def test_a_store_manager_sees_only_their_stores_and_cannot_close(chain):
    hq = token_for(chain, "hq_admin", "hq")
    close(hq, chain)
    manager = token_for(chain, "store_manager", "manager")  # assigned to store A only
    body = client(manager).get(url(chain, "/2026-11")).json()
    assert [s["store"] for s in body["statements"]] == ["S001"]
    assert body["transfers"] == [{"payer": "S001", "payee": "S002", "amount_minor": 12_000}]
    assert close(manager, chain, "2026-10").status_code == 403


def test_an_auditor_reads_but_never_writes(chain):
    hq = token_for(chain, "hq_admin", "hq")
    close(hq, chain)
    auditor = token_for(chain, "auditor", "auditor")
    assert len(client(auditor).get(url(chain, "/2026-11")).json()["statements"]) == 4  # three stores and HQ
    assert close(auditor, chain, "2026-10").status_code == 403


def test_another_merchant_cannot_tell_the_programme_exists(chain):
    other = world_build(name="Other")
    stranger = token_for(other, "hq_admin", "stranger")
    known = client(stranger).get(url(chain))
    unknown = client(stranger).get("/api/v1/programs/prg_01jzzzzzzzzzzzzzzzzzzzzzzz/settlements")
    assert known.status_code == unknown.status_code == 404
    assert known.json() == unknown.json()


@pytest.mark.parametrize("period", ["2026-13", "26-11", "2026-1", "november"])
def test_a_malformed_period_is_refused(chain, period):
    hq = token_for(chain, "hq_admin", "hq")
    response = client(hq).get(url(chain, f"/{period}"))
    assert (response.status_code, response.json()["error"]["code"]) == (422, "settlement_period_invalid")


def test_an_open_month_is_not_found(chain):
    hq = token_for(chain, "hq_admin", "hq")
    response = client(hq).get(url(chain, "/2026-11"))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "settlement_period_not_found")


def test_an_alliance_administrator_reads_their_alliances_months_and_nothing_else(chain):
    fuel = merchant_create(name="Fuel", country="CN", timezone="Asia/Shanghai", currency="CNY")
    alliance = alliance_create(program=chain.program, name="City card", partners=[fuel], commission_bp=500)
    close(token_for(chain, "hq_admin", "hq"), chain)
    admin = StaffUser.objects.create_user(username="alliance", password="x" * 16, role="alliance_admin",
                                          merchant=chain.merchant, alliance=alliance)  # fmt: skip
    token = staff_token_issue(staff=admin, now=now()).secret
    assert client(token).get(url(chain, "/2026-11")).status_code == 200
    assert close(token, chain, "2026-10").status_code == 403
    other = world_build(name="Other")
    other_alliance = alliance_create(program=other.program, name="Elsewhere", partners=[])
    stranger = StaffUser.objects.create_user(username="stranger", password="x" * 16, role="alliance_admin",
                                             merchant=other.merchant, alliance=other_alliance)  # fmt: skip
    assert client(staff_token_issue(staff=stranger, now=now()).secret).get(url(chain)).status_code == 404
