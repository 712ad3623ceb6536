"""Suite-wide fixtures: ledger invariants after every database test, and the PostgreSQL pass rules."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection

from tessera.ledger.guards import guards_drop, guards_install
from tessera.ledger.services import store_account_cache_clear
from tessera.ledger.verify import ledger_verify
from tessera.stores.selectors import terminal_key_cache_clear


def _on_postgres_pass() -> bool:
    return getattr(settings, "TESSERA_TEST_DB", "sqlite") == "postgres"


def pytest_report_header(config: pytest.Config) -> str:
    reason = getattr(settings, "TESSERA_TEST_PG_UNAVAILABLE", "")
    if _on_postgres_pass() and reason:
        return f"database: PostgreSQL pass SKIPPED ({reason})"
    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({db['TEST'].get('NAME')})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = getattr(settings, "TESSERA_TEST_PG_UNAVAILABLE", "")
    if _on_postgres_pass() and reason:
        if os.environ.get("CI", "").lower() == "true":
            raise pytest.UsageError(f"CI=true but PostgreSQL is unavailable: {reason}")
        skip = pytest.mark.skip(reason=f"PostgreSQL pass skipped: {reason}")
        for item in items:
            item.add_marker(skip)
        return
    if connection.vendor != "postgresql":
        skip_pg = pytest.mark.skip(reason="needs PostgreSQL; runs in the PostgreSQL pass (make test)")
        for item in items:
            if item.get_closest_marker("postgres_only"):
                item.add_marker(skip_pg)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request that activated another one (the locale middleware
    does not switch back) must not change which language the next test in this worker sees."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _ledger_guard(request: pytest.FixtureRequest):
    """Check every ledger invariant after each database test; it fails the test on any violation."""
    store_account_cache_clear()
    terminal_key_cache_clear()
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db:
        yield
        return
    request.getfixturevalue("db")  # set up the database before this fixture, so it is torn down after it
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames
    )
    guards_install(connection)
    yield
    violations = ledger_verify()
    expected = request.node.get_closest_marker("ledger_violations_expected")
    if expected is not None:
        # A test that breaks an invariant on purpose to see verify catch it: only the named check may fail.
        violations = [v for v in violations if v.check not in expected.args]
    store_account_cache_clear()
    if transactional:
        # SQLite's flush deletes rows, which the append-only triggers forbid; the next test reinstalls them.
        guards_drop(connection)
    assert not violations, "ledger invariants violated:\n" + "\n".join(f"{v.check}: {v.detail}" for v in violations)
