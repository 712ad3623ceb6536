"""Schema changes must never leave the journal without its append-only guards."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from tessera.ledger.guards import guards_drop, guards_missing


@pytest.mark.django_db(transaction=True)
def test_migrate_puts_back_guards_a_table_rebuild_dropped():
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite rebuilds tables on ALTER; PostgreSQL keeps triggers")
    guards_drop(connection)  # what a table rebuild does to a SQLite table's triggers
    assert guards_missing(connection)
    call_command("migrate", verbosity=0)
    assert guards_missing(connection) == []
