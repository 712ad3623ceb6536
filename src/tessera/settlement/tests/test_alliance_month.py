"""An alliance's month, worked by hand: a clothing chain (the operator), a café and a fuel station share one card;
points issued by one and redeemed at another are owed at their value less the operator's 10% commission, and
stored value stays with the merchant that sold it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tessera.checkout.commands import RedemptionIn, TenderIn
from tessera.checkout.services import points_redeem, sale_commit
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.models import Posting
from tessera.ledger.verify import ledger_verify
from tessera.members.models import Member
from tessera.members.selectors import member_balances
from tessera.points.models import PointsLot
from tessera.programs.models import ProgramMerchant
from tessera.programs.services import ProgramSetupInvalid, alliance_create
from tessera.settlement.services import settlement_close
from tessera.stores.selectors import headquarters_actor
from tessera.stores.services import merchant_create, store_create, terminal_create, terminal_key_issue
from tessera.testing import Shop, key, member_new, sale_in, sell, top_up, world_build

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def partner(name, code):
    merchant = merchant_create(name=name, country="CN", timezone="Asia/Shanghai", currency="CNY")
    store = store_create(merchant=merchant, code=code, name=f"{name} {code}")
    terminal = terminal_create(store=store, name="till-1")
    return merchant, Shop(store=store, terminal=terminal, key=terminal_key_issue(terminal=terminal).secret)


def redeem(shop, member, points):
    command = RedemptionIn(member=member.public_id, pos_number=f"R-{key()}", event_at=now(), points=points)
    return points_redeem(actor=shop.actor, redemption=command, request_key=key(), now=now()).body


@pytest.fixture
def alliance():
    silk = world_build(stores=2, name="Silk", point_value_points=10, point_value_minor=100)
    bean, bean1 = partner("Bean", "BEAN1")
    fuel, fuel1 = partner("Fuel", "FUEL1")
    alliance_create(program=silk.program, name="City card", partners=[bean, fuel], commission_bp=1_000)
    return silk, bean, bean1, fuel, fuel1


def merchant_figures(period):
    return {
        s.merchant.name: (s.owed_to_minor, s.owed_by_minor, s.commission_paid_minor, s.commission_earned_minor,
                          s.net_minor)
        for s in period.merchant_statements.select_related("merchant")
    }  # fmt: skip


def test_an_alliance_month_settles_points_between_merchants_less_the_commission(alliance):
    silk, _bean, bean1, _fuel, fuel1 = alliance
    with time_machine.travel(datetime(2026, 11, 12, 12, tzinfo=SHANGHAI), tick=False):
        m1, m2 = member_new(silk), member_new(silk)
        sell(silk.a, m1, [(1, 50_000)])  # 500 points issued by Silk
        sell(bean1, m1, [(1, 8_000)])  # 80 points issued by Bean
        redeem(fuel1, m1, 300)  # Silk's points at Fuel: Silk owes Fuel 30.00, 3.00 of it commission
        sell(fuel1, m2, [(1, 20_000)])  # 200 points issued by Fuel
        redeem(bean1, m2, 150)  # Fuel's points at Bean: Fuel owes Bean 15.00, 1.50 commission
        redeem(silk.b, m1, 250)  # 200 of Silk's own (nothing between merchants), 50 of Bean's: 5.00, 0.50
    with time_machine.travel(datetime(2026, 12, 1, 1, tzinfo=SHANGHAI), tick=False):
        operator = headquarters_actor(merchant_id=silk.merchant.id, system="settlement-test")
        period = settlement_close(program=silk.program, year=2026, month=11, actor=operator, now=now())
    assert merchant_figures(period) == {
        "Silk": (450, 2_700, 300, 500, -2_050),
        "Bean": (1_350, 450, 50, 0, 850),
        "Fuel": (2_700, 1_350, 150, 0, 1_200),
    }
    transfers = {(t.payer.name, t.payee.name, t.amount_minor)
                 for t in period.merchant_transfers.select_related("payer", "payee")}  # fmt: skip
    assert transfers == {("Silk", "Fuel", 2_550), ("Fuel", "Bean", 1_350), ("Bean", "Silk", 500)}
    assert period.commission_bp == 1_000
    # The stores' own statements still show every store, the partners' included.
    assert period.statements.get(store=fuel1.store).points_receivable == 300
    assert ledger_verify() == []


def test_stored_value_stays_with_the_merchant_that_sold_it(alliance):
    silk, _bean, bean1, _fuel, fuel1 = alliance
    member = member_new(silk)
    top_up(bean1, member, 10_000)  # 100.00 bought at the café
    postings = Posting.objects.count()
    with pytest.raises(DomainError) as caught:
        sell(fuel1, member, [(1, 5_000)], sv=5_000)
    assert caught.value.code == "stored_value_not_shared"
    assert "payment licence" in caught.value.text()
    assert Posting.objects.count() == postings
    sell(bean1, member, [(1, 5_000)], sv=5_000)  # at the café it spends as usual
    assert member_balances(member=member).sv_principal_minor == 5_000


def test_an_operator_with_a_licence_may_share_stored_value(db):
    silk = world_build(name="Silk")
    fuel, fuel1 = partner("Fuel", "FUEL1")
    with pytest.raises(ProgramSetupInvalid):
        alliance_create(program=silk.program, name="City card", partners=[fuel], stored_value_shared=True)
    alliance_create(program=silk.program, name="City card", partners=[fuel], stored_value_shared=True,
                    licence_holder="Silk Pay Ltd, PBOC licence Z2026")  # fmt: skip
    member = member_new(silk)
    top_up(silk.a, member, 10_000)
    receipt = sell(fuel1, member, [(1, 4_000)], sv=4_000)
    assert receipt["balances"]["stored_value"]["principal_minor"] == 6_000


@pytest.mark.parametrize(
    "change", [{"commission_bp": 10_001}, {"partners": "owner"}, {"partners": "twice"}, {"currency": "KRW"}]
)
def test_a_bad_alliance_is_refused_and_changes_nothing(db, change):
    silk = world_build(name="Silk")
    fuel, _shop = partner("Fuel", "FUEL1")
    partners = [fuel]
    if change.get("partners") == "owner":
        partners = [silk.merchant]
    elif change.get("partners") == "twice":
        partners = [fuel, fuel]
    elif "currency" in change:
        partners = [merchant_create(name="Seoul", country="KR", timezone="Asia/Seoul", currency="KRW")]
    with pytest.raises(ProgramSetupInvalid):
        alliance_create(program=silk.program, name="City card", partners=partners,
                        commission_bp=change.get("commission_bp", 0))  # fmt: skip
    silk.program.refresh_from_db()
    assert silk.program.alliance_id is None
    assert silk.program.participants.count() == 1


def test_a_partner_gives_its_own_discount_and_earn_rate_at_its_stores(alliance):
    silk, bean, bean1, _fuel, fuel1 = alliance
    # The café gives alliance members 5% off and 2 points a yuan, which it funds; the fuel station sets nothing.
    ProgramMerchant.objects.filter(program=silk.program, merchant=bean).update(
        discount_bp=500, earn_points=2, earn_per_minor=100
    )
    member = member_new(silk)
    sale = replace(sale_in(member, [(1, 10_000)]), tenders=(TenderIn("cash", 9_500),))
    at_cafe = sale_commit(actor=bean1.actor, sale=sale, request_key=key(), now=now()).body
    assert (at_cafe["total_minor"], at_cafe["points"]["earned"]) == (9_500, 190)
    at_fuel = sell(fuel1, member, [(1, 10_000)])
    assert (at_fuel["total_minor"], at_fuel["points"]["earned"]) == (10_000, 100)
    lots = PointsLot.objects.filter(member=member).values_list("store__code", "points")
    assert sorted(lots) == [("BEAN1", 190), ("FUEL1", 100)]


def history_stores(shop, member):
    response = Client(HTTP_AUTHORIZATION=f"Bearer {shop.key}").get(f"/api/v1/members/{member.public_id}/history")
    assert response.status_code == 200, response.content
    return sorted({e["store_code"] for e in response.json()["entries"]})


def test_a_partner_sees_its_own_transactions_until_the_member_consents(alliance):
    silk, _bean, bean1, _fuel, fuel1 = alliance
    member = member_new(silk)
    sell(silk.a, member, [(1, 30_000)])  # bought clothes at Silk
    sell(fuel1, member, [(1, 5_000)])  # filled up at Fuel
    sell(bean1, member, [(1, 2_000)])  # a coffee at Bean
    assert history_stores(bean1, member) == ["BEAN1"]  # never the clothes or the fuel
    assert history_stores(fuel1, member) == ["FUEL1"]
    assert history_stores(silk.a, member) == ["BEAN1", "FUEL1", "S001"]  # the card's owner runs the programme
    Member.objects.filter(id=member.id).update(partners_may_see_history_since=now())
    assert history_stores(bean1, member) == ["BEAN1", "FUEL1", "S001"]


def test_partners_joining_after_a_closed_month_leave_it_as_it_was(db):
    with time_machine.travel(datetime(2026, 11, 12, 12, tzinfo=SHANGHAI), tick=False):
        silk = world_build(stores=2, name="Silk", point_value_points=10, point_value_minor=100)
        member = member_new(silk)
        sell(silk.a, member, [(1, 50_000)])
        redeem(silk.b, member, 200)  # Silk's two stores settle between themselves
    with time_machine.travel(datetime(2026, 12, 1, 1, tzinfo=SHANGHAI), tick=False):
        operator = headquarters_actor(merchant_id=silk.merchant.id, system="settlement-test")
        settlement_close(program=silk.program, year=2026, month=11, actor=operator, now=now())
    with time_machine.travel(datetime(2026, 12, 3, 12, tzinfo=SHANGHAI), tick=False):
        bean, bean1 = partner("Bean", "BEAN1")
        alliance_create(program=silk.program, name="City card", partners=[bean], commission_bp=1_000)
        redeem(bean1, member, 100)  # December, at the new partner
    assert ledger_verify() == []
    with time_machine.travel(datetime(2027, 1, 1, 1, tzinfo=SHANGHAI), tick=False):
        december = settlement_close(program=silk.program, year=2026, month=12, actor=operator, now=now())
    assert merchant_figures(december)["Bean"] == (900, 0, 0, 0, 900)
    assert ledger_verify() == []
