"""The two demo businesses: a clothing chain in China and a beauty salon in Korea.

The chain follows the owner's plan in seed 002 (1 yuan = 1 point, a first purchase of 128 yuan to join, a monthly
member day); the salon follows seed 000 (a stored-value ladder whose top rungs pay the best bonus).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from tessera.demo import catalogue
from tessera.demo.catalogue import Item, Shopper
from tessera.demo.people import CHINA, KOREA, Population

Basket = Callable[[random.Random, Shopper, date, int], list[Item]]


@dataclass(frozen=True, slots=True)
class StoreSpec:
    code: str
    name: str
    weight: float  # share of the members who call it their home store


@dataclass(frozen=True, slots=True)
class Reward:
    points: int
    note: str


@dataclass(frozen=True, slots=True)
class Market:
    key: str
    slug: str  # for demo usernames: <slug>.admin
    merchant: str
    country: str
    timezone: str
    currency: str
    programme_name: str
    earn_per_minor: int  # spend that earns one point, in minor units
    earn_on_stored_value: bool
    point_value: tuple[int, int]  # (points, minor units they are worth)
    shortfall_policy: str
    spend_order: str
    bands: tuple[tuple[int, int], ...]  # (top-up from, bonus), minor units
    stores: tuple[StoreSpec, ...]
    population: Population
    member_share: float  # of the demo's members
    hour_weights: tuple[tuple[int, float], ...]  # opening hours, local time
    basket: Basket
    join_minimum_minor: int  # the first purchase that earns a card
    visits_per_year: float  # mean repeat visits of a member; spread so a few buy a lot
    visit_regularity: float  # 1: visits come at random; higher: a steady cycle (haircuts)
    member_day: int | None  # day of the month with a member discount and busier tills
    tenders: dict[str, float]  # how members pay when not from stored value
    top_up_amounts: dict[int, float]
    prepaid_share: float  # members who keep a stored-value balance
    rewards: tuple[Reward, ...]
    redeem_chance: float  # that a member who holds enough points asks for a gift after a purchase
    return_share: float  # of sales returned in full or in part
    returnable: frozenset[str] | None  # categories that can come back; None: all of them
    terminal_share: float  # of sales rung up on the POS terminal rather than at the console
    templates: tuple[str, ...] = ()  # programme templates applied at set-up (tessera.blueprints)


def _clothing(rng: random.Random, shopper: Shopper, when: date, at_least: int) -> list[Item]:
    return catalogue.clothing_basket(rng, shopper, when, at_least)


def _salon(rng: random.Random, shopper: Shopper, when: date, at_least: int) -> list[Item]:
    return catalogue.salon_visit(rng, shopper, when)


CHAIN = Market(
    key="cn",
    slug="yunshang",
    merchant="云裳服饰 Yunshang Apparel",
    country="CN",
    timezone="Asia/Shanghai",
    currency="CNY",
    programme_name="云裳会员俱乐部",
    # Seed 002's clothing chain: annual diamonds, the monthly gift ladder and the double-points days.
    templates=("clothing_diamonds", "clothing_monthly_gifts", "member_days"),
    earn_per_minor=100,  # 1 point per yuan, rounded down
    earn_on_stored_value=True,
    point_value=(100, 100),  # 100 points are worth 1 yuan
    shortfall_policy="deduct_from_refund",
    spend_order="proportional",
    bands=((100_000, 10_000), (200_000, 30_000), (500_000, 100_000)),
    stores=(
        StoreSpec("SH01", "云裳 上海南京西路店", 0.26),
        StoreSpec("SH02", "云裳 上海徐家汇店", 0.22),
        StoreSpec("HZ01", "云裳 杭州湖滨店", 0.20),
        StoreSpec("NJ01", "云裳 南京新街口店", 0.17),
        StoreSpec("SZ01", "云裳 苏州观前街店", 0.15),
    ),
    population=CHINA,
    member_share=0.8,
    hour_weights=tuple(zip(range(10, 22), (5, 8, 10, 11, 13, 14, 13, 11, 10, 13, 13, 7), strict=True)),
    basket=_clothing,
    join_minimum_minor=12_800,
    visits_per_year=0.7,
    visit_regularity=1.0,
    member_day=18,
    tenders={"wechat_pay": 45, "alipay": 32, "bank_card": 15, "cash": 8},
    top_up_amounts={50_000: 12, 100_000: 50, 200_000: 30, 500_000: 8},
    prepaid_share=0.12,
    rewards=(
        Reward(1_500, "积分兑换：云裳帆布托特袋"),
        Reward(3_000, "积分兑换：真丝发圈礼盒"),
        Reward(8_000, "积分兑换：羊毛围巾"),
    ),
    redeem_chance=0.1,
    return_share=0.065,
    returnable=None,
    terminal_share=0.9,
)

SALON = Market(
    key="kr",
    slug="raon",
    merchant="라온 헤어&뷰티",
    country="KR",
    timezone="Asia/Seoul",
    currency="KRW",
    programme_name="라온 멤버십",
    earn_per_minor=1_000,  # 1 point per 1,000 won; KRW has no minor unit
    earn_on_stored_value=False,
    point_value=(1, 10),  # a point is worth 10 won
    shortfall_policy="debt",
    spend_order="principal_first",
    bands=((200_000, 10_000), (500_000, 40_000), (1_000_000, 100_000)),
    stores=(
        StoreSpec("GN01", "라온 헤어&뷰티 강남역점", 0.6),
        StoreSpec("HD01", "라온 헤어&뷰티 홍대점", 0.4),
    ),
    population=KOREA,
    member_share=0.2,
    hour_weights=tuple(zip(range(10, 21), (6, 9, 10, 10, 11, 12, 12, 11, 10, 9, 5), strict=True)),
    basket=_salon,
    join_minimum_minor=0,
    visits_per_year=2.2,
    visit_regularity=3.0,
    member_day=None,
    tenders={"bank_card": 75, "other": 17, "cash": 8},
    top_up_amounts={200_000: 30, 300_000: 20, 500_000: 35, 1_000_000: 15},
    prepaid_share=0.35,
    rewards=(
        Reward(500, "포인트 사용: 헤어 에센스 미니"),
        Reward(1_000, "포인트 사용: 앞머리 커트"),
        Reward(3_000, "포인트 사용: 두피 스케일링"),
    ),
    redeem_chance=0.3,
    return_share=0.08,  # of visits that took a product home
    returnable=frozenset({catalogue.HAIRCARE}),  # a haircut cannot be given back
    terminal_share=0.5,
)

MARKETS = (CHAIN, SALON)


_CARD_NETWORKS = {
    "CN": ("银联", "VISA", "Mastercard"),
    "KR": ("신한카드", "KB국민카드", "삼성카드", "현대카드", "BC카드"),
}
_KR_OTHER = ("카카오페이", "네이버페이", "계좌이체")


def tender_reference(rng: random.Random, *, kind: str, country: str, at: datetime) -> str:
    """What the till prints for a payment: a wallet transaction number or a masked card."""
    if kind == "wechat_pay":
        return "42000" + "".join(str(rng.randrange(10)) for _ in range(23))
    if kind == "alipay":
        return f"{at:%Y%m%d}2200" + "".join(str(rng.randrange(10)) for _ in range(16))
    if kind == "bank_card":
        return f"{rng.choice(_CARD_NETWORKS[country])} ****{rng.randrange(10_000):04d}"
    if kind == "other":
        return rng.choice(_KR_OTHER)
    return ""
