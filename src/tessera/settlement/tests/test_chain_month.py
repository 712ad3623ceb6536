"""A chain's month, worked by hand: top-ups and spends across three stores, points redeemed elsewhere, a return
that crosses the month boundary, an adjustment after the close, and the statements and transfers that result."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tessera.checkout.commands import RedemptionIn
from tessera.checkout.services import points_redeem
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.models import Posting
from tessera.ledger.verify import ledger_verify
from tessera.settlement.checks import NAME as RECONCILE
from tessera.settlement.jobs import settlement_close_due
from tessera.settlement.models import SettlementPeriod
from tessera.settlement.services import settlement_adjust, settlement_close
from tessera.stores.selectors import headquarters_actor
from tessera.stores.services import store_create
from tessera.testing import give_back, key, member_new, sell, top_up, world_build

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=12, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def figures(period, store):
    s = period.statements.get(store=store)
    return {
        "opening": s.principal_opening_minor, "taken_in": s.principal_taken_in_minor,
        "spent_here": s.principal_spent_here_minor, "receivable": s.principal_receivable_minor,
        "payable": s.principal_payable_minor, "closing": s.principal_closing_minor,
        "points_issued": s.points_issued, "points_redeemed_here": s.points_redeemed_here,
        "owed_to": s.receivable_minor, "owed_by": s.payable_minor, "adjustments": s.adjustments_minor,
        "net": s.net_minor,
    }  # fmt: skip


def transfers(period):
    return {(t.payer.code, t.payee.code, t.amount_minor) for t in period.transfers.select_related("payer", "payee")}


@pytest.fixture
def chain():
    # Ten points are worth one yuan when redeemed; a yuan spent in cash earns one point.
    world = world_build(stores=3, point_value_points=10, point_value_minor=100)
    hq = headquarters_actor(merchant_id=world.merchant.id, system="settlement-test")
    return world, hq


def november(world):
    a, b, c = world.a, world.b, world.c
    with time_machine.travel(at(11, 3), tick=False):
        m1 = member_new(world)
        m2 = member_new(world)
        top_up(a, m1, 100_000)  # M1 puts 1,000.00 in at A
    with time_machine.travel(at(11, 5), tick=False):
        top_up(b, m2, 50_000)  # M2 puts 500.00 in at B
    with time_machine.travel(at(11, 10), tick=False):
        sell(b, m1, [(1, 30_000)], sv=30_000)  # A's money spent at B: A owes B 300.00
    with time_machine.travel(at(11, 12), tick=False):
        sell(c, m2, [(1, 20_000)], sv=20_000)  # B's money at C: B owes C 200.00
        sell(c, m2, [(1, 30_000)])  # cash: C issues 300 points
    with time_machine.travel(at(11, 20), tick=False):
        sell(a, m1, [(1, 10_000)], sv=10_000)  # A's own money at A: nobody owes anybody
    with time_machine.travel(at(11, 28), tick=False):
        sell(a, m2, [(1, 15_000)], sv=15_000)  # B's money at A: B owes A 150.00
        redemption = RedemptionIn(member=m2.public_id, pos_number="R-1", event_at=now(), points=250)
        points_redeem(actor=a.actor, redemption=redemption, request_key=key(), now=now())  # C owes A 25.00
    with time_machine.travel(at(11, 30, 23, 50), tick=False):
        sell(c, m1, [(1, 20_000)], sv=20_000, pos_number="C-LATE")  # ten minutes to midnight: A owes C 200.00
    return m1, m2


class TestAChainsMonth:
    def test_november_statements_and_transfers(self, chain):
        world, hq = chain
        november(world)
        with time_machine.travel(at(12, 1, 0, 30), tick=False):
            period = settlement_close(program=world.program, year=2026, month=11, actor=hq, now=now())
        a, b, c = world.a.store, world.b.store, world.c.store
        assert figures(period, a) == {
            "opening": 0, "taken_in": 100_000, "spent_here": 25_000, "receivable": 15_000, "payable": 50_000,
            "closing": 40_000, "points_issued": 0, "points_redeemed_here": 250, "owed_to": 17_500,
            "owed_by": 50_000, "adjustments": 0, "net": -32_500,
        }  # fmt: skip
        assert figures(period, b) == {
            "opening": 0, "taken_in": 50_000, "spent_here": 30_000, "receivable": 30_000, "payable": 35_000,
            "closing": 15_000, "points_issued": 0, "points_redeemed_here": 0, "owed_to": 30_000, "owed_by": 35_000,
            "adjustments": 0, "net": -5_000,
        }  # fmt: skip
        assert figures(period, c) == {
            "opening": 0, "taken_in": 0, "spent_here": 40_000, "receivable": 40_000, "payable": 0, "closing": 0,
            "points_issued": 300, "points_redeemed_here": 0, "owed_to": 40_000, "owed_by": 2_500,
            "adjustments": 0, "net": 37_500,
        }  # fmt: skip
        # Netted per pair: A owes B 300.00 less B's 150.00; A owes C 200.00 less C's 25.00 of points.
        assert transfers(period) == {("S001", "S002", 15_000), ("S001", "S003", 17_500), ("S002", "S003", 20_000)}
        assert sum(s.net_minor for s in period.statements.all()) == 0
        assert (period.postings, period.timezone) == (9, "Asia/Shanghai")  # 2 top-ups, 6 sales, 1 redemption
        assert ledger_verify() == []

    def test_december_gives_back_the_late_sale_and_carries_the_adjustment(self, chain):
        world, hq = chain
        november(world)
        with time_machine.travel(at(12, 1, 0, 30), tick=False):
            settlement_close(program=world.program, year=2026, month=11, actor=hq, now=now())
        with time_machine.travel(at(12, 2), tick=False):
            give_back(world.c, "C-LATE")  # November's sale, December's return: C gives A's 200.00 back
        with time_machine.travel(at(12, 3), tick=False):
            settlement_adjust(program=world.program, creditor=world.c.store, debtor=world.b.store, amount_minor=1_234,
                              reason="November: price keyed wrong at C", corrects="2026-11", actor=hq,
                              request_key=key(), now=now())  # fmt: skip
        with time_machine.travel(at(1, 1, 0, 30, year=2027), tick=False):
            period = settlement_close(program=world.program, year=2026, month=12, actor=hq, now=now())
        a, b, c = world.a.store, world.b.store, world.c.store
        assert figures(period, a)["opening"] == 40_000
        assert (figures(period, a)["payable"], figures(period, a)["closing"]) == (-20_000, 60_000)
        assert figures(period, a)["net"] == 20_000
        assert (figures(period, c)["spent_here"], figures(period, c)["adjustments"]) == (-20_000, 1_234)
        assert figures(period, c)["net"] == -18_766
        assert (figures(period, b)["adjustments"], figures(period, b)["net"]) == (-1_234, -1_234)
        assert transfers(period) == {("S003", "S001", 20_000), ("S002", "S003", 1_234)}
        assert ledger_verify() == []


class TestClosing:
    def test_a_month_closes_only_once_it_is_over(self, chain):
        world, hq = chain
        with time_machine.travel(at(12, 1, 0, 10), tick=False), pytest.raises(DomainError) as caught:
            settlement_close(program=world.program, year=2026, month=11, actor=hq, now=now())
        assert caught.value.code == "settlement_period_not_over"
        assert not SettlementPeriod.objects.exists()

    def test_a_closed_month_cannot_be_closed_again_nor_an_earlier_one_after_it(self, chain):
        world, hq = chain
        with time_machine.travel(at(12, 1, 1), tick=False):
            settlement_close(program=world.program, year=2026, month=11, actor=hq, now=now())
            for month in (11, 10):
                with pytest.raises(DomainError) as caught:
                    settlement_close(program=world.program, year=2026, month=month, actor=hq, now=now())
                assert caught.value.code == "settlement_period_closed"

    def test_months_close_in_order(self, chain):
        world, hq = chain
        with time_machine.travel(at(3, 1, 1, year=2027), tick=False):
            settlement_close(program=world.program, year=2026, month=12, actor=hq, now=now())
            with pytest.raises(DomainError) as caught:
                settlement_close(program=world.program, year=2027, month=2, actor=hq, now=now())
        assert caught.value.code == "settlement_previous_period_open"

    @pytest.mark.ledger_violations_expected(RECONCILE)
    def test_a_posting_written_into_a_closed_month_fails_the_reconciliation(self, chain):
        world, hq = chain
        member = member_new(world)
        with time_machine.travel(at(12, 1, 1), tick=False):
            settlement_close(program=world.program, year=2026, month=11, actor=hq, now=now())
        with time_machine.travel(at(11, 30, 22), tick=False):
            top_up(world.a, member, 1_000)  # a clock set back: recorded inside the closed month
        violations = [v for v in ledger_verify() if v.check == RECONCILE]
        assert violations, "a closed month that no longer matches the ledger must fail verify"
        assert "covered 0 postings up to None, now 1" in violations[0].detail
        assert "statements differ" in violations[1].detail


def test_a_store_opened_after_a_closed_month_leaves_it_as_it_was(chain):
    world, hq = chain
    november(world)
    with time_machine.travel(at(12, 1, 1), tick=False):
        settlement_close(program=world.program, year=2026, month=11, actor=hq, now=now())
    with time_machine.travel(at(12, 2), tick=False):
        store_create(merchant=world.merchant, code="S009", name="New store")
    assert ledger_verify() == []
    with time_machine.travel(at(1, 1, 1, year=2027), tick=False):
        december = settlement_close(program=world.program, year=2026, month=12, actor=hq, now=now())
    assert december.statements.filter(store__code="S009").exists()  # in every month from its first on
    assert ledger_verify() == []


class TestAdjustments:
    def adjust(self, world, hq, **overrides):
        args = {
            "program": world.program,
            "creditor": world.a.store,
            "debtor": world.b.store,
            "amount_minor": 500,
            "reason": "correction",
            "corrects": "2026-11",
            "actor": hq,
            "request_key": key(),
            "now": now(),
        }
        args.update(overrides)
        return settlement_adjust(**args)

    @pytest.mark.parametrize(
        "overrides",
        [{"amount_minor": 0}, {"amount_minor": -5}, {"reason": "  "}, {"debtor": "same"}, {"debtor": "foreign"}],
    )
    def test_a_bad_adjustment_is_refused_and_posts_nothing(self, chain, overrides):
        world, hq = chain
        if overrides.get("debtor") == "same":
            overrides["debtor"] = world.a.store
        elif overrides.get("debtor") == "foreign":
            overrides["debtor"] = world_build(name="Other").a.store
        with pytest.raises(DomainError) as caught:
            self.adjust(world, hq, **overrides)
        assert caught.value.code == "settlement_adjustment_invalid"
        assert caught.value.status == 422
        assert not Posting.objects.filter(reason="settlement_adjustment").exists()

    def test_a_retried_adjustment_posts_once(self, chain):
        world, hq = chain
        request_key = key()
        first = self.adjust(world, hq, request_key=request_key)
        again = self.adjust(world, hq, request_key=request_key)
        assert first == again
        assert Posting.objects.filter(reason="settlement_adjustment").count() == 1
        with pytest.raises(DomainError) as caught:
            self.adjust(world, hq, request_key=request_key, amount_minor=600)
        assert caught.value.code == "idempotency_key_reused"


class TestTheMonthlyJob:
    def test_it_closes_the_month_just_ended_and_catches_up_after_a_gap(self, chain):
        world, _hq = chain
        november(world)
        with time_machine.travel(at(12, 1, 0, 40), tick=False):
            assert settlement_close_due(program_id=world.program.id, local_date=at(12, 1).date()) == {
                "closed": ["2026-11"]
            }
            assert settlement_close_due(program_id=world.program.id, local_date=at(12, 2).date()) == {"closed": []}
        # The worker was down over New Year: on 1 February it closes December and January, in order.
        with time_machine.travel(at(2, 1, 0, 40, year=2027), tick=False):
            done = settlement_close_due(program_id=world.program.id, local_date=at(2, 1, year=2027).date())
        assert done == {"closed": ["2026-12", "2027-01"]}
        periods = SettlementPeriod.objects.filter(program=world.program).order_by("year", "month")
        assert [(p.year, p.month, p.closed_by_system) for p in periods] == [
            (2026, 11, "settlement.close"), (2026, 12, "settlement.close"), (2027, 1, "settlement.close")]  # fmt: skip
        assert ledger_verify() == []
