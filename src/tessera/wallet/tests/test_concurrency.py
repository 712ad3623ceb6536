"""A wallet near its cap receiving many top-ups at once, each from its own thread and database connection.

On PostgreSQL the member's account row locks order the top-ups; on SQLite the IMMEDIATE write lock does.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tessera.checkout.commands import TopUpIn
from tessera.checkout.services import top_up_commit
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.verify import ledger_verify
from tessera.members.selectors import member_balances
from tessera.testing import member_new, top_up, world_build
from tessera.wallet.models import StoredValueProfile

pytestmark = pytest.mark.django_db(transaction=True)


def test_forty_tills_topping_up_a_card_near_its_cap_never_take_it_over():
    # Cap 5,000.00; the card holds 4,900.00; forty tills each top up 10.00 at once: exactly ten fit.
    world = world_build()
    StoredValueProfile.objects.create(program=world.program, jurisdiction="cn", named_balance_max_minor=500_000,
                                      anonymous_balance_max_minor=100_000, custody_ratio_bp=2000)  # fmt: skip
    member = member_new(world)
    top_up(world.a, member, 490_000)

    def attempt(i):
        command = TopUpIn(member=member.public_id, pos_number=f"race-{i}", event_at=now(), currency="CNY",
                          amount_minor=1000)  # fmt: skip
        try:
            top_up_commit(actor=world.shops[i % 2].actor, top_up=command, request_key=f"race-{i}", now=now())
            return "ok"
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcome = Counter(pool.map(attempt, range(40)))

    assert outcome == {"ok": 10, "top_up_above_balance_cap": 30}
    assert member_balances(member=member).sv_principal_minor == 500_000
    assert ledger_verify() == []


def test_eight_tills_refunding_one_top_up_at_once_pay_it_back_once():
    from tessera.checkout.commands import TopUpRefundIn
    from tessera.checkout.services import top_up_refund_commit

    world = world_build()
    member = member_new(world)
    top_up(world.a, member, 50_000)
    (original,) = member.documents.filter(kind="top_up").values_list("pos_number", flat=True)

    def attempt(i):
        command = TopUpRefundIn(original_pos_number=original, pos_number=f"refund-{i}", event_at=now())
        try:
            top_up_refund_commit(actor=world.a.actor, refund=command, request_key=f"refund-{i}", now=now())
            return "ok"
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcome = Counter(pool.map(attempt, range(8)))

    assert outcome == {"ok": 1, "top_up_fully_refunded": 7}
    assert member_balances(member=member).sv_principal_minor == 0
    assert ledger_verify() == []
