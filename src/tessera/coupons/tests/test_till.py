"""Coupons at the till, through checkout's quote, sale and return services: worked examples and refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tessera.checkout.commands import TenderIn
from tessera.checkout.models import DocumentLine
from tessera.checkout.services import sale_commit, sale_quote
from tessera.coupons.errors import (
    CouponIssueLimitReached,
    CouponNotApplicable,
    CouponNotFound,
    CouponsNotCombinable,
    CouponUnavailable,
)
from tessera.coupons.models import Coupon, CouponEvent, CouponTemplate, CouponTemplateUsage
from tessera.coupons.services import IssueSource, coupon_issue, coupon_void, coupons_issue
from tessera.kit.clock import now
from tessera.kit.db import use_case
from tessera.testing import give_back, key, member_new, sale_in, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return world_build()


def template(world, code="CASH50", kind="cash", **terms):
    defaults = {"valid_days": 30}
    if kind == "cash":
        defaults["amount_minor"] = 5_000
    return CouponTemplate.objects.create(program=world.program, code=code, kind=kind, **{**defaults, **terms})


def give(world, member, tpl, count=1):
    with use_case():
        return coupon_issue(template=tpl, member=member, actor=world.a.actor, source=IssueSource("staff"), now=now(),
                            count=count)  # fmt: skip


def basket(member, *, coupons=None, total=16_800, sv=0, pos_number=None):
    """A shirt (12,900) and two pairs of socks (3,900), paid in cash for ``total`` after coupons."""
    sale = sale_in(member, [(1, 12_900), (2, 1_950)], pos_number=pos_number)
    lines = (sale.lines[0], replace(sale.lines[1], sku="SOCKS", category="socks"))
    tenders = [TenderIn("stored_value", sv)] if sv else []
    if total - sv:
        tenders.append(TenderIn("cash", total - sv))
    return replace(sale, lines=lines, tenders=tuple(tenders), coupons=None if coupons is None else tuple(coupons))


def test_quote_picks_the_best_coupon_and_explains_the_others(world):
    member = member_new(world)
    (cash,) = give(world, member, template(world))
    (pct,) = give(world, member, template(world, "PCT20", "percent", percent_bp=2_000, max_discount_minor=3_000))
    (tops,) = give(world, member, template(world, "TOPS", amount_minor=1_000, categories=["hats"]))
    quote = sale_quote(actor=world.a.actor, sale=basket(member), now=now())
    assert quote["total_minor"] == 11_800
    assert [u["code"] for u in quote["coupons"]["used"]] == [cash.code]
    assert quote["coupons"]["used"][0]["lines"] == [
        {"line_no": 1, "discount_minor": 3_839}, {"line_no": 2, "discount_minor": 1_161}
    ]  # fmt: skip
    why = {c["code"]: c["reason"] for c in quote["coupons"]["not_used"]}
    assert why == {pct.code: "not_chosen", tops.code: "no_items"}
    assert Coupon.objects.get(pk=cash.pk).state == "issued"  # a quote without a hold writes nothing


def test_sale_with_a_coupon_pays_the_net_and_redeems_it(world):
    member = member_new(world)
    (coupon,) = give(world, member, template(world))
    body = sale_commit(actor=world.a.actor, sale=basket(member, coupons=[coupon.code], total=11_800),
                       request_key=key(), now=now()).body  # fmt: skip
    assert body["total_minor"] == 11_800
    assert body["coupons"]["total_minor"] == 5_000
    assert body["points"]["earned"] == 118  # earning runs on what was paid
    coupon.refresh_from_db()
    assert (coupon.state, coupon.redeemed_document, coupon.discount_minor) == ("redeemed", body["document_id"], 5_000)
    lines = DocumentLine.objects.filter(document__public_id=body["document_id"]).order_by("line_no")
    assert [(ln.amount_minor, ln.coupon_discount_minor) for ln in lines] == [(9_061, 3_839), (2_739, 1_161)]
    kinds = list(CouponEvent.objects.filter(coupon=coupon).values_list("kind", flat=True))
    assert kinds == ["issued", "redeemed"]


def test_a_coupon_cannot_be_redeemed_twice(world):
    member = member_new(world)
    (coupon,) = give(world, member, template(world))
    sale_commit(actor=world.a.actor, sale=basket(member, coupons=[coupon.code], total=11_800), request_key=key(),
                now=now())  # fmt: skip
    with pytest.raises(CouponUnavailable):
        sale_commit(actor=world.b.actor, sale=basket(member, coupons=[coupon.code], total=11_800),
                    request_key=key(), now=now())  # fmt: skip
    assert Coupon.objects.get(pk=coupon.pk).discount_minor == 5_000


def test_guessed_mistyped_and_foreign_codes_get_one_answer(world):
    member, other = member_new(world), member_new(world)
    (theirs,) = give(world, other, template(world))
    for code in ["ZZZZZZZZZZZZZ", "hello", theirs.code, theirs.code[:-1] + ("0" if theirs.code[-1] != "0" else "1")]:
        with pytest.raises(CouponNotFound) as caught:
            sale_quote(actor=world.a.actor, sale=basket(member, coupons=[code]), now=now())
        assert caught.value.text() == "No such coupon for this member."
    foreign = world_build(name="Other")
    stranger = member_new(foreign)
    (far,) = give(foreign, stranger, template(foreign))
    with pytest.raises(CouponNotFound):
        sale_quote(actor=world.a.actor, sale=basket(member, coupons=[far.code]), now=now())


def test_codes_read_forgivingly(world):
    member = member_new(world)
    (coupon,) = give(world, member, template(world))
    typed = "-".join(coupon.code[i : i + 4] for i in range(0, 13, 4)).lower()
    quote = sale_quote(actor=world.a.actor, sale=basket(member, coupons=[typed]), now=now())
    assert quote["coupons"]["total_minor"] == 5_000


def test_chosen_coupons_that_do_not_apply_or_combine_are_refused(world):
    member = member_new(world)
    (big,) = give(world, member, template(world, min_spend_minor=50_000))
    (a,) = give(world, member, template(world, "A", amount_minor=100))
    (b,) = give(world, member, template(world, "B", amount_minor=100, stacking="combinable"))
    with pytest.raises(CouponNotApplicable):
        sale_quote(actor=world.a.actor, sale=basket(member, coupons=[big.code]), now=now())
    with pytest.raises(CouponsNotCombinable):
        sale_quote(actor=world.a.actor, sale=basket(member, coupons=[a.code, b.code]), now=now())


def test_combinable_coupons_stack_in_the_documented_order(world):
    member = member_new(world)
    gift = template(world, "SOCKS", "gift", gift_sku="SOCKS", stacking="combinable")
    pct = template(world, "PCT10", "percent", percent_bp=1_000, stacking="combinable")
    cash = template(world, "C10", amount_minor=1_000, stacking="combinable")
    codes = [give(world, member, t)[0].code for t in (cash, pct, gift)]
    quote = sale_quote(actor=world.a.actor, sale=basket(member), now=now())
    assert [u["template"] for u in quote["coupons"]["used"]] == ["SOCKS", "PCT10", "C10"]
    assert [u["discount_minor"] for u in quote["coupons"]["used"]] == [1_950, 1_485, 1_000]
    body = sale_commit(actor=world.a.actor, sale=basket(member, coupons=codes, total=16_800 - 4_435),
                       request_key=key(), now=now()).body  # fmt: skip
    assert body["coupons"]["total_minor"] == 4_435


def test_points_multiplier_coupon_doubles_the_points_of_its_lines(world):
    member = member_new(world)
    (x2,) = give(world, member, template(world, "X2", "points_multiplier", multiplier_permille=2_000,
                                           categories=["socks"]))  # fmt: skip
    body = sale_commit(actor=world.a.actor, sale=basket(member, coupons=[x2.code]), request_key=key(),
                       now=now()).body  # fmt: skip
    assert body["points"]["earned"] == 168 + 39  # the socks' 39 points count twice
    parts = body["points"]["explanation"]["parts"]
    assert parts[-1] == {"code": "X2", "kind": "coupon", "points": 39, "factor_permille": 2000, "line_nos": [2]}


def test_budget_caps_the_discount_across_sales(world):
    tpl = template(world, amount_minor=5_000, budget_minor=7_000)
    first, second = member_new(world), member_new(world)
    (c1,), (c2,) = give(world, first, tpl), give(world, second, tpl)
    sale_commit(actor=world.a.actor, sale=basket(first, coupons=[c1.code], total=11_800), request_key=key(),
                now=now())  # fmt: skip
    quote = sale_quote(actor=world.a.actor, sale=basket(second), now=now())
    assert quote["coupons"]["total_minor"] == 2_000  # what is left of the budget
    sale_commit(actor=world.a.actor, sale=basket(second, coupons=[c2.code], total=14_800), request_key=key(),
                now=now())  # fmt: skip
    assert CouponTemplateUsage.objects.get(template=tpl).budget_used_minor == 7_000


def test_full_return_restores_the_coupon_and_partial_does_not(world):
    member = member_new(world)
    (coupon,) = give(world, member, template(world))
    sale = basket(member, coupons=[coupon.code], total=11_800)
    sale_commit(actor=world.a.actor, sale=sale, request_key=key(), now=now())
    partial = give_back(world.a, sale.pos_number, [(2, 1)])
    assert partial["coupons_restored"] == []
    assert partial["value_minor"] == 1_369  # one pair of socks at its price after the coupon: 2,739 / 2
    assert Coupon.objects.get(pk=coupon.pk).state == "redeemed"
    rest = give_back(world.a, sale.pos_number)
    assert rest["coupons_restored"] == [coupon.code]
    coupon.refresh_from_db()
    assert (coupon.state, coupon.redeemed_document, coupon.discount_minor) == ("issued", "", 0)
    again = sale_commit(actor=world.a.actor, sale=basket(member, coupons=[coupon.code], total=11_800),
                        request_key=key(), now=now()).body  # fmt: skip
    assert again["coupons"]["total_minor"] == 5_000


def test_hold_keeps_a_coupon_for_its_checkout_until_it_lapses(world):
    member = member_new(world)
    (coupon,) = give(world, member, template(world))
    t0 = now()
    quote = sale_quote(actor=world.a.actor, sale=basket(member, pos_number="HOLD-1"), now=t0, hold=True)
    assert quote["coupons"]["held"] == [coupon.code]
    with pytest.raises(CouponUnavailable):  # another checkout cannot take it while held
        sale_commit(actor=world.b.actor, sale=basket(member, coupons=[coupon.code], total=11_800),
                    request_key=key(), now=t0)  # fmt: skip
    sale_commit(actor=world.a.actor, sale=basket(member, coupons=[coupon.code], total=11_800, pos_number="HOLD-1"),
                request_key=key(), now=t0)  # fmt: skip
    assert Coupon.objects.get(pk=coupon.pk).state == "redeemed"


def test_a_lapsed_hold_frees_the_coupon(world, settings):
    member = member_new(world)
    (coupon,) = give(world, member, template(world))
    t0 = now()
    sale_quote(actor=world.a.actor, sale=basket(member, pos_number="HOLD-2"), now=t0, hold=True)
    later = t0 + timedelta(seconds=settings.TESSERA_COUPON_HOLD_SECONDS + 1)
    sale = replace(basket(member, coupons=[coupon.code], total=11_800), event_at=later)
    sale_commit(actor=world.b.actor, sale=sale, request_key=key(), now=later)
    assert Coupon.objects.get(pk=coupon.pk).state == "redeemed"


def test_issue_limits_and_void(world):
    member = member_new(world)
    tpl = template(world, per_member_limit=1, total_limit=2)
    (first,) = coupons_issue(actor=world.a.actor, template_code=tpl.code, members=[member], now=now())
    with pytest.raises(CouponIssueLimitReached):
        coupons_issue(actor=world.a.actor, template_code=tpl.code, members=[member], now=now())
    coupons_issue(actor=world.a.actor, template_code=tpl.code, members=[member_new(world)], now=now())
    with pytest.raises(CouponIssueLimitReached):
        coupons_issue(actor=world.a.actor, template_code=tpl.code, members=[member_new(world)], now=now())
    assert CouponTemplateUsage.objects.get(template=tpl).issued_count == 2
    with use_case():
        assert coupon_void(coupon_id=first.id, actor=world.a.actor, now=now())
        assert not coupon_void(coupon_id=first.id, actor=world.a.actor, now=now())
    assert Coupon.objects.get(pk=first.pk).state == "voided"


def test_validity_from_issue_and_fixed_end(world):
    member = member_new(world)
    end = now() + timedelta(days=3)
    (coupon,) = give(world, member, template(world, valid_days=10, valid_until=end))
    assert coupon.valid_until == end  # the earlier of the two
    late = replace(basket(member, coupons=[coupon.code]), event_at=now() + timedelta(days=4))
    with pytest.raises(CouponNotApplicable) as caught:
        sale_quote(actor=world.a.actor, sale=late, now=now() + timedelta(days=4))
    assert caught.value.details["reason"] == "expired"


def test_verify_notices_a_coupon_discount_that_does_not_match_its_sale(world):
    from django.db import connection

    from tessera.ledger.verify import ledger_verify

    member = member_new(world)
    (coupon,) = give(world, member, template(world))
    sale_commit(actor=world.a.actor, sale=basket(member, coupons=[coupon.code], total=11_800), request_key=key(),
                now=now())  # fmt: skip
    assert ledger_verify() == []
    with connection.cursor() as cursor:
        cursor.execute("UPDATE coupons_coupon SET discount_minor = 4000 WHERE id = %s", [coupon.id])
    names = {v.check for v in ledger_verify()}
    assert "coupon discounts equal their sale's line discounts" in names
    with connection.cursor() as cursor:
        cursor.execute("UPDATE coupons_coupon SET discount_minor = 5000 WHERE id = %s", [coupon.id])


def test_first_purchase_coupon_only_before_any_purchase(world):
    member = member_new(world)
    first = template(world, "WELCOME", first_purchase_only=True)
    (welcome,) = give(world, member, first)
    quote = sale_quote(actor=world.a.actor, sale=basket(member), now=now())
    assert [u["code"] for u in quote["coupons"]["used"]] == [welcome.code]
    sale_commit(actor=world.a.actor, sale=basket(member), request_key=key(), now=now())  # bought without it
    with pytest.raises(CouponNotApplicable) as caught:
        sale_commit(actor=world.a.actor, sale=basket(member, coupons=[welcome.code], total=11_800),
                    request_key=key(), now=now())  # fmt: skip
    assert caught.value.details["reason"] == "only for a member's first purchase"


def test_nightly_expiry_marks_ended_coupons_once(world):

    from tessera.coupons.services import coupons_expire_run

    member = member_new(world)
    end = now() + timedelta(days=2)
    (ending,) = give(world, member, template(world, "END", valid_until=end))
    (lasting,) = give(world, member, template(world, "LAST", valid_days=60))
    today = now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert coupons_expire_run(program_id=world.program.id, local_date=today)["expired"] == 0
    later = today + timedelta(days=3)
    assert coupons_expire_run(program_id=world.program.id, local_date=later)["expired"] == 1
    assert coupons_expire_run(program_id=world.program.id, local_date=later)["expired"] == 0
    assert Coupon.objects.get(pk=ending.pk).state == "expired"
    assert Coupon.objects.get(pk=lasting.pk).state == "issued"
    assert CouponEvent.objects.filter(coupon=ending, kind="expired").count() == 1


def test_welcome_coupons_are_issued_on_joining_and_never_block_it(world):
    from tessera.coupons.models import CouponTrigger
    from tessera.coupons.services import coupons_for_event

    welcome = template(world, "HELLO", total_limit=1)
    CouponTrigger.objects.create(program=world.program, event="welcome", template=welcome)
    first = member_new(world)
    (coupon,) = Coupon.objects.filter(member=first)
    assert (coupon.template_id, coupon.source, coupon.source_id) == (welcome.id, "welcome", first.public_id)
    second = member_new(world)  # the template ran out: the member still joins, without a coupon
    assert not Coupon.objects.filter(member=second).exists()
    CouponTrigger.objects.create(program=world.program, event="birthday", template=template(world, "BDAY"))
    with use_case():
        (gift,) = coupons_for_event(event="birthday", member=second, actor=world.a.actor, now=now())
    assert gift.source == "birthday"
