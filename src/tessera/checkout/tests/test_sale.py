"""Sales through the service: stored value spent, points earned, statistics kept, nothing on failure."""

from __future__ import annotations

import pytest

from tessera.checkout.models import Document
from tessera.checkout.services import sale_commit, sale_quote
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.models import Posting
from tessera.members.models import MemberCategoryStats, MemberStats
from tessera.members.selectors import member_balances
from tessera.testing import band_set, key, member_new, sale_in, sell, top_up, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = world_build()
    band_set(w, 100000, 10000)  # top up 1,000.00, get 100.00 bonus
    return w


class TestSaleCommit:
    def test_pays_partly_from_stored_value_and_earns_on_the_rest(self, world):
        member = member_new(world)
        top_up(world.a, member, 100000)
        receipt = sell(world.a, member, [(2, 12900), (1, 29900)], sv=30000)
        assert receipt["total_minor"] == 55700
        assert receipt["stored_value"] == {"principal_minor": 27272, "bonus_minor": 2728}
        assert receipt["points"]["earned"] == 257  # 257.00 paid in cash, 1 point per yuan, rounded down
        b = member_balances(member=member)
        assert (b.points, b.sv_principal_minor, b.sv_bonus_minor) == (257, 72728, 7272)

    def test_earning_rounds_down(self, world):
        member = member_new(world)
        assert sell(world.a, member, [(1, 19999)])["points"]["earned"] == 199

    def test_stored_value_can_earn_when_the_programme_says_so(self):
        world = world_build(earn_on_stored_value=True)
        member = member_new(world)
        top_up(world.a, member, 50000)
        assert sell(world.a, member, [(1, 30000)], sv=30000)["points"]["earned"] == 300

    def test_krw_has_no_minor_unit(self):
        world = world_build(country="KR", timezone="Asia/Seoul", currency="KRW", earn_per_minor=1000)
        member = member_new(world, phone="01012345678")
        receipt = sell(world.a, member, [(1, 55000)], currency="KRW")
        assert receipt["points"]["earned"] == 55
        assert receipt["total_minor"] == 55000

    def test_refuses_stored_value_beyond_the_balance_and_changes_nothing(self, world):
        member = member_new(world)
        top_up(world.a, member, 5000)
        postings = Posting.objects.count()
        with pytest.raises(DomainError) as exc:
            sell(world.a, member, [(1, 10000)], sv=6000)
        assert exc.value.code == "insufficient_balance"
        assert Posting.objects.count() == postings
        assert not Document.objects.filter(kind="sale").exists()
        assert member_balances(member=member).sv_principal_minor == 5000

    def test_keeps_running_statistics_in_the_same_transaction(self, world):
        member = member_new(world)
        sell(world.a, member, [(2, 5000)], category="tops")
        sell(world.b, member, [(1, 8000)], category="trousers")
        stats = MemberStats.objects.get(member=member)
        assert (stats.purchase_count, stats.items_bought, stats.spend_minor, stats.points_earned) == (2, 3, 18000, 180)
        tops = MemberCategoryStats.objects.get(member=member, category="tops")
        assert (tops.purchase_count, tops.quantity, tops.spend_minor) == (1, 2, 10000)

    def test_free_sale_earns_nothing_and_needs_no_tender(self, world):
        member = member_new(world)
        receipt = sell(world.a, member, [(1, 0)])
        assert receipt["total_minor"] == 0
        assert receipt["points"]["earned"] == 0


class TestSaleQuote:
    def test_quote_shows_the_outcome_and_writes_nothing(self, world):
        member = member_new(world)
        top_up(world.a, member, 100000)
        count = Posting.objects.count()
        quote = sale_quote(actor=world.a.actor, sale=sale_in(member, [(1, 20000)], sv=5000), now=now())
        assert quote["points"]["earned"] == 150
        assert quote["stored_value"]["principal_minor"] + quote["stored_value"]["bonus_minor"] == 5000
        assert Posting.objects.count() == count


class TestMemberStatus:
    def test_frozen_member_cannot_buy(self, world):
        from tessera.members.services import member_status_set

        member = member_new(world)
        member_status_set(member=member, status="frozen", reason="lost card", actor=world.a.actor, now=now())
        with pytest.raises(DomainError) as exc:
            sale_commit(actor=world.a.actor, sale=sale_in(member), request_key=key(), now=now())
        assert exc.value.code == "member_not_active"
