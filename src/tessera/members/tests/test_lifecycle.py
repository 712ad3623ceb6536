"""The card lifecycle of seed 002: join on one purchase of at least the threshold, a two-year card, renewal.

Figures: the clothing chain's programme (Asia/Shanghai, CNY) with a 24-month card, a 10 yuan renewal fee and
a 198 yuan joining purchase; the design-2 variant uses 128 yuan.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from tessera.audit.models import AuditRecord
from tessera.kit.errors import DomainError
from tessera.members.lifecycle import (
    RENEWAL_WINDOW_DAYS,
    card_valid_until_from,
    join_threshold_check,
    member_card_renew,
    member_card_require_valid,
    member_card_valid,
)
from tessera.members.selectors import member_balances
from tessera.members.services import member_status_set
from tessera.testing import member_new, sell, world_build

SH = ZoneInfo("Asia/Shanghai")


def local(*args):
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        (date(2026, 3, 1), 24, date(2028, 2, 29)),  # the seed's two years, ending on a leap day
        (date(2028, 2, 29), 24, date(2030, 2, 28)),  # no 29 February in 2030: the card runs to the 28th
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: the end of February, not the 27th
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 15), 12, date(2027, 12, 14)),
        (date(2026, 3, 1), None, None),  # no validity: never expires
    ],
)
def test_a_card_is_valid_until_the_day_before_the_same_date_n_months_later(start, months, last_day):
    assert card_valid_until_from(start, months) == last_day


@pytest.fixture
def world(db):
    return world_build(timezone="Asia/Shanghai", card_validity_months=24, card_renewal_fee_minor=1000,
                       join_min_purchase_minor=19800)  # fmt: skip


@pytest.fixture
def member(world):
    # Enrolled at 00:30 on 1 March 2026 in Shanghai, which is still 28 February in UTC.
    with time_machine.travel(local(2026, 3, 1, 0, 30), tick=False):
        member = member_new(world)
        sell(world.a, member, [(1, 50000)])  # 500 yuan: 500 points
    return member


def renew(world, member, now, key="renew-1"):
    return member_card_renew(member=member, actor=world.a.actor, now=now, request_key=key)


def refusal(call):
    with pytest.raises(DomainError) as exc:
        call()
    return exc.value


class TestValidity:
    def test_enrolment_gives_a_two_year_card_counted_in_the_programmes_time_zone(self, member):
        assert member.card_valid_until == date(2028, 2, 29)
        assert member_card_valid(member, date(2028, 2, 29))
        assert not member_card_valid(member, date(2028, 3, 1))

    def test_the_till_refuses_the_card_from_local_midnight_after_its_last_day(self, member):
        member_card_require_valid(member=member, at=local(2028, 2, 29, 23, 59))
        error = refusal(lambda: member_card_require_valid(member=member, at=local(2028, 3, 1, 0, 0)))
        assert error.code == "card_expired"
        assert "2028-02-29" in error.text()

    def test_a_programme_without_validity_gives_cards_that_never_expire(self, db):
        world = world_build()
        member = member_new(world)
        assert member.card_valid_until is None
        assert member_card_valid(member, date(2099, 1, 1))
        error = refusal(lambda: renew(world, member, local(2026, 3, 1, 9, 0)))
        assert error.code == "card_never_expires"


class TestRenewal:
    def test_an_expired_card_is_renewed_for_ten_yuan_from_today_and_keeps_its_points(self, world, member):
        # 10 March 2028, ten days after the card ran out: valid again through 9 March 2030.
        outcome = renew(world, member, local(2028, 3, 10, 10, 0))
        assert outcome.body == {"member_id": member.public_id, "previous_valid_until": "2028-02-29",
                                "card_valid_until": "2030-03-09", "fee_minor": 1000, "currency": "CNY"}  # fmt: skip
        member.refresh_from_db()
        assert member.card_valid_until == date(2030, 3, 9)
        assert member_balances(member=member).points == 500
        audit = AuditRecord.objects.get(action="member.card_renew")
        assert (audit.details["fee_minor"], audit.details["currency"]) == (1000, "CNY")
        assert audit.request_key == "renew-1"

    def test_renewing_in_the_last_month_adds_two_years_to_the_old_expiry(self, world, member):
        outcome = renew(world, member, local(2028, 2, 10, 10, 0))
        assert outcome.body["card_valid_until"] == "2030-02-28"  # from 1 March 2028: no days lost

    def test_a_retry_with_the_same_key_answers_the_same_and_charges_once(self, world, member):
        first = renew(world, member, local(2028, 3, 10, 10, 0))
        again = renew(world, member, local(2028, 3, 10, 10, 1))
        assert again.replayed
        assert again.body == first.body
        assert AuditRecord.objects.filter(action="member.card_renew").count() == 1

    def test_a_key_reused_for_another_member_is_refused(self, world, member):
        renew(world, member, local(2028, 3, 10, 10, 0))
        with time_machine.travel(local(2026, 3, 1, 0, 30), tick=False):
            other = member_new(world)
        assert refusal(lambda: renew(world, other, local(2028, 3, 10, 10, 5))).code == "idempotency_key_reused"

    def test_a_card_with_more_than_the_window_left_is_not_renewed_yet(self, world, member):
        assert RENEWAL_WINDOW_DAYS == 30
        error = refusal(lambda: renew(world, member, local(2028, 1, 29, 23, 59)))
        assert error.code == "card_renewal_too_early"
        assert "2028-01-30" in error.text()  # 30 days before 29 February 2028
        assert renew(world, member, local(2028, 1, 30, 0, 0)).body["card_valid_until"] == "2030-02-28"

    def test_a_closed_membership_is_not_renewed(self, world, member):
        member_status_set(member=member, status="closed", reason="asked", actor=world.a.actor,
                          now=local(2028, 3, 1, 9, 0))  # fmt: skip
        assert refusal(lambda: renew(world, member, local(2028, 3, 10, 10, 0))).code == "member_not_active"


class TestJoinThreshold:
    def test_127_99_is_refused_and_128_00_accepted_for_a_128_yuan_threshold(self, db):
        program = world_build(join_min_purchase_minor=12800).program
        error = refusal(lambda: join_threshold_check(program, 12799))
        assert error.code == "join_purchase_too_small"
        assert (error.details["threshold_minor"], error.details["amount_minor"]) == (12800, 12799)
        assert "128.00" in error.text()
        assert "127.99" in error.text()
        join_threshold_check(program, 12800)

    def test_the_seed_198_yuan_rule(self, world):
        assert refusal(lambda: join_threshold_check(world.program, 19799)).code == "join_purchase_too_small"
        join_threshold_check(world.program, 19800)

    def test_without_a_threshold_any_purchase_joins(self, db):
        join_threshold_check(world_build().program, 1)

    @pytest.mark.parametrize(("language", "expected"), [("zh-hans", "单笔"), ("zh-hant", "單筆"), ("ko", "한 번")])
    def test_the_refusal_is_translated(self, world, language, expected):
        error = refusal(lambda: join_threshold_check(world.program, 100))
        with translation.override(language):
            assert expected in error.text()
