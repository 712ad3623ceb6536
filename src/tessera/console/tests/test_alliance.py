"""The alliance's pages in the console: the worked month of docs/settlement.md ("Alliances"), read by the alliance
administrator (who has no store) and by the operations centre of each merchant taking part; nobody else."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from tessera.access.console.acting import SESSION_STORE_KEY
from tessera.access.models import StaffUser
from tessera.console.tests.helpers import console
from tessera.kit.clock import now
from tessera.programs.models import ProgramMerchant
from tessera.programs.services import alliance_create
from tessera.settlement.services import settlement_close
from tessera.settlement.tests.test_alliance_month import alliance, partner, redeem  # noqa: F401 - the fixture
from tessera.stores.models import Alliance
from tessera.stores.selectors import headquarters_actor
from tessera.testing import member_new, sell, world_build

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH = "2026-11/"


@pytest.fixture(autouse=True)
def _early_december():
    # Staff sessions last twelve hours: every request of a test happens on the same morning.
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def november(alliance):  # noqa: F811 - the fixture imported above
    """The month of docs/settlement.md: Silk (the operator), Bean and Fuel; 10 points are worth 1.00, commission
    10%. Closed on 1 December."""
    silk, _bean, bean1, _fuel, fuel1 = alliance
    with time_machine.travel(datetime(2026, 11, 12, 12, tzinfo=SHANGHAI), tick=False):
        m1, m2 = member_new(silk), member_new(silk)
        sell(silk.a, m1, [(1, 50_000)])
        sell(bean1, m1, [(1, 8_000)])
        redeem(fuel1, m1, 300)  # Silk's points at Fuel
        sell(fuel1, m2, [(1, 20_000)])
        redeem(bean1, m2, 150)  # Fuel's points at Bean
        redeem(silk.b, m1, 250)  # 200 of Silk's own, 50 of Bean's
    with time_machine.travel(datetime(2026, 12, 1, 1, tzinfo=SHANGHAI), tick=False):
        actor = headquarters_actor(merchant_id=silk.merchant.id, system="console-test")
        settlement_close(program=silk.program, year=2026, month=11, actor=actor, now=now())
    return alliance


def staff(username, role, merchant, *, stores=(), alliance_=None):
    user = StaffUser.objects.create_user(username=username, role=role, merchant=merchant, alliance=alliance_)
    user.stores.set(stores)
    return user


def card_of(silk):
    return Alliance.objects.get(id=silk.program.alliance_id)


def url(silk, rest=""):
    return f"/settlement/alliances/{card_of(silk).public_id}/{rest}"


def figures(response):
    return {
        line.statement.merchant.name: (line.points_issued, line.points_redeemed, line.statement.owed_to_minor,
                                       line.statement.owed_by_minor, line.statement.commission_paid_minor,
                                       line.statement.commission_earned_minor, line.statement.net_minor)
        for line in response.context["found"].merchants
    }  # fmt: skip


NOVEMBER_FIGURES = {
    # points issued, points redeemed at its stores, owed to, owed by, commission paid, earned, net
    "Silk": (500, 250, 450, 2_700, 300, 500, -2_050),
    "Bean": (80, 150, 1_350, 450, 50, 0, 850),
    "Fuel": (200, 300, 2_700, 1_350, 150, 0, 1_200),
}


def test_the_alliance_administrator_reads_the_alliance_without_a_store(november):
    silk = november[0]
    admin = staff("city.admin", "alliance_admin", silk.merchant, alliance_=card_of(silk))
    client = console(admin, None)
    assert client.get("/store/")["Location"] == "/settlement/alliances/"  # signing in lands on the alliance
    assert client.get("/settlement/alliances/")["Location"] == url(silk)
    overview = client.get(url(silk))
    assert overview.status_code == 200
    page = overview.content.decode()
    assert all(text in page for text in ("City card", "Silk club", "10%", "Bean", "Fuel", "payment licence"))
    assert "Redeemable at every merchant of the alliance." in page
    assert f'href="{url(silk, MONTH)}"' in page
    assert "2026-12-01 01:00" in page  # closed at, in the owner's time zone
    assert 'href="/settlement/alliances/"' in page  # the navigation offers the alliance, and nothing else
    assert 'href="/members/"' not in page
    month = client.get(url(silk, MONTH))
    assert figures(month) == NOVEMBER_FIGURES
    transfers = {(t.payer.name, t.payee.name, t.amount_minor) for t in month.context["found"].view.merchant_transfers}
    assert transfers == {("Silk", "Fuel", 2_550), ("Fuel", "Bean", 1_350), ("Bean", "Silk", 500)}
    page = month.content.decode()
    assert all(text in page for text in ("-CN¥20.50", "CN¥25.50", "CN¥13.50", "FUEL1", "S002"))
    assert "From 2026-11-01 00:00 to 2026-12-01 00:00 (Asia/Shanghai)" in page  # the month's own time zone


def test_the_alliance_administrator_still_acts_at_no_store(november):
    silk = november[0]
    client = console(staff("city.admin", "alliance_admin", silk.merchant, alliance_=card_of(silk)), None)
    for page in ("/members/", "/settlement/", "/settlement/2026-11/", "/checkout/sale/"):
        assert client.get(page)["Location"].startswith("/store/?next="), page
    session = client.session
    session[SESSION_STORE_KEY] = silk.a.store.id
    session.save()
    assert client.get(url(silk)).status_code == 403  # a store forced into the session is refused everywhere
    assert client.post("/store/", {"store": silk.a.store.public_id}).status_code == 403


def test_each_merchant_sees_the_figures_between_merchants_and_only_its_own_stores(november):
    silk, bean, bean1, fuel, _fuel1 = november
    for user, store in ((staff("bean.hq", "hq_admin", bean), bean1.store), (staff("fuel.audit", "auditor", fuel), None),
                        (staff("silk.hq", "hq_admin", silk.merchant), silk.a.store)):  # fmt: skip
        client = console(user, store)
        assert client.get(url(silk)).status_code == 200
        month = client.get(url(silk, MONTH))
        assert figures(month) == NOVEMBER_FIGURES
        codes = {line.statement.store.code for line in month.context["found"].stores}
        assert codes == set(user.merchant.stores.values_list("code", flat=True)), user.username
        assert month.context["found"].view.obligations == []  # the lines between stores name others' stores
    page = console(staff("bean.hq2", "hq_admin", bean), None).get(url(silk, MONTH)).content.decode()
    assert "BEAN1" in page
    assert not any(code in page for code in ("FUEL1", "S001", "S002"))


def test_a_partners_cashier_and_store_manager_see_nothing_of_the_alliance(november):
    silk, bean, bean1, _fuel, _fuel1 = november
    cashier = console(staff("bean.cashier", "cashier", bean, stores=[bean1.store]), bean1.store)
    manager = console(staff("bean.manager", "store_manager", bean, stores=[bean1.store]), bean1.store)
    for page in ("", MONTH, f"{MONTH}export.xlsx"):
        assert cashier.get(url(silk, page)).status_code == 403
        assert manager.get(url(silk, page)).status_code == 404
    assert manager.get("/settlement/alliances/").context["cards"] == []
    assert 'href="/settlement/alliances/"' not in manager.get("/members/").content.decode()


def test_another_alliances_administrator_gets_404_also_for_guessed_ids_and_months(november):
    silk = november[0]
    other = world_build(name="Jade", stores=1)
    tea, _tea1 = partner("Tea", "TEA1")
    jade = alliance_create(program=other.program, name="Jade card", partners=[tea])
    with time_machine.travel(datetime(2026, 12, 1, 1, tzinfo=SHANGHAI), tick=False):
        actor = headquarters_actor(merchant_id=other.merchant.id, system="console-test")
        settlement_close(program=other.program, year=2026, month=11, actor=actor, now=now())
    client = console(staff("jade.admin", "alliance_admin", other.merchant, alliance_=jade), None)
    own = f"/settlement/alliances/{jade.public_id}/"
    assert client.get(f"{own}{MONTH}").status_code == 200
    assert client.get(f"{own}2026-10/").status_code == 404  # a month not closed
    guessed = "/settlement/alliances/all_01jbx0000000000000000000000/"
    for page in (url(silk), url(silk, MONTH), url(silk, f"{MONTH}export.csv"), guessed, f"{guessed}{MONTH}"):
        assert client.get(page).status_code == 404, page
    assert client.get("/settlement/alliances/")["Location"] == own  # the only alliance it reads is its own


def test_a_merchant_outside_the_alliance_gets_404(november):
    silk = november[0]
    outsider = world_build(name="Faraway", stores=1)
    client = console(staff("far.hq", "hq_admin", outsider.merchant), outsider.a.store)
    for page in ("", MONTH, f"{MONTH}export.xlsx", f"{MONTH}export.csv?table=merchants"):
        assert client.get(url(silk, page)).status_code == 404
    assert client.get("/settlement/alliances/").context["cards"] == []


def _sheet(book, name):
    return [list(row) for row in book[name].iter_rows(min_row=2, values_only=True)]


def test_the_downloads_hold_what_the_reader_may_see(november):
    silk, bean, bean1, _fuel, _fuel1 = november
    admin = console(staff("city.admin", "alliance_admin", silk.merchant, alliance_=card_of(silk)), None)
    response = admin.get(url(silk, f"{MONTH}export.xlsx"))
    assert response["Content-Disposition"] == 'attachment; filename="alliance-2026-11.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["merchants", "merchant_transfers", "statements", "obligations", "transfers"]
    assert sorted(row[0] for row in _sheet(book, "statements")) == ["BEAN1", "FUEL1", "HQ", "HQ", "HQ", "S001", "S002"]
    merchants = {row[0]: row[1:6] for row in _sheet(book, "merchants")}  # owed to, by, commission paid, earned, net
    assert {name: [float(v) for v in values] for name, values in merchants.items()} == {
        "Silk": [4.5, 27.0, 3.0, 5.0, -20.5], "Bean": [13.5, 4.5, 0.5, 0.0, 8.5], "Fuel": [27.0, 13.5, 1.5, 0.0, 12.0],
    }  # fmt: skip
    partner_client = console(staff("bean.hq", "hq_admin", bean), bean1.store)
    book = load_workbook(io.BytesIO(partner_client.get(url(silk, f"{MONTH}export.xlsx")).content))
    assert book.sheetnames == ["merchants", "merchant_transfers", "statements"]
    assert sorted(row[0] for row in _sheet(book, "statements")) == ["BEAN1", "HQ"]
    body = partner_client.get(url(silk, f"{MONTH}export.csv?table=merchant_transfers")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert sorted(rows) == [["Bean", "Silk", "5.00"], ["Fuel", "Bean", "13.50"], ["Silk", "Fuel", "25.50"]]
    assert partner_client.get(url(silk, f"{MONTH}export.csv?table=obligations")).status_code == 404
    assert admin.get(url(silk, f"{MONTH}export.csv?table=obligations")).status_code == 200


def test_the_overview_shows_each_partners_benefits_and_the_agreement(november):
    silk, bean, _bean1, _fuel, _fuel1 = november
    ProgramMerchant.objects.filter(program=silk.program, merchant=bean).update(
        discount_bp=500, earn_points=2, earn_per_minor=100
    )
    Alliance.objects.filter(id=silk.program.alliance_id).update(
        stored_value_shared=True, licence_holder="Silk Pay Ltd, PBOC licence Z2026", points_shared=False
    )
    client = console(staff("fuel.hq", "hq_admin", november[3]), None)
    participants = {p.merchant.name: (p.role, p.is_operator, discount)
                    for p, discount in client.get(url(silk)).context["participants"]}  # fmt: skip
    assert participants == {
        "Silk": ("Owner", True, ""),
        "Bean": ("Partner", False, "5%"),
        "Fuel": ("Partner", False, ""),
    }
    page = client.get(url(silk)).content.decode()
    assert "2 per CN¥1.00" in page
    assert "Silk Pay Ltd, PBOC licence Z2026" in page
    assert "Redeemed only at the merchant that issued them" in page


def test_an_operator_that_sells_nothing_on_the_card_reads_it_too(db):
    silk = world_build(name="Silk", stores=1)
    operator = world_build(name="Operator", stores=1).merchant
    fuel, _fuel1 = partner("Fuel", "FUEL1")
    city = alliance_create(program=silk.program, name="City card", partners=[fuel], operator=operator)
    client = console(staff("op.hq", "hq_admin", operator), None)
    assert client.get(f"/settlement/alliances/{city.public_id}/").status_code == 200
