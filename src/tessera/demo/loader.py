"""Load the demo: set up both businesses and the chain's alliance, then replay the planned year through the
checkout services.

Every write goes through the service the till or the console would call, one durable transaction each, with
the till time as ``event_at`` and a ``now`` a few seconds later (hours later for documents a POS held while
offline). The loader keeps each member's balances from the receipts, so a sale paid from stored value never asks
for more than the member holds at that merchant.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count

from tessera.checkout.commands import (
    LineIn,
    RedemptionIn,
    ReturnIn,
    ReturnLineIn,
    SaleIn,
    TenderIn,
    TopUpIn,
    TopUpRefundIn,
)
from tessera.checkout.models import Document
from tessera.checkout.services import (
    points_redeem,
    return_commit,
    sale_commit,
    sale_quote,
    top_up_commit,
    top_up_refund_commit,
)
from tessera.demo.accounts import CASHIER, MANAGER
from tessera.demo.alliance import alliance_build
from tessera.demo.coupons import demo_coupons
from tessera.demo.history import line_discount, plan_make
from tessera.demo.intelligence import demo_intelligence
from tessera.demo.markets import MARKETS
from tessera.demo.organisation import Business, business_create
from tessera.demo.partners import ALLIANCE_MARKET
from tessera.demo.settlement import demo_settlements
from tessera.demo.steps import (
    Enrol,
    Freeze,
    MemberPlan,
    Redeem,
    Return,
    Sale,
    ShareHistory,
    Step,
    TopUp,
    TopUpRefund,
)
from tessera.kit.actor import Actor
from tessera.kit.clock import now as clock_now
from tessera.ledger.models import Entry, Posting
from tessera.members.models import Member
from tessera.members.services import member_enroll, member_history_sharing_set, member_status_set

Progress = Callable[[int, int], None]


class DemoLoadFailed(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class LoadSummary:
    members: int
    documents: dict[str, int]
    postings: int
    entries: int
    skipped: int  # planned gifts the member could no longer afford, refunds of top-ups already spent
    seconds: float


@dataclass(slots=True)
class _Wallet:
    member_id: str = ""
    points: int = 0
    stored_value: int = 0
    principal: int = 0
    # (total, principal) of the stored value each merchant's stores may take: on an alliance card it is spent only
    # at the merchant that sold it, and a receipt shows the whole balance. Whatever changes a receipt shows
    # happened to the lots of the merchant whose store wrote it, so adding the changes up per merchant is exact.
    held: dict[int, tuple[int, int]] = field(default_factory=dict)


@dataclass(slots=True)
class Replay:
    """Runs planned steps against the services and tracks what each member holds."""

    at_store: dict[str, Business]  # by store code, unique across the demo
    wallets: dict[tuple[str, int], _Wallet] = field(default_factory=dict)
    skipped: int = 0

    def run(self, step: Step) -> None:
        match step:
            case Enrol():
                self._enrol(step)
            case Sale():
                self._sale(step)
            case TopUp():
                self._top_up(step)
            case TopUpRefund():
                self._top_up_refund(step)
            case Redeem():
                self._redeem(step)
            case Return():
                self._return(step)
            case Freeze():
                self._freeze(step)
            case ShareHistory():
                self._share_history(step)
            case _:
                raise TypeError(f"no replay for {type(step).__name__}")

    def _wallet(self, member: MemberPlan) -> _Wallet:
        return self.wallets.setdefault((member.market.key, member.index), _Wallet())

    def _business(self, step: Step) -> Business:
        return self.at_store[step.store]

    def _held(self, step: Step) -> tuple[int, int]:
        return self._wallet(step.member).held.get(self._business(step).merchant.id, (0, 0))

    def _actor(self, step: Step, role: str = CASHIER) -> Actor:
        business = self._business(step)
        return business.staff_actor(step.store, role) if step.staffed else business.terminal_actor(step.store)

    def _receipt(self, step: Step, body: dict[str, Any]) -> None:
        wallet = self._wallet(step.member)
        stored_value = body["balances"]["stored_value"]
        total, principal = stored_value["total_minor"], stored_value["principal_minor"]
        held_total, held_principal = self._held(step)
        wallet.held[self._business(step).merchant.id] = (
            held_total + total - wallet.stored_value,
            held_principal + principal - wallet.principal,
        )
        wallet.points, wallet.stored_value, wallet.principal = body["balances"]["points"], total, principal

    def _enrol(self, step: Enrol) -> None:
        outcome = member_enroll(
            program=self._business(step).program,
            profile=step.member.profile,
            actor=self._actor(step),
            now=step.recorded_at,
            request_key=step.request_key,
        )
        self._wallet(step.member).member_id = outcome.body["member_id"]

    def _top_up(self, step: TopUp) -> None:
        top_up = TopUpIn(
            member=self._wallet(step.member).member_id,
            pos_number=step.pos_number,
            event_at=step.at,
            currency=step.member.market.currency,
            amount_minor=step.amount_minor,
            tender_kind=step.tender,
        )
        outcome = top_up_commit(
            actor=self._actor(step), top_up=top_up, request_key=step.request_key, now=step.recorded_at
        )
        self._receipt(step, outcome.body)

    def _top_up_refund(self, step: TopUpRefund) -> None:
        assert step.original is not None
        # Principal already spent is not refunded, so the member gets back what is left of it, if anything.
        amount = min(self._held(step)[1], step.original.amount_minor)
        if amount <= 0:
            self.skipped += 1
            return
        refund = TopUpRefundIn(
            original_pos_number=step.original.pos_number,
            pos_number=step.pos_number,
            event_at=step.at,
            amount_minor=None if amount == step.original.amount_minor else amount,
            tender_kind=step.original.tender,
        )
        outcome = top_up_refund_commit(
            actor=self._actor(step, MANAGER), refund=refund, request_key=step.request_key, now=step.recorded_at
        )
        self._receipt(step, outcome.body)

    def _sale(self, step: Sale) -> None:
        lines = tuple(
            LineIn(
                line_no=number,
                sku=item.sku,
                name=item.name,
                quantity=item.quantity,
                unit_price_minor=item.unit_price_minor,
                brand=item.brand,
                category=item.category,
                discount_minor=line_discount(item, step.discount_percent),
            )
            for number, item in enumerate(step.items, start=1)
        )
        sale = SaleIn(
            member=self._wallet(step.member).member_id,
            pos_number=step.pos_number,
            event_at=step.at,
            currency=step.member.market.currency,
            lines=lines,
            tenders=(),
        )
        # As a till does: ask what the member pays after their tier discount, then tender exactly that.
        total = sale_quote(actor=self._actor(step), sale=sale, now=step.recorded_at)["total_minor"]
        sale = replace(sale, tenders=self._tenders(step, total))
        outcome = sale_commit(actor=self._actor(step), sale=sale, request_key=step.request_key, now=step.recorded_at)
        self._receipt(step, outcome.body)

    def _tenders(self, step: Sale, total: int) -> tuple[TenderIn, ...]:
        held = self._held(step)[0]
        from_wallet = min(total, held) if step.from_stored_value else 0
        tenders = [TenderIn("stored_value", from_wallet)] if from_wallet else []
        if total > from_wallet:
            tenders.append(TenderIn(step.tender, total - from_wallet, step.reference))
        return tuple(tenders)

    def _redeem(self, step: Redeem) -> None:
        # The planner only guessed the balance: ask for the planned gift if it is affordable now, else the best
        # gift that is, else nothing (a returned sale may have taken the points back in the meantime).
        points = self._wallet(step.member).points
        affordable = [r for r in step.menu or step.member.market.rewards if r.points <= points]
        reward = step.reward if step.reward in affordable else max(affordable, key=lambda r: r.points, default=None)
        if reward is None:
            self.skipped += 1
            return
        redemption = RedemptionIn(
            member=self._wallet(step.member).member_id,
            pos_number=step.pos_number,
            event_at=step.at,
            points=reward.points,
            reason=reward.note,
        )
        outcome = points_redeem(
            actor=self._actor(step), redemption=redemption, request_key=step.request_key, now=step.recorded_at
        )
        self._receipt(step, outcome.body)

    def _return(self, step: Return) -> None:
        assert step.original is not None
        ret = ReturnIn(
            original_pos_number=step.original.pos_number,
            pos_number=step.pos_number,
            event_at=step.at,
            lines=tuple(ReturnLineIn(line_no=n, quantity=q) for n, q in step.lines),
        )
        outcome = return_commit(
            actor=self._actor(step, MANAGER), ret=ret, request_key=step.request_key, now=step.recorded_at
        )
        self._receipt(step, outcome.body)

    def _freeze(self, step: Freeze) -> None:
        member = Member.objects.select_related("program").get(public_id=self._wallet(step.member).member_id)
        member_status_set(
            member=member, status="frozen", reason=step.reason, actor=self._actor(step, MANAGER), now=step.recorded_at
        )

    def _share_history(self, step: ShareHistory) -> None:
        member = Member.objects.select_related("program").get(public_id=self._wallet(step.member).member_id)
        member_history_sharing_set(member=member, share=True, actor=self._actor(step), now=step.recorded_at)


def demo_load(*, seed: int, members: int, end: datetime | None = None, progress: Progress | None = None) -> LoadSummary:
    """Create both demo businesses and the chain's alliance, and replay a year of their tills, ending at ``end``
    (default: a moment ago).

    :raises DemoLoadFailed: a service refused a planned step; the message names the step.
    """
    started = time.perf_counter()
    end = end or clock_now() - timedelta(minutes=2)
    plan = plan_make(seed=seed, members=members, end=end)
    businesses = {
        m.key: business_create(
            market=m, rng=random.Random(f"tessera-demo:{seed}:{m.key}:staff"), since=end - timedelta(days=400)
        )
        for m in MARKETS
    }
    partners = alliance_build(
        owner=businesses[ALLIANCE_MARKET.key], rng=random.Random(f"tessera-demo:{seed}:alliance:staff")
    )
    replay = Replay({code: b for b in [*businesses.values(), *partners.values()] for code in b.stores})
    for done, step in enumerate(plan.steps, start=1):
        try:
            replay.run(step)
        except Exception as exc:
            raise DemoLoadFailed(f"{type(step).__name__} {step.pos_number or step.request_key}: {exc!r}") from exc
        if progress is not None:
            progress(done, len(plan.steps))
    # Coupons to try at the till now, issued at the end of the replayed year (so none has expired yet).
    demo_coupons(businesses, seed=seed, now=clock_now())
    demo_settlements(businesses, end=end)
    demo_intelligence(businesses, seed=seed, now=clock_now())
    return _summary(skipped=replay.skipped, seconds=time.perf_counter() - started)


def _summary(*, skipped: int, seconds: float) -> LoadSummary:
    kinds = Document.objects.order_by().values_list("kind").annotate(count=Count("id"))
    return LoadSummary(
        members=Member.objects.count(),
        documents=dict(kinds),
        postings=Posting.objects.count(),
        entries=Entry.objects.count(),
        skipped=skipped,
        seconds=seconds,
    )
