"""Fixtures for the messaging tests: empty registries, programmes in three time zones, a recording job."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest

from tessera.messaging import conf, jobs, relay
from tessera.programs.models import Program
from tessera.programs.services import program_create
from tessera.stores.services import merchant_create

ZONES = {"Asia/Shanghai": ("CN", "CNY"), "Asia/Seoul": ("KR", "KRW"), "UTC": ("GB", "GBP")}


@pytest.fixture(autouse=True)
def registries():
    """Each test starts with no handlers and no jobs (other areas' registrations included) and a clear stop flag."""
    relay.registrations_load()  # first, so that a command calling it inside a test imports nothing new
    saved_handlers, saved_jobs = dict(relay._handlers), dict(jobs._jobs)
    relay._handlers.clear()
    jobs._jobs.clear()
    conf.stopping.clear()
    yield
    relay._handlers.clear()
    relay._handlers.update(saved_handlers)
    jobs._jobs.clear()
    jobs._jobs.update(saved_jobs)
    conf.stopping.clear()


def program_in(timezone: str, name: str | None = None) -> Program:
    country, currency = ZONES[timezone]
    merchant = merchant_create(name=name or timezone, country=country, timezone=timezone, currency=currency)
    return program_create(owner=merchant, name=f"{name or timezone} club")


class Recorder:
    """A job that records each (programme id, local date) it was called for, and can be told to fail."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, date]] = []
        self.fail_on: set[date] = set()
        self.lock = threading.Lock()

    def __call__(self, *, program_id: int, local_date: date) -> dict[str, Any]:
        with self.lock:
            self.calls.append((program_id, local_date))
        if local_date in self.fail_on:
            self.fail_on.discard(local_date)  # fails once, succeeds when retried
            raise RuntimeError(f"disk full on {local_date}")
        return {"local_date": local_date, "expired_points": 7}

    def dates(self, program: Program) -> list[date]:
        return [d for p, d in self.calls if p == program.id]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()
