"""Builders for tests: a small chain with stores, tills, keys and a programme, and quick POS documents.

Everything is made through the public services, so tests exercise the same paths as the till.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import connection

from tessera.checkout.commands import LineIn, ReturnIn, ReturnLineIn, SaleIn, TenderIn, TopUpIn
from tessera.checkout.services import return_commit, sale_commit, top_up_commit
from tessera.kit.actor import Actor
from tessera.kit.clock import now
from tessera.members.models import Member
from tessera.members.services import Profile, member_enroll
from tessera.programs.models import Program
from tessera.programs.services import program_create, top_up_band_set
from tessera.stores.models import Merchant, Store, Terminal
from tessera.stores.services import merchant_create, store_create, terminal_create, terminal_key_issue

_counter = itertools.count(1)


@dataclass
class Shop:
    store: Store
    terminal: Terminal
    key: str

    @property
    def actor(self) -> Actor:
        return Actor(
            store_id=self.store.id,
            merchant_id=self.store.merchant_id,
            currency=self.store.currency,
            terminal_id=self.terminal.id,
        )


@dataclass
class World:
    merchant: Merchant
    program: Program
    shops: list[Shop] = field(default_factory=list)

    @property
    def a(self) -> Shop:
        return self.shops[0]

    @property
    def b(self) -> Shop:
        return self.shops[1]

    @property
    def c(self) -> Shop:
        return self.shops[2]


def world_build(
    *,
    country: str = "CN",
    timezone: str = "Asia/Shanghai",
    currency: str = "CNY",
    stores: int = 2,
    name: str = "Chain",
    **program_settings: Any,
) -> World:
    merchant = merchant_create(name=name, country=country, timezone=timezone, currency=currency)
    program = program_create(owner=merchant, name=f"{name} club", **program_settings)
    world = World(merchant=merchant, program=program)
    for i in range(1, stores + 1):
        store = store_create(merchant=merchant, code=f"S{i:03d}", name=f"{name} store {i}")
        terminal = terminal_create(store=store, name="till-1")
        world.shops.append(Shop(store=store, terminal=terminal, key=terminal_key_issue(terminal=terminal).secret))
    return world


def band_set(world: World, min_amount_minor: int, bonus_minor: int) -> None:
    top_up_band_set(program=world.program, min_amount_minor=min_amount_minor, bonus_minor=bonus_minor)


def member_new(world: World, *, phone: str | None = None, name: str = "Test Member") -> Member:
    number = phone or f"1380013{next(_counter):04d}"
    body = member_enroll(
        program=world.program, profile=Profile(phone=number, name=name), actor=world.a.actor, now=now()
    ).body
    return Member.objects.select_related("program").get(public_id=body["member_id"])


def key() -> str:
    return f"k-{next(_counter)}"


def sale_in(
    member: Member,
    lines: list[tuple[int, int]] | None = None,
    *,
    sv: int = 0,
    pos_number: str | None = None,
    currency: str = "CNY",
    at: datetime | None = None,
    category: str = "tops",
) -> SaleIn:
    """A sale of ``lines`` given as (quantity, unit price) pairs; ``sv`` minor units paid from stored value."""
    lines = lines or [(1, 10000)]
    total = sum(q * p for q, p in lines)
    tenders = [TenderIn("stored_value", sv)] if sv else []
    if total - sv:
        tenders.append(TenderIn("cash", total - sv))
    return SaleIn(
        member=member.public_id,
        pos_number=pos_number or f"P{next(_counter)}",
        event_at=at or now(),
        currency=currency,
        lines=tuple(LineIn(i, f"SKU{i}", f"Item {i}", q, p, category=category) for i, (q, p) in enumerate(lines, 1)),
        tenders=tuple(tenders),
    )


def sell(shop: Shop, member: Member, lines: list[tuple[int, int]] | None = None, **kw: Any) -> dict[str, Any]:
    return sale_commit(actor=shop.actor, sale=sale_in(member, lines, **kw), request_key=key(), now=now()).body


def top_up(shop: Shop, member: Member, amount_minor: int, currency: str = "CNY") -> dict[str, Any]:
    command = TopUpIn(
        member=member.public_id,
        pos_number=f"T{next(_counter)}",
        event_at=now(),
        currency=currency,
        amount_minor=amount_minor,
    )
    return top_up_commit(actor=shop.actor, top_up=command, request_key=key(), now=now()).body


def give_back(shop: Shop, original: str, lines: list[tuple[int, int]] | None = None) -> dict[str, Any]:
    """Return (line number, quantity) pairs of sale ``original``; everything left when ``lines`` is None."""
    command = ReturnIn(
        original_pos_number=original,
        pos_number=f"R{next(_counter)}",
        event_at=now() + timedelta(seconds=1),
        lines=tuple(ReturnLineIn(no, q) for no, q in (lines or [])),
    )
    return return_commit(actor=shop.actor, ret=command, request_key=key(), now=now() + timedelta(seconds=1)).body


@contextmanager
def protocol_messages() -> Iterator[list[str]]:
    """The messages this connection sends to PostgreSQL inside the block (Parse, Execute, Sync, Query...).

    ``round_trips`` counts how often the client waited for the server.
    """
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    sent: list[str] = []
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        try:
            yield sent
        finally:
            pgconn.untrace()
            trace.seek(0)
            fields = [line.split("\t") for line in trace]  # time, direction, length, message, ...
            sent += [f[3].strip() for f in fields if len(f) > 3 and f[1] == "F"]


def round_trips(sent: list[str]) -> int:
    """Waits for the server: one per simple ``Query``, and one per ``Sync`` or ``Flush`` (a pipeline asking for
    answers), where a ``Flush`` right after a ``Sync`` belongs to the same wait."""
    waits = 0
    for previous, message in zip(["", *sent], sent, strict=False):
        waits += message in ("Query", "Sync") or (message == "Flush" and previous != "Sync")
    return waits


def _datasets_dir() -> Path:
    if os.environ.get("TESSERA_DATASETS"):
        return Path(os.environ["TESSERA_DATASETS"])
    beside = Path(__file__).resolve().parents[3] / "shared" / "datasets"
    return beside if beside.is_dir() else Path("/work/shared/datasets")


def dataset(name: str) -> Path:
    """A file of the team's shared datasets (../shared/datasets beside the checkout; ``TESSERA_DATASETS`` if set,
    else beside this checkout, else the workplace's own, so a clone made elsewhere still finds them). Missing, the
    test is skipped, or fails under ``CI=true``, where the data must be there."""
    import pytest  # only tests ask for datasets; pytest is a development dependency

    path = _datasets_dir() / name
    if not path.exists():
        message = f"the dataset {name} is not at {path}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def redis_test_url() -> str:
    """The Redis tests may use (``TESSERA_TEST_REDIS_URL``, default database 15 on 127.0.0.1:6379), once it
    answers. Not answering, the test is skipped, or fails under ``CI=true``, where Redis must be there."""
    import pytest
    import redis

    url = os.environ.get("TESSERA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but Redis does not answer at {url}: {exc}")
        pytest.skip(f"Redis does not answer at {url} (set TESSERA_TEST_REDIS_URL): {exc}")
    return url
