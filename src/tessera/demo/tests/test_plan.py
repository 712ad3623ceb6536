"""The planned year, without a database: deterministic per seed, and shaped like the owners' businesses."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest

from tessera.demo import history
from tessera.demo.catalogue import CLOTHING, SALON_PRODUCTS, SALON_SERVICES, Item
from tessera.demo.history import line_discount, plan_make
from tessera.demo.markets import CHAIN, SALON
from tessera.demo.partners import PARTNERS
from tessera.demo.steps import Enrol, Plan, Redeem, Return, Sale, ShareHistory, TopUp, TopUpRefund

END = datetime(2025, 6, 30, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_make(seed=11, members=400, end=END)


def fingerprint(plan: Plan) -> list[tuple[object, ...]]:
    return [(type(s).__name__, s.at, s.store, s.pos_number, s.request_key, s.member.profile) for s in plan.steps]


def sales(plan: Plan, market_key: str) -> list[Sale]:
    return [s for s in plan.steps if isinstance(s, Sale) and s.member.market.key == market_key]


class TestPlanIsDeterministic:
    def test_the_same_seed_plans_the_same_year(self, plan: Plan) -> None:
        assert fingerprint(plan_make(seed=11, members=400, end=END)) == fingerprint(plan)

    def test_another_seed_plans_another_year(self, plan: Plan) -> None:
        assert fingerprint(plan_make(seed=12, members=400, end=END)) != fingerprint(plan)


class TestPlanShape:
    def test_members_split_between_the_chain_and_the_salon(self, plan: Plan) -> None:
        assert Counter(m.market.key for m in plan.members) == {"cn": 320, "kr": 80}

    def test_a_year_of_steps_in_till_time_order_before_the_end(self, plan: Plan) -> None:
        times = [s.at for s in plan.steps]
        assert times == sorted(times)
        assert min(times) >= END - timedelta(days=366)
        assert max(times) < END
        assert all(s.recorded_at >= s.at for s in plan.steps)

    def test_members_join_with_a_first_purchase_over_the_threshold(self, plan: Plan) -> None:
        first: dict[int, Sale] = {}
        for sale in sales(plan, "cn"):
            first.setdefault(sale.member.index, sale)
        assert len(first) == 320
        for sale in first.values():
            assert sum(i.unit_price_minor * i.quantity for i in sale.items) >= CHAIN.join_minimum_minor

    def test_every_member_enrols_before_buying(self, plan: Plan) -> None:
        enrolled: set[tuple[str, int]] = set()
        for step in plan.steps:
            key = (step.member.market.key, step.member.index)
            if isinstance(step, Enrol):
                enrolled.add(key)
            else:
                assert key in enrolled

    def test_frequency_is_skewed_few_heavy_buyers_many_occasional(self, plan: Plan) -> None:
        per_member = Counter(s.member.index for s in sales(plan, "cn"))
        counts = sorted(per_member.values(), reverse=True)
        assert counts[0] >= 5
        assert sum(1 for c in counts if c == 1) > len(counts) / 3

    def test_there_are_top_ups_redemptions_and_about_five_percent_returns(self, plan: Plan) -> None:
        kinds = Counter(type(s).__name__ for s in plan.steps)
        assert kinds[TopUp.__name__] > 0
        assert kinds[Redeem.__name__] > 0
        assert 0.02 < kinds[Return.__name__] / kinds[Sale.__name__] < 0.09

    def test_a_few_top_ups_are_refunded_later_at_the_store_that_took_them(self, plan: Plan) -> None:
        refunds = [s for s in plan.steps if isinstance(s, TopUpRefund)]
        top_ups = sum(1 for s in plan.steps if isinstance(s, TopUp))
        assert 0 < len(refunds) < 0.1 * top_ups
        for step in refunds:
            assert step.original is not None
            assert (step.store, step.member) == (step.original.store, step.original.member)
            assert step.original.at < step.at <= step.original.at + timedelta(days=8)

    def test_returns_come_back_to_the_store_of_the_sale_later(self, plan: Plan) -> None:
        for step in plan.steps:
            if isinstance(step, Return):
                assert step.original is not None
                assert step.store == step.original.store
                assert step.at > step.original.at
                for line_no, quantity in step.lines:
                    assert 0 < quantity <= step.original.items[line_no - 1].quantity

    def test_salon_returns_are_products_never_services(self, plan: Plan) -> None:
        for step in plan.steps:
            if isinstance(step, Return) and step.member.market.key == "kr":
                assert step.original is not None
                assert step.lines
                assert all(step.original.items[n - 1].category in (SALON.returnable or ()) for n, _ in step.lines)

    def test_receipt_numbers_are_unique_per_store(self, plan: Plan) -> None:
        numbered = [(s.member.market.key, s.store, s.pos_number) for s in plan.steps if s.pos_number]
        assert len(numbered) == len(set(numbered))
        assert all(s.request_key for s in plan.steps)
        assert len({s.request_key for s in plan.steps}) == len(plan.steps)


PARTNER_OF = {spec.code: partner for partner in PARTNERS for spec in partner.stores}


class TestPlanAlliance:
    def test_card_members_buy_top_up_and_redeem_at_the_partners_after_joining(self, plan: Plan) -> None:
        joined: dict[int, datetime] = {}
        kinds: Counter[str] = Counter()
        for step in plan.steps:
            if isinstance(step, Enrol) and step.member.market is CHAIN:
                joined[step.member.index] = step.at
            if step.store in PARTNER_OF:
                assert step.member.market is CHAIN
                assert step.at > joined[step.member.index]
                kinds[type(step).__name__] += 1
                if isinstance(step, Redeem):
                    assert step.menu == PARTNER_OF[step.store].rewards
        assert kinds[Sale.__name__] > 0
        assert kinds[TopUp.__name__] > 0
        assert kinds[Redeem.__name__] > 0
        assert not kinds[Return.__name__] + kinds[TopUpRefund.__name__]

    def test_a_few_members_consent_at_the_clothing_store_to_share_their_history(self, plan: Plan) -> None:
        consents = [s for s in plan.steps if isinstance(s, ShareHistory)]
        chain_codes = {spec.code for spec in CHAIN.stores}
        assert 0 < len(consents) < 0.05 * 320
        assert all(s.store in chain_codes and s.staffed and not s.pos_number for s in consents)

    def test_the_partners_leave_every_other_step_as_it_was(self, plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(history, "PARTNERS", ())
        without = plan_make(seed=11, members=400, end=END)
        assert not any(isinstance(s, ShareHistory) or s.store in PARTNER_OF for s in without.steps)

        def steps(of: Plan) -> list[tuple[object, ...]]:
            kept = [s for s in of.steps if not isinstance(s, ShareHistory) and s.store not in PARTNER_OF]
            return [(type(s).__name__, s.at, s.store, s.pos_number, s.member.profile) for s in kept]

        assert steps(plan) == steps(without)


class TestPeople:
    def test_phones_are_valid_mobiles_and_unique_per_market(self, plan: Plan) -> None:
        for market in (CHAIN, SALON):
            numbers = []
            for member in (m for m in plan.members if m.market is market):
                parsed = phonenumbers.parse(member.profile.phone, market.country)
                assert phonenumbers.is_valid_number(parsed)
                assert phonenumbers.number_type(parsed) in {
                    phonenumbers.PhoneNumberType.MOBILE,
                    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
                }
                numbers.append(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
            assert len(numbers) == len(set(numbers))

    def test_names_languages_and_birthdays_fit_each_market(self, plan: Plan) -> None:
        chinese = [m.profile for m in plan.members if m.market is CHAIN]
        korean = [m.profile for m in plan.members if m.market is SALON]
        assert all("\u4e00" <= p.name[0] <= "\u9fff" for p in chinese)
        assert all("\uac00" <= p.name[0] <= "\ud7a3" for p in korean)
        assert Counter(p.locale for p in chinese).most_common(1)[0][0] == "zh-hans"
        assert Counter(p.locale for p in korean).most_common(1)[0][0] == "ko"
        assert sum(p.birthday is not None for p in chinese + korean) > 0.8 * len(plan.members)
        assert {"female", "male"} <= {p.gender for p in chinese + korean}


class TestCatalogue:
    def test_prices_are_whole_yuan_and_whole_thousands_of_won(self) -> None:
        assert all(p.price_minor % 100 == 0 for p in CLOTHING)
        assert all(p.price_minor % 1_000 == 0 for p in SALON_SERVICES + SALON_PRODUCTS)

    def test_member_day_discount_rounds_down_to_whole_units(self) -> None:
        tee = Item("YS-T101-BK-M", "T恤", "YUNSHANG", "上衣", unit_price_minor=12_900, quantity=3)
        assert line_discount(tee, 10) == 3_800  # 38.70 yuan off 387 yuan, printed as 38 yuan
        assert line_discount(tee, 0) == 0
