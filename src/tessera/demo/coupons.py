"""Coupons in the demo: each business runs three campaigns, and members hold coupons to try at the till."""

from __future__ import annotations

import random
from datetime import datetime

from tessera.coupons.models import CouponTemplate, CouponTemplateTranslation, CouponTrigger
from tessera.coupons.services import coupons_issue
from tessera.demo.organisation import Business
from tessera.members.models import Member
from tessera.stores.selectors import headquarters_actor

# (code, kind, terms by currency, names in en / zh-hans / zh-hant / ko)
CAMPAIGNS = (
    ("WELCOME", "cash", {"CNY": {"amount_minor": 2_000}, "KRW": {"amount_minor": 5_000}},
     ("Welcome: 20 off", "新会员礼：立减 20 元", "新會員禮：立減 20 元", "신규 회원: 5,000원 할인")),
    ("PCT10", "percent", {"CNY": {"percent_bp": 1_000, "max_discount_minor": 5_000},
                          "KRW": {"percent_bp": 1_000, "max_discount_minor": 10_000}},
     ("10 % off (up to 50)", "九折（最高减 50 元）", "九折（最高減 50 元）", "10% 할인(최대 1만 원)")),
    ("POINTS2X", "points_multiplier", {"CNY": {"multiplier_permille": 2_000}, "KRW": {"multiplier_permille": 2_000}},
     ("Double points", "双倍积分", "雙倍積分", "포인트 2배")),
)  # fmt: skip
LANGUAGES = ("en", "zh-hans", "zh-hant", "ko")


def demo_coupons(businesses: dict[str, Business], *, seed: int, now: datetime) -> int:
    """Create the campaigns and give about a third of each business's active members a coupon; returns how many."""
    given = 0
    for key, business in sorted(businesses.items()):
        rng = random.Random(f"tessera-demo:{seed}:{key}:coupons")
        templates = [_template(business, *campaign) for campaign in CAMPAIGNS]
        CouponTrigger.objects.create(program=business.program, event="welcome", template=templates[0])
        members = list(Member.objects.filter(program=business.program, status="active").select_related("program"))
        actor = headquarters_actor(merchant_id=business.merchant.id, system="demo")
        for template in templates[1:]:
            chosen = sorted(rng.sample(members, k=len(members) // 3), key=lambda m: m.id)
            given += len(coupons_issue(actor=actor, template_code=template.code, members=chosen, now=now))
    return given


def _template(
    business: Business, code: str, kind: str, terms: dict[str, dict[str, int]], names: tuple[str, ...]
) -> CouponTemplate:
    template = CouponTemplate.objects.create(program=business.program, code=code, kind=kind, valid_days=30,
                                             stacking="combinable", **terms[business.market.currency])  # fmt: skip
    CouponTemplateTranslation.objects.bulk_create(
        CouponTemplateTranslation(template=template, language_code=lang, name=name)
        for lang, name in zip(LANGUAGES, names, strict=True)
    )
    return template
