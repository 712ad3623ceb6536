"""The owners' programmes, loaded from their templates and replayed through the till over a year or more.

Every figure is worked out by hand from the seeds: seed 000's salon ladder, seed 002's diamonds, monthly gift
ladder and card lifecycle, and the double-points days. Times are wall-clock times in the programme's zone.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from tessera.blueprints.tests.till import buy, give_back, local, member_of, quote, template, top_up
from tessera.checkout.commands import JoinIn
from tessera.earning.rules import BirthdayScope, Rule, RuleKind
from tessera.earning.services import earning_rule_create
from tessera.members.lifecycle import CardExpired, JoinPurchaseTooSmall, member_card_renew
from tessera.members.models import Member
from tessera.members.selectors import member_balances
from tessera.members.services import Profile, member_enroll
from tessera.rewards.errors import RewardRevoked
from tessera.rewards.models import RewardGrant
from tessera.rewards.services import reward_claim, rewards_lapse_run
from tessera.testing import World, world_build
from tessera.tiers.selectors import tier_progress_get
from tessera.tiers.services import tier_evaluation_run

pytestmark = pytest.mark.django_db
SH, SEOUL = "Asia/Shanghai", "Asia/Seoul"


def enrol(world: World, when: str, *, tz: str = SH, birthday: date | None = None, phone: str = "13800138000"):
    at = local(tz, when)
    with time_machine.travel(at, tick=False):
        body = member_enroll(program=world.program, profile=Profile(phone=phone, name="Li Na", birthday=birthday),
                             actor=world.a.actor, now=at).body  # fmt: skip
    return member_of(body)


def discount(body) -> tuple[str, int]:
    return body["member_discount"]["tier"], body["member_discount"]["total_minor"]


def test_salon_stored_value_sets_the_discount_the_moment_it_is_put_in():
    world = world_build(name="Salon")
    template(world, "salon_stored_value")
    shop, member = world.a, enrol(world, "2027-01-10 09:00")
    assert top_up(shop, member, 150_000, local(SH, "2027-01-10 10:00"))["tier_change"] is None
    first = buy(shop, member, [10_000], local(SH, "2027-01-10 10:05"))
    assert (discount(first), first["total_minor"]) == (("member", 0), 10_000)
    # 1,500 + 600 = 2,100 put in: the 2,000 card and 10% off.
    change = top_up(shop, member, 60_000, local(SH, "2027-02-01 10:00"))["tier_change"]
    assert change == {"from_tier": "member", "to_tier": "silver", "reason": "upgrade"}
    paid = buy(shop, member, [30_000], local(SH, "2027-02-01 11:00"), pay="stored_value")
    figures = (discount(paid), paid["total_minor"], paid["stored_value"]["principal_minor"])
    assert figures == (("silver", 3_000), 27_000, 27_000)
    assert top_up(shop, member, 300_000, local(SH, "2027-03-01 10:00"))["tier_change"]["to_tier"] == "gold"
    assert buy(shop, member, [100_000], local(SH, "2027-03-01 10:30"), pay="stored_value")["total_minor"] == 80_000
    # Exactly 8,000 put in at 23:59 on 30 June in Shanghai: 30% off, rounded down to the fen (29.99 of 99.99).
    assert top_up(shop, member, 290_000, local(SH, "2027-06-30 23:59"))["tier_change"]["to_tier"] == "platinum"
    last = buy(shop, member, [9_999], local(SH, "2027-06-30 23:59:30"))
    assert (discount(last), last["total_minor"]) == (("platinum", 2_999), 7_000)
    # Stored value put in never resets: a year later the tier stands.
    assert discount(quote(shop, member, [10_000], local(SH, "2028-07-01 10:00"))) == ("platinum", 3_000)


def join(phone: str = "13800138000") -> JoinIn:
    return JoinIn(phone=phone, name="Wang Fang")


def test_clothing_diamonds_from_the_joining_purchase_to_the_first_anniversary():
    world = world_build(name="Zhouyi")
    template(world, "clothing_diamonds")
    shop = world.a
    with pytest.raises(JoinPurchaseTooSmall):
        buy(shop, None, [12_799], local(SH, "2027-03-15 10:00"), join=join())
    assert not Member.objects.exists()
    # 128 yuan gives the card and its 10% off on this purchase: 115.20 paid, 115 points.
    joined = buy(shop, None, [12_800], local(SH, "2027-03-15 10:01"), join=join())
    assert (discount(joined), joined["total_minor"], joined["points"]["earned"]) == (("card", 1_280), 11_520, 115)
    member = member_of(joined)
    big = buy(shop, member, [900_000], local(SH, "2027-06-18 15:00"))  # 8,100 paid and points: 8,215
    assert (big["points"]["earned"], big["tier_change"]) == (8_100, None)
    # 1,800 more make 10,015: red at once; the sale itself was priced at the card's 10%.
    red = buy(shop, member, [200_000], local(SH, "2027-07-01 12:00"))
    assert (discount(red), red["tier_change"]) == (("card", 20_000), {"from_tier": "card", "to_tier": "red",
                                                                       "reason": "upgrade"})  # fmt: skip
    buy(shop, member, [1_100_000], local(SH, "2027-09-30 23:59"))  # 9,900 points: 19,915
    yellow = buy(shop, member, [10_000], local(SH, "2027-10-01 00:00:30"))  # 90 points: 20,005
    assert yellow["tier_change"]["to_tier"] == "yellow"
    asked = quote(shop, member, [100_000], local(SH, "2027-10-01 09:00"))
    assert (discount(asked), asked["total_minor"], asked["tenders_match"]) == (("yellow", 15_000), 85_000, False)
    # Returning the 100-yuan sale takes its 90 points back (19,915) but never downgrades before the anniversary.
    back = give_back(shop, yellow["pos_number"], local(SH, "2027-10-02 10:00"))
    assert (back["points"]["taken_back"], back["tier_change"]) == (90, None)
    assert discount(quote(shop, member, [100_000], local(SH, "2027-10-02 10:05"))) == ("yellow", 15_000)
    # The year runs to 14 March 2028; at midnight of the 15th in Shanghai its 19,915 points decide: red.
    assert tier_evaluation_run(program_id=world.program.id, local_date=date(2028, 3, 14))["windows_closed"] == 0
    assert tier_evaluation_run(program_id=world.program.id, local_date=date(2028, 3, 15))["windows_closed"] == 1
    assert tier_evaluation_run(program_id=world.program.id, local_date=date(2028, 3, 15))["windows_closed"] == 0
    assert discount(quote(shop, member, [100_000], local(SH, "2028-03-15 09:00"))) == ("red", 10_000)
    progress = tier_progress_get(member_id=member.id, program_id=world.program.id, language="en",
                                 today=date(2028, 3, 15))  # fmt: skip
    assert progress is not None
    assert (progress.value, progress.remaining, progress.needed_by) == (0, 20_000, date(2029, 3, 14))
    # The ordinary points balance is not what resets: 115 + 8,100 + 1,800 + 9,900 + 90 - 90.
    assert member_balances(member=member).points == 19_915


def grants(member) -> list[tuple[date, int, str]]:
    rows = RewardGrant.objects.filter(member=member).select_related("step").order_by("month", "step__threshold_points")
    return [(g.month, g.step.threshold_points, g.state) for g in rows]


def test_monthly_gift_ladder_across_a_month_end_in_shanghai():
    world = world_build(name="Zhouyi")
    template(world, "clothing_monthly_gifts")
    shop, member = world.a, enrol(world, "2027-03-01 09:00")
    buy(shop, member, [60_000], local(SH, "2027-03-05 12:00"))
    buy(shop, member, [50_000], local(SH, "2027-03-20 12:00"))  # 1,100 points in March: the 50-yuan coupon
    late = buy(shop, member, [95_000], local(SH, "2027-03-31 23:59:59"))  # still March: 2,050
    buy(shop, member, [100_000], local(SH, "2027-04-01 00:00:01"))  # April starts from zero: 1,000
    march, april = date(2027, 3, 1), date(2027, 4, 1)
    assert grants(member) == [(march, 1000, "unlocked"), (march, 2000, "unlocked"), (april, 1000, "unlocked")]
    assert member_balances(member=member).points == 3_050  # the ladder never clears the balance
    first = RewardGrant.objects.get(member=member, month=march, step__threshold_points=1000)
    reward_claim(grant=first, actor=shop.actor, now=local(SH, "2027-04-15 10:00"))
    # Returning the 31 March sale in April takes 950 points off March (1,100): its 100-yuan gift goes.
    give_back(shop, late["pos_number"], local(SH, "2027-04-16 10:00"))
    assert grants(member)[:2] == [(march, 1000, "claimed"), (march, 2000, "revoked")]
    second = RewardGrant.objects.get(member=member, month=march, step__threshold_points=2000)
    with pytest.raises(RewardRevoked):
        reward_claim(grant=second, actor=shop.actor, now=local(SH, "2027-04-16 10:01"))
    # April's gift may be claimed until the end of May; the lapse job of 1 June marks it lost, once.
    assert rewards_lapse_run(program_id=world.program.id, local_date=date(2027, 6, 1))["lost"] == 1
    assert rewards_lapse_run(program_id=world.program.id, local_date=date(2027, 6, 1))["lost"] == 0
    assert grants(member)[2] == (april, 1000, "lost")


def test_monthly_gift_ladder_in_won_at_midnight_in_seoul():
    world = world_build(name="Seoul", country="KR", timezone=SEOUL, currency="KRW")
    template(world, "clothing_monthly_gifts")  # 1 won = 1 point; coupons of 50 / 100 / 150 won
    shop, member = world.a, enrol(world, "2027-03-01 09:00", tz=SEOUL, phone="01012345678")
    buy(shop, member, [1_000], local(SEOUL, "2027-03-31 23:59:59"))
    buy(shop, member, [1_000], local(SEOUL, "2027-04-01 00:00:00"))  # 15:00 UTC on 31 March, but April here
    assert grants(member) == [(date(2027, 3, 1), 1000, "unlocked"), (date(2027, 4, 1), 1000, "unlocked")]
    assert RewardGrant.objects.filter(member=member).first().reward["amount_minor"] == 50


def test_card_lifecycle_join_at_198_two_years_and_a_10_yuan_renewal_that_keeps_the_points():
    world = world_build(name="Zhouyi")
    template(world, "card_lifecycle")
    shop = world.a
    with pytest.raises(JoinPurchaseTooSmall):
        buy(shop, None, [19_799], local(SH, "2027-03-15 10:00"), join=join())
    member = member_of(buy(shop, None, [19_800], local(SH, "2027-03-15 10:01"), join=join()))
    assert member.card_valid_until == date(2029, 3, 14)
    buy(shop, member, [10_000], local(SH, "2029-03-14 23:59"))  # the card's last day
    with pytest.raises(CardExpired):
        buy(shop, member, [10_000], local(SH, "2029-03-15 00:00:01"))
    points = member_balances(member=member).points
    assert points == 198 + 100
    at = local(SH, "2029-03-20 10:00")
    with time_machine.travel(at, tick=False):
        renewed = member_card_renew(member=member, actor=shop.actor, now=at, request_key="renew-1").body
    assert renewed["fee_minor"] == 1_000
    member.refresh_from_db()
    assert member.card_valid_until == date(2031, 3, 19)
    assert member_balances(member=member).points == points
    assert buy(shop, member, [10_000], local(SH, "2029-03-20 10:05"))["points"]["earned"] == 100


def test_double_points_days_and_a_leap_day_birthday():
    world = world_build(name="Zhouyi")
    template(world, "member_days")
    at = local(SH, "2027-01-01 09:00")
    with time_machine.travel(at, tick=False):
        earning_rule_create(program=world.program, rule=Rule("birthday", RuleKind.BIRTHDAY, factor_permille=3_000,
                            birthday_scope=BirthdayScope.DAY), actor=world.a.actor, now=at)  # fmt: skip
    shop, member = world.a, enrol(world, "2027-01-01 10:00", birthday=date(2000, 2, 29))

    def earned(when: str) -> int:
        return buy(shop, member, [10_000], local(SH, when))["points"]["earned"]

    assert earned("2027-02-28 12:00") == 300  # Sunday: a 29 February birthday falls on the 28th in 2027
    assert earned("2027-03-01 12:00") == 100  # Monday, nothing
    assert earned("2027-03-03 12:00") == 200  # Wednesday
    assert earned("2027-03-08 12:00") == 200  # Monday the 8th: member day
    assert earned("2027-09-08 12:00") == 200  # Wednesday the 8th: both, but they do not compound
    assert earned("2028-02-28 12:00") == 100  # Monday: in a leap year the birthday is the 29th
    assert earned("2028-02-29 12:00") == 300
