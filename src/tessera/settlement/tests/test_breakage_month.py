"""Points that expire unspent, worked by hand: the breakage is the issuing store's (and merchant's), shown on its
statement at the point value, and owed by nobody; a month closed before statements reported it still reconciles."""

from __future__ import annotations

import csv
import io
from dataclasses import fields, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tessera.access.models import StaffUser
from tessera.api.tests.test_hq_programs import client, token_for
from tessera.checkout.commands import RedemptionIn
from tessera.checkout.services import points_redeem
from tessera.console.tests.helpers import console
from tessera.kit.clock import now
from tessera.kit.db import sql_insert
from tessera.ledger.verify import ledger_verify
from tessera.points.jobs import points_expiry_run
from tessera.programs.services import alliance_create
from tessera.settlement import services
from tessera.settlement.checks import period_differences
from tessera.settlement.models import MerchantStatement, SettlementPeriod, StoreStatement
from tessera.settlement.rules import MerchantFigures, StoreFigures
from tessera.settlement.selectors import (
    merchant_settlement_compute,
    month_of_program,
    month_postings,
    settlement_compute,
    terms_for,
)
from tessera.settlement.services import settlement_close
from tessera.settlement.tests.test_alliance_month import partner
from tessera.stores.selectors import headquarters_actor, headquarters_get
from tessera.testing import key, member_new, sell, world_build

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Points are good through the end of the month they were earned in; ten of them are worth one yuan.
EXPIRY = {"points_expiry_policy": "end_of_month_after", "points_expiry_months": 0, "point_value_points": 10,
          "point_value_minor": 100}  # fmt: skip


def at(month, day, hour=12, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def redeem(shop, member, points):
    command = RedemptionIn(member=member.public_id, pos_number=f"R-{key()}", event_at=now(), points=points)
    return points_redeem(actor=shop.actor, redemption=command, request_key=key(), now=now())


def sweep(world):
    with time_machine.travel(at(11, 1, 0, 5), tick=False):
        return points_expiry_run(program_id=world.program.id, local_date=date(2026, 11, 1))


def close(world, month):
    hq = headquarters_actor(merchant_id=world.merchant.id, system="settlement-test")
    when = at(11, 1, 0, 30) if month == 10 else at(12, 1, 0, 30)
    with time_machine.travel(when, tick=False):
        return settlement_close(program=world.program, year=2026, month=month, actor=hq, now=now())


def points_lines(period, store):
    s = period.statements.get(store=store)
    return (s.points_issued, s.points_redeemed_here, s.points_receivable, s.points_payable, s.points_expired,
            s.points_expired_minor, s.receivable_minor, s.payable_minor, s.net_minor)  # fmt: skip


@pytest.fixture
def chain():
    world = world_build(stores=3, **EXPIRY)
    with time_machine.travel(at(10, 20), tick=False):
        m1 = member_new(world)
        sell(world.a, m1, [(1, 50_000)])  # A issues 500 points, good through 31 October
    with time_machine.travel(at(10, 25), tick=False):
        redeem(world.c, m1, 200)  # 200 of A's at C: A owes C 20.00
    assert sweep(world)["points"] == 300  # A's other 300 lapse at midnight
    with time_machine.travel(at(11, 5), tick=False):
        sell(world.b, m1, [(1, 15_000)])  # B issues 150, good through 30 November
    with time_machine.travel(at(11, 10), tick=False):
        redeem(world.c, m1, 100)  # 100 of B's at C: B owes C 10.00
    return world


class TestAChainsBreakage:
    def test_the_points_that_lapsed_are_on_the_issuing_stores_statement_and_nobody_owes_for_them(self, chain):
        october, november = close(chain, 10), close(chain, 11)
        a, b, c = chain.a.store, chain.b.store, chain.c.store
        hq = headquarters_get(merchant_id=chain.merchant.id)
        # issued, redeemed here, others' redeemed here, ours elsewhere, expired, its value, owed to, owed by, net
        assert points_lines(october, a) == (500, 0, 0, 200, 0, 0, 0, 2_000, -2_000)
        assert points_lines(november, a) == (0, 0, 0, 0, 300, 3_000, 0, 0, 0)
        assert points_lines(november, b) == (150, 0, 0, 100, 0, 0, 0, 1_000, -1_000)
        assert points_lines(november, c) == (0, 100, 100, 0, 0, 0, 1_000, 0, 1_000)
        assert points_lines(november, hq) == (0, 0, 0, 0, 0, 0, 0, 0, 0)
        # The clearing matrix knows nothing of breakage: only B owes C.
        pairs = {(o.debtor_id, o.creditor_id, o.total_minor) for o in november.obligations.all()}
        assert pairs == {(b.id, c.id, 1_000)}
        assert {(t.payer_id, t.payee_id, t.amount_minor) for t in november.transfers.all()} == {(b.id, c.id, 1_000)}
        (merchant,) = november.merchant_statements.all()
        assert (merchant.points_expired, merchant.points_expired_minor, merchant.net_minor) == (300, 3_000, 0)
        assert november.reports_points_expired
        assert ledger_verify() == []

    def test_the_api_the_exports_and_the_console_show_the_breakage(self, chain):
        close(chain, 10)
        close(chain, 11)
        with time_machine.travel(at(12, 2, 9), tick=False):
            token = token_for(chain, "hq_admin", "hq")
            base = f"/api/v1/programs/{chain.program.public_id}/settlements/2026-11"
            body = client(token).get(base).json()
            exported = client(token).get(f"{base}/export?format=csv&table=statements").content.decode("utf-8-sig")
            user = StaffUser.objects.create_user(username="hq2", password="x" * 16, role="hq_admin",
                                                 merchant=chain.merchant)  # fmt: skip
            page = console(user, chain.a.store).get("/settlement/2026-11/").content.decode()
        figures = {s["store"]: s["figures"] for s in body["statements"]}
        assert (figures["S001"]["points_expired"], figures["S001"]["points_expired_minor"]) == (300, 3_000)
        assert figures["S002"]["points_expired"] == 0
        assert (body["merchants"][0]["points_expired"], body["merchants"][0]["points_expired_minor"]) == (300, 3_000)
        assert body["reports_points_expired"] is True
        header, *rows = csv.reader(io.StringIO(exported))
        row_a = dict(zip(header, next(r for r in rows if r[0] == "S001"), strict=True))
        assert (row_a["points expired unspent"], row_a["value of the points expired"]) == ("300", "30.00")
        assert "Points expired unspent" in page
        assert "CN¥30.00" in page


def test_an_alliance_partners_lapsed_points_are_its_own_breakage(db):
    silk = world_build(stores=2, name="Silk", **EXPIRY)
    bean, bean1 = partner("Bean", "BEAN1")
    fuel, _fuel1 = partner("Fuel", "FUEL1")
    alliance_create(program=silk.program, name="City card", partners=[bean, fuel], commission_bp=1_000)
    with time_machine.travel(at(10, 20), tick=False):
        m1 = member_new(silk)
        sell(silk.a, m1, [(1, 50_000)])  # 500 points issued by Silk
        sell(bean1, m1, [(1, 8_000)])  # 80 issued by Bean
    with time_machine.travel(at(10, 25), tick=False):
        redeem(silk.b, m1, 300)  # Silk's own points at its second store: nothing between merchants
    assert sweep(silk)["points"] == 280  # Silk's 200 and Bean's 80 lapse
    close(silk, 10)
    november = close(silk, 11)
    expired = {s.store.code: (s.points_expired, s.points_expired_minor)
               for s in november.statements.select_related("store") if s.points_expired}  # fmt: skip
    assert expired == {"S001": (200, 2_000), "BEAN1": (80, 800)}
    merchants = {m.merchant.name: (m.points_expired, m.points_expired_minor, m.net_minor)
                 for m in november.merchant_statements.select_related("merchant")}  # fmt: skip
    assert merchants == {"Silk": (200, 2_000, 0), "Bean": (80, 800, 0), "Fuel": (0, 0, 0)}
    assert not november.merchant_transfers.exists()
    assert ledger_verify() == []


def _old_columns(model_fields):
    return [f.name for f in model_fields if not f.name.startswith("points_expired")]


def test_a_month_closed_before_statements_reported_breakage_still_reconciles(chain):
    # November as the previous release closed it: no breakage lines, rows written without the new columns (the
    # database fills in zero and "does not report points expired").
    program = chain.program
    m = month_of_program(program, 2026, 11)
    result = settlement_compute(m, terms_for(program), points_expired=False)
    between = merchant_settlement_compute(program, result)
    count, last = month_postings(program_id=program.id, starts_at=m.starts_at, ends_at=m.ends_at)
    period = SettlementPeriod.objects.create(
        program=program, year=2026, month=11, timezone=m.timezone, currency=program.currency, starts_at=m.starts_at,
        ends_at=m.ends_at, bonus_rate_bp=0, point_value_points=10, point_value_minor=100, postings=count,
        last_posting_id=last, closed_at=at(12, 1, 0, 30), closed_by_system="previous-release",
    )  # fmt: skip
    services._rows_write(period, replace(result, statements=[]))
    store_names, merchant_names = _old_columns(fields(StoreFigures)), _old_columns(fields(MerchantFigures))
    sql_insert(StoreStatement._meta.db_table, ["period_id", *store_names],
               [[period.id, *(getattr(s, n) for n in store_names)] for s in result.statements])  # fmt: skip
    sql_insert(MerchantStatement._meta.db_table, ["period_id", *merchant_names],
               [[period.id, *(getattr(s, n) for n in merchant_names)] for s in between.statements])  # fmt: skip
    period.refresh_from_db()
    assert not period.reports_points_expired
    assert period.statements.get(store=chain.a.store).points_expired == 0
    assert period_differences(period) == []
    # The same month computed as it is closed now does show A's 300.
    fresh = settlement_compute(m, terms_for(program))
    assert next(s for s in fresh.statements if s.store_id == chain.a.store.id).points_expired == 300
    assert ledger_verify() == []
