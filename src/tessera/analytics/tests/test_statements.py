"""Value statements from real sales through checkout: the pace, the projection, the next reward, the savings to
the cent (on SQLite and PostgreSQL), the four languages, the console page and the API.

The worked example, in Shanghai (1 point per yuan paid, 100 points = 1 yuan; the diamonds ladder, whose base card
tier gives 10% off; a top-up of 1,000 yuan brings 100 yuan of bonus):

| When (local)     | What                                                                                  |
|------------------|---------------------------------------------------------------------------------------|
| 2026-03-02 10:00 | enrolled; a 50 yuan coupon                                                            |
| 2026-03-03 12:00 | top-up 1,000 yuan + 100 bonus                                                         |
| 2026-03-04 12:00 | shirt 129.00 + 2 socks 19.50: 10% off (12.90 + 3.90), coupon 50 (38.39 + 11.61): 101.20 |
| 2026-03-11 12:00 | coat 300.00: 10% off (30.00), 200.00 from stored value (181.81 principal, 18.19 bonus) |
| 2026-03-12 12:00 | 100 points redeemed (1.00 yuan)                                                        |
| 2026-03-13 12:00 | one pair of socks back (11.74): half the socks' discounts go with it (1.95 and 5.80)   |

Savings on 20 March: tier 12.90 + 3.90 + 30.00 - 1.95 = 44.85; coupons 50.00 - 5.80 = 44.20; bonus 18.19;
points 1.00; total 108.24. Pace: 2 weeks since enrolment (2 to 15 March), 359.46 net, 179.73 a week.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tessera.access.models import StaffUser
from tessera.analytics import statements_text
from tessera.analytics.statements import value_statement, value_statement_message
from tessera.analytics.statements_rules import Target
from tessera.analytics.tests.statements_world import (
    at,
    bring_back,
    buy,
    chain,
    enrol,
    give_coupon,
    load,
    redeem,
)
from tessera.console.tests.helpers import console
from tessera.earning.rules import Rule, RuleKind
from tessera.earning.services import earning_rule_create
from tessera.members.models import Member
from tessera.rewards.tests.factories import seed_ladder

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 20)


@pytest.fixture
def world():
    return chain()


def example(world, *, locale: str = "en"):
    member = enrol(world, at("2026-03-02", "10:00"), locale=locale)
    code = give_coupon(world, member, at("2026-03-02", "10:05"))
    load(world, member, at("2026-03-03"), 100_000, 10_000)
    shirt = buy(world, member, at("2026-03-04"), [(1, 12_900), (2, 1_950)], coupon=code)
    buy(world, member, at("2026-03-11"), [(1, 30_000)], sv=20_000)
    redeem(world, member, at("2026-03-12"), 100)
    bring_back(world, shirt["pos_number"], at("2026-03-13"), [(2, 1)])
    return member


def statement_member(statement):
    return Member.objects.select_related("program").get(public_id=statement.member_id)


def test_savings_add_up_to_the_cent(world):
    savings = value_statement(example(world), today=TODAY).savings
    assert (savings.tier_discount_minor, savings.coupons_minor) == (4_485, 4_420)
    assert (savings.stored_value_bonus_minor, savings.points_redeemed_minor) == (1_819, 100)
    assert savings.total_minor == 10_824


def test_pace_projection_and_next_tier(world):
    statement = value_statement(example(world), today=TODAY)
    assert (statement.period.start, statement.period.last_day, statement.period.since_enrolment) == (
        date(2026, 3, 2), date(2026, 3, 15), True
    )  # fmt: skip
    assert (statement.sales_count, statement.weekly_spend_minor) == (2, 17_973)  # 35,946 over 14 days
    # 101 + 70 (the stored-value part earned nothing) - 12 returned - 100 redeemed.
    assert (statement.points_balance, statement.points_expiring) == (59, 0)
    # 20 March to 31 December: 287 days, 41 weeks of one 179.73 basket = 179 points a week (x1 card tier).
    assert statement.points_earned_by_year_end == 179 * 287 // 7
    assert statement.points_at_year_end == 59 + 7_339
    assert statement.points_at_year_end_minor == 7_398
    target = statement.target
    assert target is not None
    assert (target.kind, target.name, target.by) == ("tier", "Red diamond", date(2026, 12, 31))
    # Red needs 10,000 points in the card year; 159 are counted: 9,841 in 287 days is 240.03 points a week.
    assert target.weekly_minor == 24_100
    assert statement.target_points_at_year_end == 59 + 241 * 287 // 7


def test_a_monthly_gift_nearer_than_the_next_tier_is_the_target(world):
    """Seed 001's ladder (1,000 / 2,000 / 3,000 points in a month). 179 points a week make 792 in March's 31
    days, so the next step is 1,000: 226 points a week, 226.00 yuan, nearer than red's 241.00."""
    seed_ladder(world.program)
    statement = value_statement(example(world), today=TODAY)
    assert statement.target == Target("gift", "50 yuan clothing coupon", 22_600, date(2026, 3, 31))
    body = value_statement_message(statement_member(statement), today=TODAY).body
    assert "Spend CN¥226.00 a week and you will unlock 50 yuan clothing coupon every month." in body


def test_points_lapsing_before_year_end_are_not_counted_in_it():
    world = chain(points_expiry_policy="days_after_earning", points_expiry_days=200)
    member = example(world)
    statement = value_statement(member, today=TODAY)
    assert statement.points_expiring == statement.points_balance == 59  # all earned in March, lapsing in September
    assert statement.points_at_year_end == statement.points_earned_by_year_end
    body = value_statement_message(member, today=TODAY).body
    assert "59 of your points expire by Dec. 31, 2026: use them in time." in body


def test_the_projection_follows_the_programmes_caps(world):
    """A 50-point cap per sale: each weekly basket earns 50, not 179, and no reward is reachable any more."""
    member = example(world)
    rule = Rule(code="CAP50", kind=RuleKind.SALE_CAP, cap_points=50)
    earning_rule_create(program=world.program, rule=rule, actor=world.a.actor, now=at("2026-03-19"))
    statement = value_statement(member, today=TODAY)
    assert statement.points_earned_by_year_end == 50 * 287 // 7
    assert statement.target is None


def test_a_year_of_savings_starts_on_the_first_of_january_local_time(world):
    member = example(world)
    assert value_statement(member, today=date(2027, 1, 1)).savings.total_minor == 0


def test_a_member_with_no_purchases(world):
    member = enrol(world, at("2026-01-05", "10:00"))
    statement = value_statement(member, today=TODAY)
    assert (statement.sales_count, statement.weekly_spend_minor, statement.points_at_year_end) == (0, 0, 0)
    assert statement.savings.total_minor == 0
    assert statement.target is not None
    assert statement.target.kind == "tier"
    message = value_statement_message(member, today=TODAY)
    assert "You made no purchase from Jan. 19, 2026 to March 15, 2026." in message.body
    assert "a week on average" not in message.sms


def test_a_member_enrolled_this_week_is_averaged_over_their_days(world):
    member = enrol(world, at("2026-03-16", "10:00"))
    buy(world, member, at("2026-03-17"), [(1, 20_000)])  # 180.00 after 10% off
    statement = value_statement(member, today=date(2026, 3, 18))
    assert (statement.period.start, statement.period.days) == (date(2026, 3, 16), 3)
    assert statement.weekly_spend_minor == 18_000 * 7 // 3


def test_won_have_no_minor_unit():
    world = chain(country="KR", timezone="Asia/Seoul", currency="KRW", earn_per_minor=1000, point_value_minor=1,
                  point_value_points=1)  # fmt: skip
    member = enrol(world, at("2026-03-02", "10:00", "Asia/Seoul"), locale="ko")
    buy(world, member, at("2026-03-04", "12:00", "Asia/Seoul"), [(1, 50_000)], currency="KRW")
    statement = value_statement(member, today=date(2026, 3, 20))
    assert statement.weekly_spend_minor == 45_000 * 7 // 14  # 22,500 won a week
    assert statement.savings.tier_discount_minor == 5_000
    text = value_statement_message(member, today=date(2026, 3, 20)).sms
    assert "₩22,500" in text
    assert "₩22,500.00" not in text


class TestLanguages:
    @pytest.mark.parametrize("locale", ["en", "zh-hans", "zh-hant", "ko"])
    def test_every_sentence_goes_through_gettext(self, world, locale, monkeypatch):
        """Each sentence is a msgid of the catalogue: marked here, nothing of the text is left outside the marks
        but the separators, so once the catalogues carry the translations no English remains."""
        used: list[str] = []

        def marked(msgid: str) -> str:
            used.append(msgid)
            return f"⟦{msgid}⟧"

        monkeypatch.setattr(statements_text, "gettext", marked)
        message = value_statement_message(example(world, locale=locale), today=TODAY)
        for text in (message.subject, message.sms, message.body):
            assert re.sub(r"⟦[^⟧]*⟧", "", text).strip(" -\n") == "", text
        assert message.language == locale
        assert set(used) <= set(statements_text.MSGIDS)
        assert len(set(used)) >= 14

    def test_chinese_dates_and_money_follow_the_language(self, world):
        message = value_statement_message(example(world, locale="zh-hans"), today=TODAY)
        assert "2026年12月31日" in message.body
        assert "¥108.24" in message.body
        assert "红钻会员" in message.body  # the tier's own Simplified Chinese name

    def test_korean_gets_the_korean_tier_name(self, world):
        message = value_statement_message(example(world, locale="ko"), today=TODAY)
        assert "레드 다이아몬드" in message.body


def test_console_page_shows_the_figures_and_the_member_texts(world):
    member = example(world, locale="zh-hant")
    user = StaffUser.objects.create_user(username="guide", password="x" * 20, role="cashier",
                                         merchant=world.merchant)  # fmt: skip
    user.stores.set([world.a.store])
    url = reverse("console:statements:member", kwargs={"member_id": member.public_id})
    with time_machine.travel(at("2026-03-20", "15:00"), tick=False):
        page = console(user, world.a.store).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "¥108.24" in html
    assert "¥179.73" in html
    assert 'lang="zh-hant"' in html
    assert "紅鑽會員" in html


def test_api_gives_the_figures_and_the_texts_in_the_members_language(world):
    member = example(world, locale="ko")
    client = Client(headers={"authorization": f"Bearer {world.a.key}", "accept-language": "en"})
    with time_machine.travel(at("2026-03-20", "15:00"), tick=False):
        response = client.get(f"/api/v1/members/{member.public_id}/statement")
    assert response.status_code == 200
    body = response.json()
    assert body["local_date"] == "2026-03-20"
    assert body["savings_this_year"] == {
        "tier_discount_minor": 4_485, "coupons_minor": 4_420, "stored_value_bonus_minor": 1_819,
        "points_redeemed_minor": 100, "total_minor": 10_824,
    }  # fmt: skip
    assert body["period"] == {"start": "2026-03-02", "end": "2026-03-15", "days": 14, "since_enrolment": True}
    assert body["next_target"]["weekly_spend_minor"] == 24_100
    assert body["texts"]["language"] == "ko"
    assert "레드 다이아몬드" in body["texts"]["body"]


def test_api_does_not_show_another_merchants_member(world):
    member = example(world)
    other = chain(name="Other")
    client = Client(headers={"authorization": f"Bearer {other.a.key}"})
    with time_machine.travel(at("2026-03-20", "15:00"), tick=False):
        response = client.get(f"/api/v1/members/{member.public_id}/statement")
    assert response.status_code == 404
