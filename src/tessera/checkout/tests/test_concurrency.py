"""Real races: many threads, each with its own database connection, against one member's balances (L-1, L-3).

These run on both databases; on PostgreSQL they exercise row locks, on SQLite the IMMEDIATE write lock.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tessera.checkout.commands import RedemptionIn
from tessera.checkout.models import Document
from tessera.checkout.services import points_redeem, sale_commit
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.models import Account, AccountKind, Posting
from tessera.ledger.verify import ledger_verify
from tessera.members.selectors import member_balances
from tessera.testing import member_new, sale_in, sell, top_up, world_build

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16
ATTEMPTS = 1000


def race(attempt, count=ATTEMPTS, threads=THREADS):
    """Run ``attempt(i)`` for i < count on ``threads`` threads; returns a Counter of outcomes."""

    def run(i):
        try:
            return attempt(i)
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return Counter(pool.map(run, range(count)))


class Watcher:
    """Polls a balance from its own connection every few milliseconds and remembers the lowest it saw."""

    def __init__(self, account_id):
        self.account_id, self.lowest, self.stop = account_id, None, threading.Event()
        self.thread = threading.Thread(target=self.poll)

    def poll(self):
        try:
            while not self.stop.wait(0.005):
                seen = Account.objects.values_list("balance", flat=True).get(id=self.account_id)
                self.lowest = seen if self.lowest is None else min(self.lowest, seen)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def test_sixteen_tills_spend_one_yuan_each_from_a_hundred():
    world = world_build()
    member = member_new(world)
    top_up(world.a, member, 10000)
    principal = Account.objects.get(member=member, kind=AccountKind.MEMBER_SV_PRINCIPAL)

    def spend(i):
        sale = sale_in(member, [(1, 100)], sv=100, pos_number=f"race-{i}")
        sale_commit(actor=world.shops[i % 2].actor, sale=sale, request_key=f"race-{i}", now=now())
        return "ok"

    with Watcher(principal.id) as watcher:
        outcome = race(spend)
    assert outcome == {"ok": 100, "insufficient_balance": 900}
    assert member_balances(member=member).sv_principal_minor == 0
    assert watcher.lowest is not None
    assert watcher.lowest >= 0
    assert Document.objects.filter(kind="sale").count() == 100
    assert ledger_verify() == []


def test_sixteen_tills_redeem_one_point_each_from_a_hundred():
    world = world_build()
    member = member_new(world)
    sell(world.a, member, [(1, 10000)])  # 100 points
    points = Account.objects.get(member=member, kind=AccountKind.MEMBER_POINTS)

    def redeem(i):
        command = RedemptionIn(member=member.public_id, pos_number=f"pts-{i}", event_at=now(), points=1)
        points_redeem(actor=world.shops[i % 2].actor, redemption=command, request_key=f"pts-{i}", now=now())
        return "ok"

    with Watcher(points.id) as watcher:
        outcome = race(redeem)
    assert outcome == {"ok": 100, "insufficient_balance": 900}
    assert member_balances(member=member).points == 0
    assert watcher.lowest >= 0
    assert ledger_verify() == []


def test_one_key_sent_fifty_times_at_once_posts_once():
    world = world_build()
    member = member_new(world)
    top_up(world.a, member, 10000)
    sale = sale_in(member, [(1, 500)], sv=500, pos_number="same")
    postings = Posting.objects.count()

    def send(_):
        outcome = sale_commit(actor=world.a.actor, sale=sale, request_key="same-key", now=now())
        return outcome.body["document_id"]

    outcome = race(send, count=50, threads=THREADS)
    assert len(outcome) == 1  # every answer names the same document
    assert Posting.objects.count() == postings + 1
    assert member_balances(member=member).sv_principal_minor == 9500


def test_one_document_resent_with_fresh_keys_at_once_posts_once():
    world = world_build()
    member = member_new(world)
    sale = sale_in(member, [(1, 700)], pos_number="offline-7")

    def send(i):
        return sale_commit(actor=world.a.actor, sale=sale, request_key=f"fresh-{i}", now=now()).body["document_id"]

    assert len(race(send, count=40)) == 1
    assert member_balances(member=member).points == 7


def test_one_document_number_sent_for_different_members_at_once_is_recorded_once():
    """Different members share no lock, so the unique constraint decides; the losers get a clear conflict."""
    world = world_build()
    members = [member_new(world) for _ in range(8)]

    def send(i):
        sale = sale_in(members[i], [(1, 900)], pos_number="shared-number")
        sale_commit(actor=world.a.actor, sale=sale, request_key=f"member-{i}", now=now())
        return "ok"

    outcome = race(send, count=8, threads=8)
    assert outcome == {"ok": 1, "document_number_conflict": 7}
    assert Document.objects.filter(pos_number="shared-number").count() == 1
