"""An alliance whose agreement keeps points with their issuer: each merchant redeems only the points it issued,
at the till, as a points tender and in the mall; the default lets every partner redeem every point (issue 5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tessera.checkout.commands import TenderIn
from tessera.checkout.services import sale_commit, sale_quote
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.models import Posting
from tessera.ledger.verify import ledger_verify
from tessera.mall.models import MallItem
from tessera.mall.selectors import mall_catalogue_for
from tessera.mall.services import mall_order_place
from tessera.mall.tests.factories import item_new
from tessera.members.selectors import member_balances
from tessera.points.models import PointsLot
from tessera.programs.services import alliance_create
from tessera.settlement.services import settlement_close
from tessera.settlement.tests.test_alliance_month import partner, redeem
from tessera.stores.selectors import headquarters_actor
from tessera.testing import key, member_new, sale_in, sell, world_build

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def card(*, points_shared):
    silk = world_build(stores=2, name="Silk", burn_enabled=True, burn_max_share_pct=50, burn_min_points=100)
    _bean, bean1 = partner("Bean", "BEAN1")
    alliance_create(program=silk.program, name="City card", partners=[_bean], commission_bp=1_000,
                    points_shared=points_shared)  # fmt: skip
    return silk, bean1


def test_points_stay_with_their_issuer_when_the_agreement_says_so():
    with time_machine.travel(datetime(2026, 11, 12, 12, tzinfo=SHANGHAI), tick=False):
        silk, bean1 = card(points_shared=False)
        member = member_new(silk)
        sell(silk.a, member, [(1, 50_000)])  # 500 Silk points
        sell(bean1, member, [(1, 12_000)])  # 120 Bean points
        postings = Posting.objects.count()
        with pytest.raises(DomainError) as caught:
            redeem(bean1, member, 300)
        assert caught.value.code == "points_not_shared"
        assert caught.value.details["usable"] == 120
        assert "only at the merchant that issued them" in caught.value.text()
        assert Posting.objects.count() == postings
        assert member_balances(member=member).points == 620
        redeem(bean1, member, 100)  # its own points redeem as usual
        redeem(silk.b, member, 450)  # Silk's other store: Silk's points, never Bean's
        with pytest.raises(DomainError) as short:
            redeem(silk.a, member, 80)  # 50 of Silk's are left and 20 of Bean's: too few even in total
        assert short.value.code == "insufficient_balance"
        left = dict(PointsLot.objects.filter(member=member).values_list("store__code", "remaining"))
        assert left == {"S001": 50, "BEAN1": 20}
    with time_machine.travel(datetime(2026, 12, 1, 1, tzinfo=SHANGHAI), tick=False):
        operator = headquarters_actor(merchant_id=silk.merchant.id, system="test")
        period = settlement_close(program=silk.program, year=2026, month=11, actor=operator, now=now())
    assert not period.merchant_transfers.exists()  # nothing redeemed across merchants, nothing owed
    assert ledger_verify() == []


def test_a_points_tender_at_a_partner_counts_only_its_own_points():
    silk, bean1 = card(points_shared=False)
    member = member_new(silk)
    sell(silk.a, member, [(1, 50_000)])  # 500 Silk points, none of Bean's
    sale = replace(sale_in(member, [(1, 10_000)]), tenders=(TenderIn("points", 200), TenderIn("cash", 9_800)))
    for attempt in (lambda: sale_quote(actor=bean1.actor, sale=sale, now=now()),
                    lambda: sale_commit(actor=bean1.actor, sale=sale, request_key=key(), now=now())):  # fmt: skip
        with pytest.raises(DomainError) as caught:
            attempt()
        assert caught.value.code == "points_payment_insufficient_points"
        assert caught.value.details["available_points"] == 0
    body = sale_commit(actor=silk.b.actor, sale=sale, request_key=key(), now=now()).body  # at Silk it pays
    assert body["points_payment"] == {"points": 200, "minor": 200}
    assert member_balances(member=member).points == 500 - 200 + body["points"]["earned"]


def test_by_default_every_partner_redeems_every_point():
    silk, bean1 = card(points_shared=True)
    member = member_new(silk)
    sell(silk.a, member, [(1, 50_000)])
    redeem(bean1, member, 300)
    assert member_balances(member=member).points == 200


def test_the_mall_at_a_partner_spends_only_its_own_points():
    silk, bean1 = card(points_shared=False)
    member = member_new(silk)
    sell(silk.a, member, [(1, 50_000)])  # 500 Silk points
    item = item_new(silk.program, stock=5, points_price=300)
    entry = mall_catalogue_for(member=member, merchant_id=bean1.store.merchant_id, store_id=bean1.store.id,
                               language="en", now=now())[0]  # fmt: skip
    assert entry["unavailable"] == "points"
    with pytest.raises(DomainError) as caught:
        mall_order_place(actor=bean1.actor, member=member, item_id=item.public_id, quantity=1, request_key=key(),
                         now=now())  # fmt: skip
    assert caught.value.code == "points_not_shared"
    assert MallItem.objects.get(id=item.id).stock == 5  # nothing taken
    mall_order_place(actor=silk.a.actor, member=member, item_id=item.public_id, quantity=1, request_key=key(),
                     now=now())  # fmt: skip
    assert member_balances(member=member).points == 200
