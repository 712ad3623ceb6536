"""The owners' ladders from seeds 000 and 002, as the plain dicts a programme template hands to ``tier_ladder_load``."""

from __future__ import annotations

from typing import Any


def salon_ladder(*, unit_minor: int = 100) -> dict[str, Any]:
    """Seed 000, the beauty salon after its redesign: by stored value put in, 2,000 / 5,000 / 8,000 for 10/20/30% off.

    The seed gives the amounts in yuan; ``unit_minor`` is the minor units of one currency unit (100 fen).
    """
    return {
        "name": "Stored-value ladder",
        "measure": "stored_value_in",
        "window": "lifetime",
        "tiers": [
            _tier("member", 0, 0, en="Member", hans="会员", hant="會員", ko="회원"),
            _tier(
                "silver", 2_000 * unit_minor, 1_000, en="2,000 card", hans="2000元卡", hant="2000元卡", ko="2,000 카드"
            ),
            _tier(
                "gold", 5_000 * unit_minor, 2_000, en="5,000 card", hans="5000元卡", hant="5000元卡", ko="5,000 카드"
            ),
            _tier(
                "platinum",
                8_000 * unit_minor,
                3_000,
                en="8,000 card",
                hans="8000元卡",
                hant="8000元卡",
                ko="8,000 카드",
            ),
        ],
    }


_RED = ["Hemming by a dedicated tailor", "Garment care advice", "Double points on member day",
        "Care for clothes bought anywhere", "Season-change reminders by SMS"]  # fmt: skip
_RED_HANS = ["专人改裤脚", "衣服洗涤方法介绍", "会员日双倍积分", "衣服（含非本店购买）的维护", "换季短信提醒服务"]
_YELLOW = ["All red diamond services", "VIP checkout lane", "A follow-up call within a week of buying",
           "The fashion magazine, free"]  # fmt: skip
_YELLOW_HANS = ["享有红钻级别的所有服务", "VIP付款通道", "售后一周之内电话回访", "服装期刊免费赠送"]
_BLUE = ["All red and yellow diamond services", "Blue diamond customer gatherings", "Take part in company activities"]
_BLUE_HANS = ["享有红钻和黄钻的服务", "参加公司举办的蓝钻顾客聚会", "参与公司管理的活动"]
_PURPLE = ["All red, yellow and blue diamond benefits", "Purple diamond business meetings",
           "Management training with the company"]  # fmt: skip
_PURPLE_HANS = ["享有红黄蓝的权益", "公司组织紫钻会员商务会议", "参与公司提供企业管理陪训"]


def diamonds_ladder() -> dict[str, Any]:
    """Seed 002, designs 2 and 3: annual points from the card date to the day before its anniversary.

    The card member (joined with a purchase of 128 yuan) has 10% off; 10,000 points make a red diamond (10% off),
    20,000 yellow (15%), 30,000 blue (20%) and 50,000 purple (20% plus its services). A member moves up the
    moment the points are earned; a target not reached by the anniversary is lost, as the count resets to zero.
    """
    return {
        "name": "Annual diamonds",
        "measure": "points_in_window",
        "window": "anniversary_year",
        "downgrade": "reevaluate",
        "tiers": [
            _tier("card", 0, 1_000, en="Card member", hans="会员卡会员", hant="會員卡會員", ko="카드 회원"),
            _tier("red", 10_000, 1_000, en="Red diamond", hans="红钻会员", hant="紅鑽會員", ko="레드 다이아몬드",
                  services=(_RED, _RED_HANS)),
            _tier("yellow", 20_000, 1_500, en="Yellow diamond", hans="黄钻会员", hant="黃鑽會員", ko="옐로 다이아몬드",
                  services=(_YELLOW, _YELLOW_HANS)),
            _tier("blue", 30_000, 2_000, en="Blue diamond", hans="蓝钻会员", hant="藍鑽會員", ko="블루 다이아몬드",
                  services=(_BLUE, _BLUE_HANS)),
            _tier("purple", 50_000, 2_000, en="Purple diamond", hans="紫钻会员", hant="紫鑽會員", ko="퍼플 다이아몬드",
                  services=(_PURPLE, _PURPLE_HANS)),
        ],
    }  # fmt: skip


def _tier(
    code: str, threshold: int, discount_bp: int, *, en: str, hans: str, hant: str, ko: str,
    services: tuple[list[str], list[str]] = ([], []),
) -> dict[str, Any]:  # fmt: skip
    english, chinese = services
    return {
        "code": code,
        "threshold": threshold,
        "discount_bp": discount_bp,
        "translations": {
            "en": {"name": en, "services": english},
            "zh-hans": {"name": hans, "services": chinese},
            "zh-hant": {"name": hant},
            "ko": {"name": ko},
        },
    }


GIFT_STEP_NAMES = {
    50: {"en": "50 yuan clothing coupon", "zh-hans": "50元服装现金券", "zh-hant": "50元服裝現金券",
         "ko": "50위안 의류 쿠폰"},
    100: {"en": "100 yuan clothing coupon", "zh-hans": "100元服装现金券", "zh-hant": "100元服裝現金券",
          "ko": "100위안 의류 쿠폰"},
    150: {"en": "150 yuan clothing coupon", "zh-hans": "150元服装现金券", "zh-hant": "150元服裝現金券",
          "ko": "150위안 의류 쿠폰"},
}  # fmt: skip


def monthly_gift_ladder(*, unit_minor: int = 100) -> dict[str, Any]:
    """Seed 002, design 1: points earned within a calendar month of 1,000 / 2,000 / 3,000 unlock cash coupons of
    50 / 100 / 150 yuan, valid on clothing only and usable at once. "A gift not claimed within the set time is
    lost; last month's points do not add to this month's": the claim window ends with the next month.
    """
    return {
        "name": "Monthly gift ladder",
        "claim_policy": "end_of_next_month",
        "steps": [
            {"threshold_points": points, "amount_minor": yuan * unit_minor, "categories": ["clothing"],
             "names": GIFT_STEP_NAMES[yuan]}
            for points, yuan in ((1_000, 50), (2_000, 100), (3_000, 150))
        ],
    }  # fmt: skip
