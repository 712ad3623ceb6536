"""Database helpers shared by every area: the transaction boundary and backend differences."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def use_case() -> Iterator[None]:
    """Open the one durable transaction of a public service.

    ``durable=True`` makes a nested call fail loudly instead of silently joining an outer transaction whose
    commit the service cannot see (a service must never commit on a caller's behalf, nor be committed late).
    """
    with transaction.atomic(durable=True):
        yield


def assert_in_transaction() -> None:
    # Inner functions never open a transaction; they need the caller's, or their locks mean nothing.
    assert connection.in_atomic_block, "must run inside a service's transaction"
