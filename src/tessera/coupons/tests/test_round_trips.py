"""How often a sale with a coupon waits for PostgreSQL: no more than a sale without one.

Everything a coupon needs (its row and budget, locked; the first-purchase count; the selling store's time zone for
weekday and hour conditions) travels with the account lock when committing, and with the coupon read when quoting.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tessera.checkout.commands import TenderIn
from tessera.checkout.services import sale_commit, sale_quote
from tessera.coupons.models import CouponTemplate
from tessera.coupons.services import IssueSource, coupon_issue
from tessera.kit.clock import now
from tessera.kit.db import use_case
from tessera.testing import key, member_new, protocol_messages, round_trips, sale_in, world_build

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_a_sale_with_an_hours_coupon_waits_five_times_and_its_quote_four():
    world = world_build()
    member = member_new(world)
    # 00:00 to 24:00: the hours are checked on every sale, yet never refuse one, whenever the test runs.
    template = CouponTemplate.objects.create(program=world.program, code="ALLDAY", kind="cash", amount_minor=1_000,
                                             valid_days=30, hour_from=0, hour_to=24)  # fmt: skip
    trips = []
    for _ in range(2):  # the first sale loads the configuration and opens the store's accounts
        with use_case():
            (coupon,) = coupon_issue(template=template, member=member, actor=world.a.actor,
                                     source=IssueSource("staff"), now=now())  # fmt: skip
        sale = replace(sale_in(member, [(1, 10_000)]), tenders=(TenderIn("cash", 9_000),), coupons=(coupon.code,))
        with protocol_messages() as quoted:
            sale_quote(actor=world.a.actor, sale=sale, now=now())
        with protocol_messages() as committed:
            body = sale_commit(actor=world.a.actor, sale=sale, request_key=key(), now=now()).body
        trips.append((round_trips(quoted), round_trips(committed)))
    assert body["coupons"]["total_minor"] == 1_000
    assert trips[1] == (4, 5)
