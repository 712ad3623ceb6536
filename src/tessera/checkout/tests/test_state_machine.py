"""T-1: random sequences of till operations, with the ledger invariants checked after every step.

An independent model tracks what the member should hold, computed only from the programme rules (1 point per
yuan paid outside stored value, rounded down; stored value in, out, and back on return) and compared with the
ledger's cached balances after each step.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tessera.checkout.commands import RedemptionIn
from tessera.checkout.services import points_redeem, sale_commit
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.verify import ledger_verify
from tessera.members.selectors import member_balances
from tessera.testing import give_back, key, member_new, sale_in, top_up, world_build


class TillMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.world = world_build(return_shortfall_policy="debt")
        self.member = member_new(self.world)
        self.sv = 0  # principal + bonus the member should hold (no bonus bands here: all principal)
        self.points = 0  # points balance minus debt, as the model sees it
        self.open_sales: dict[str, int] = {}  # pos number -> units not yet returned
        self.sales = 0

    @rule(amount=st.integers(1, 50000))
    def top_up(self, amount):
        top_up(self.world.a, self.member, amount)
        self.sv += amount

    @rule(
        lines=st.lists(st.tuples(st.integers(1, 3), st.integers(0, 20000)), min_size=1, max_size=3),
        sv_share=st.floats(0, 1),
        replay=st.booleans(),
    )
    def sell(self, lines, sv_share, replay):
        total = sum(q * p for q, p in lines)
        sv = min(self.sv, int(total * sv_share))
        self.sales += 1
        pos_number, request = f"M-{self.sales}", key()
        sale = sale_in(self.member, lines, sv=sv, pos_number=pos_number)
        first = sale_commit(actor=self.world.a.actor, sale=sale, request_key=request, now=now())
        if replay:
            assert sale_commit(actor=self.world.a.actor, sale=sale, request_key=request, now=now()).body == first.body
        self.sv -= sv
        self.points += (total - sv) // 100
        self.open_sales[pos_number] = sum(q for q, _ in lines)

    @rule(points=st.integers(1, 500))
    def redeem(self, points):
        command = RedemptionIn(member=self.member.public_id, pos_number=key(), event_at=now(), points=points)
        try:
            points_redeem(actor=self.world.a.actor, redemption=command, request_key=key(), now=now())
        except DomainError as exc:
            refused = exc.code
        else:
            self.points -= points
            return
        assert refused == "insufficient_balance"
        assert points > member_balances(member=self.member).points

    @precondition(lambda self: self.open_sales)
    @rule(data=st.data())
    def give_back(self, data):
        pos_number = data.draw(st.sampled_from(sorted(self.open_sales)))
        receipt = give_back(self.world.a, pos_number)  # everything still unreturned
        self.sv += sum(receipt["refund"]["stored_value"].values())
        self.points -= receipt["points"]["taken_back"]
        del self.open_sales[pos_number]

    @invariant()
    def ledger_holds(self):
        if hasattr(self, "member"):
            assert ledger_verify() == []
            b = member_balances(member=self.member)
            assert b.sv_total_minor == self.sv
            assert b.points - b.points_debt == self.points
            assert min(b.points, b.points_debt, b.sv_principal_minor, b.sv_bonus_minor) >= 0


@pytest.mark.django_db
def test_random_till_sessions_keep_the_ledger_and_the_model_in_step():
    # Each example builds its own chain inside this test's transaction, so examples never see each other.
    run_state_machine_as_test(
        TillMachine,
        settings=settings(
            max_examples=15, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
