"""Database-level guards: journal rows are immutable, and each INSERT of entries sums to zero per posting.

PostgreSQL gets row triggers that refuse UPDATE and DELETE, plus a statement-level trigger over the inserted
rows that refuses any posting whose entries do not balance per unit (the posting function writes all of a
posting's entries in one INSERT, so every statement must balance on its own). SQLite gets BEFORE UPDATE/DELETE
triggers that abort; it has no statement-level triggers, so the zero-sum rule rests there on the one posting
function and on ``tessera ledger verify``.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

IMMUTABLE_TABLES = ("ledger_posting", "ledger_entry", "audit_auditrecord")
# Other areas whose rows must never change once written add their tables here when their app loads
# (checkout's documents: their receipts are what the POS is answered with on every replay).
_registered: list[str] = []


def guard_tables_register(*tables: str) -> None:
    _registered.extend(t for t in tables if t not in _registered)


def guarded_tables() -> tuple[str, ...]:
    return IMMUTABLE_TABLES + tuple(_registered)


_PG_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION tessera_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'tessera: % on % is not allowed; the journal is append-only', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'P0001';
    END $$;
    """,
    """
    CREATE OR REPLACE FUNCTION tessera_entries_balance() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_entries GROUP BY posting_id, unit HAVING SUM(amount) <> 0) THEN
            RAISE EXCEPTION 'tessera: entries of a posting must sum to zero per unit'
                USING ERRCODE = '23514';
        END IF;
        RETURN NULL;
    END $$;
    """,
    """
    CREATE OR REPLACE TRIGGER ledger_entry_balance AFTER INSERT ON ledger_entry
        REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION tessera_entries_balance();
    """,
]

_PG_IMMUTABLE = """
    CREATE OR REPLACE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION tessera_refuse_change();
"""

_SQLITE_IMMUTABLE = [
    """
    CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, 'tessera: UPDATE on {table} is not allowed; the journal is append-only'); END;
    """,
    """
    CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
    BEGIN SELECT RAISE(ABORT, 'tessera: DELETE on {table} is not allowed; the journal is append-only'); END;
    """,
]


def guard_statements(vendor: str, tables: tuple[str, ...] | None = None) -> list[str]:
    """Statements installing the guards; the PostgreSQL functions and the zero-sum trigger come with the ledger's."""
    if tables is None:
        tables = guarded_tables()
    if vendor == "postgresql":
        base = _PG_INSTALL if "ledger_entry" in tables else []
        return base + [_PG_IMMUTABLE.format(table=t) for t in tables]
    if vendor == "sqlite":
        return [sql.format(table=t) for t in tables for sql in _SQLITE_IMMUTABLE]
    return []


def guard_drop_statements(vendor: str, tables: tuple[str, ...] | None = None) -> list[str]:
    """Only for test teardown on SQLite, whose flush deletes rows (PostgreSQL's TRUNCATE fires no row trigger)."""
    if vendor != "sqlite":
        return []
    return [f"DROP TRIGGER IF EXISTS {t}_{op}" for t in tables or guarded_tables() for op in ("no_update", "no_delete")]


def guards_migration(tables: tuple[str, ...]) -> Any:
    """A migration operation installing the append-only guards on ``tables`` (removing them when reversed)."""
    from django.db import migrations

    def install(apps: Any, schema_editor: Any) -> None:
        for sql in guard_statements(schema_editor.connection.vendor, tables):
            schema_editor.execute(sql, params=None)

    def uninstall(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            for table in tables:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        for sql in guard_drop_statements(vendor, tables):
            schema_editor.execute(sql)

    return migrations.RunPython(install, uninstall)


def guards_install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in guard_statements(connection.vendor):
            cursor.execute(sql)


def guards_drop(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in guard_drop_statements(connection.vendor):
            cursor.execute(sql)


def guards_missing(connection: BaseDatabaseWrapper) -> list[str]:
    """Names of expected guard triggers that are not installed (checked by ``tessera ledger verify``)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            expected = [f"{t}_immutable" for t in guarded_tables()] + ["ledger_entry_balance"]
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = [f"{t}_{op}" for t in guarded_tables() for op in ("no_update", "no_delete")]
        else:
            return []
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in expected if name not in present]
