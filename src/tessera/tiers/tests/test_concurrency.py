"""A sale and the evaluation job closing the same member's window at the same moment, on two connections.

Whichever locks the member's row first closes the window; the other waits, sees it closed, and closes nothing.
On PostgreSQL the job takes its lock by updating, so it has read the row before it waits; a row that the sale
changed meanwhile is left alone (its ``ctid`` moved). Without that, both would record the window's end (two
events) and the sale's points could land in the closed window. Runs on both databases: row locks on
PostgreSQL, the IMMEDIATE write lock on SQLite.
"""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection

from tessera.blueprints.seeds import diamonds_ladder
from tessera.tiers.services import evaluation, facts
from tessera.tiers.services.evaluation_sql import EvaluationSql
from tessera.tiers.tests.factories import at, evaluate, history, member_carded, place, record, world_in

pytestmark = pytest.mark.django_db(transaction=True)
SH = "Asia/Shanghai"


def in_thread(fn, results):
    def run():
        try:
            results.append(fn())
        except Exception as exc:  # surfaced by the test's assertions
            results.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def spy(method, calls):
    def called(self, *args, **kwargs):
        calls.append(args)
        return method(self, *args, **kwargs)

    return called


@pytest.fixture
def due_member():
    """A yellow diamond whose year ended at midnight; the job has not run yet."""
    world = world_in(SH, spec=diamonds_ladder())
    member = member_carded(world, at(SH, "2025-01-10"))
    record(member, at(SH, "2025-06-01"), points=12_000)  # red for the year
    record(member, at(SH, "2025-07-01"), points=9_000)  # 21,000: yellow
    return world, member


def test_a_job_that_finds_the_row_locked_by_a_sale_waits_and_closes_nothing(due_member, monkeypatch):
    world, member = due_member
    sale_has_closed, may_commit = threading.Event(), threading.Event()
    real = facts._events_write  # the sale pauses after its writes, before its transaction commits

    def pause_after_writing(*args, **kwargs):
        real(*args, **kwargs)
        sale_has_closed.set()
        assert may_commit.wait(10)

    monkeypatch.setattr(facts, "_events_write", pause_after_writing)
    read = []  # on PostgreSQL the job reads the row before it waits: it must leave the row, not close it again
    monkeypatch.setattr(EvaluationSql, "windows_close", spy(EvaluationSql.windows_close, read))
    results: list = []
    sale = in_thread(lambda: record(member, at(SH, "2026-01-10", "09:00"), points=500), results)
    assert sale_has_closed.wait(10)
    job = in_thread(lambda: evaluate(world, "2026-01-10"), results)
    time.sleep(0.3)
    assert job.is_alive(), "the job must wait for the sale's lock"
    may_commit.set()
    sale.join(10)
    job.join(10)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[-1]["windows_closed"] == 0
    row = place(member)
    assert (row.tier.code, row.points, row.window_start) == ("yellow", 500, date(2026, 1, 10))
    assert len(history(member)) == 3  # joined, red, yellow: the window's end changed nothing, once
    assert len(read) == (1 if connection.vendor == "postgresql" else 0)


def test_a_sale_that_finds_the_row_locked_by_the_job_waits_and_counts_in_the_new_window(due_member, monkeypatch):
    world, member = due_member
    record(member, at(SH, "2025-12-01"), points=-15_000)  # 6,000 left: the year's end takes yellow away
    job_has_locked, may_commit = threading.Event(), threading.Event()
    real = evaluation._windows_batch  # the job pauses after its batch's writes, before the batch commits

    def pause_before_committing(*args, **kwargs):
        done = real(*args, **kwargs)
        job_has_locked.set()
        assert may_commit.wait(10)
        return done

    monkeypatch.setattr(evaluation, "_windows_batch", pause_before_committing)
    results: list = []
    job = in_thread(lambda: evaluate(world, "2026-01-10"), results)
    assert job_has_locked.wait(10)
    sale = in_thread(lambda: record(member, at(SH, "2026-01-10", "09:00"), points=500), results)
    time.sleep(0.3)
    assert sale.is_alive(), "the sale must wait for the job's lock"
    may_commit.set()
    job.join(10)
    sale.join(10)
    assert not [r for r in results if isinstance(r, Exception)], results
    row = place(member)
    assert (row.tier.code, row.points, row.window_start) == ("card", 500, date(2026, 1, 10))
    assert [h[2] for h in history(member)].count("reevaluated") == 1
