"""The lifetime value page: the operations centre reads the fit and the most valuable members; without enough
history it says so."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from tessera.access.services import staff_token_issue
from tessera.analytics.clv import BgNbdParams
from tessera.analytics.synthetic import bgnbd_simulate
from tessera.checkout.services.imports import ImportRequest, transactions_import
from tessera.console.tests.helpers import console
from tessera.kit.clock import now

pytestmark = pytest.mark.django_db
TODAY = datetime.fromisoformat("2026-11-30T10:00:00+08:00")
CDNOW = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def history_csv(path: Path, *, customers: int, seed: int = 7) -> Path:
    """Histories drawn from the BG/NBD process with CDNOW's parameters, over ages of 30 to 52 weeks: each
    customer's repeat purchases fall on whole days between their first and their last."""
    drawn = bgnbd_simulate(params=CDNOW, members=customers, age_min=30, age_max=52, seed=seed)
    rng = random.Random(seed)
    rows = ["InvoiceNo,CustomerID,InvoiceDate,StockCode,Quantity,UnitPrice"]
    for customer in range(customers):
        first = TODAY - timedelta(days=1 + round(float(drawn.age[customer]) * 7))
        span = round(float(drawn.recency[customer]) * 7)
        repeats = int(drawn.frequency[customer])
        days = [0] + sorted(rng.randint(1, max(span, 1)) for _ in range(repeats - 1)) + ([span] if repeats else [])
        price = rng.choice(("59.00", "128.00", "199.00"))
        for k, offset in enumerate(days):
            when = first + timedelta(days=offset)
            rows.append(f"IMP{customer}-{k},C{customer},{when:%Y-%m-%d %H:%M},SKU{customer % 7},1,{price}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def imported(org, tmp_path: Path, customers: int) -> None:
    request = ImportRequest(path=history_csv(tmp_path / "history.csv", customers=customers),
                            program=org.program.public_id, create_members=True)  # fmt: skip
    report = transactions_import(request=request, now=now())
    assert report.errors == []


def test_headquarters_sees_the_fit_and_the_most_valuable_members(org, hq, tmp_path: Path) -> None:
    with time_machine.travel(TODAY, tick=False):
        imported(org, tmp_path, customers=200)
        page = console(hq, org.a).get("/analytics/value/", {"months": "24", "discount": "2"})
    assert page.status_code == 200
    context = page.context
    assert context["members_fitted"] == 200
    assert context["choice"].months == 24
    assert context["choice"].discount_percent == 2
    top = [value for value, _member in context["top"]]
    assert len(top) == 50
    assert top == sorted(top, key=lambda v: -(v.lifetime_value_minor or 0))
    assert sum(count for _decile, count, _total in context["deciles"]) == 200
    html = page.content.decode()
    assert top[0].member_id in {m.id for _v, m in context["top"]}
    assert "BG/NBD" in html


def test_the_api_gives_the_same_members_and_one_members_value(org, hq, tmp_path: Path) -> None:
    with time_machine.travel(TODAY, tick=False):
        imported(org, tmp_path, customers=200)
        client = Client(headers={"authorization": f"Bearer {staff_token_issue(staff=hq, now=now()).secret}"})
        url = f"/api/v1/programs/{org.program.public_id}/analytics/lifetime-value"
        listed = client.get(url, {"months": 24, "monthly_discount_bp": 200, "limit": 5})
        page = console(hq, org.a).get("/analytics/value/", {"months": "24", "discount": "2"})
        first = listed.json()["members"][0]["member_id"]
        one = client.get(url, {"member": first, "months": 24, "monthly_discount_bp": 200})
        unknown = client.get(url, {"member": "mbr_00000000000000000000000000"})
        bad = client.get(url, {"months": 99})
    body = listed.json()
    assert listed.status_code == 200, body
    assert body["fitted"] is True
    assert body["members_fitted"] == 200
    assert [m["member_id"] for m in body["members"]] == [m.public_id for _v, m in page.context["top"][:5]]
    assert body["members"][0]["lifetime_value_minor"] == page.context["top"][0][0].lifetime_value_minor
    assert body["total_value_minor"] == page.context["total_minor"]
    assert one.json()["members"] == body["members"][:1]
    assert unknown.status_code == 404
    assert bad.status_code == 422


def test_too_little_history_is_said_not_guessed(org, hq, tmp_path: Path) -> None:
    with time_machine.travel(TODAY, tick=False):
        imported(org, tmp_path, customers=10)
        page = console(hq, org.a, language="ko").get("/analytics/value/")
    assert page.status_code == 200
    assert "fit" not in page.context
    assert "10 buyers" in page.context["reason"]


def test_a_cashier_may_not_read_it(org, cashier_a) -> None:
    assert console(cashier_a, org.a).get("/analytics/value/").status_code == 403
