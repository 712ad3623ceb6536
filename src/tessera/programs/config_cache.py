"""A programme's configuration, cached per process and used only while the programme's ``config_version`` stands.

Checkout reads the programme's tier ladder, earning rules and gift ladders on every sale; they change a few
times a year. A database trigger on each of those tables adds one to ``programs_program.config_version`` in the
same transaction as the change, whoever makes it (services, admin, a migration, hand-written SQL). Every sale
reads its programme row anyway, so a cached copy is used only while its stamp matches the row just read: the
cache is never stale and costs no query to check. A copy loaded after the row was read is at least as new as
the row (each statement sees what was committed before it), so nothing older is ever stored under a newer stamp.

The stamp includes the programme's public id, which is random, so a test database that reuses ids never meets
another programme's copy; and its time zone and currency, which cached copies carry. Cached values are shared
between threads and must not be changed by their users.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.backends.base.base import BaseDatabaseWrapper

if TYPE_CHECKING:
    from tessera.programs.models import Program

T = TypeVar("T")
_PROGRAM = "programs_program"
_cache: dict[tuple[str, int], tuple[tuple[Any, ...], Any]] = {}
# table -> SQL naming the programme of one of its rows, with {row} standing for NEW or OLD
_tables: dict[str, str] = {}


def config_cached(kind: str, program: Program, load: Callable[[], T]) -> T:
    """``load()``'s answer for ``program``, loaded again only when the programme's configuration has changed."""
    stamp = (program.public_id, program.config_version, program.timezone, program.currency)
    hit = _cache.get((kind, program.id))
    if hit is not None and hit[0] == stamp:
        value: T = hit[1]
        return value
    loaded = load()
    _cache[(kind, program.id)] = (stamp, loaded)
    return loaded


def config_cache_clear() -> None:
    _cache.clear()


def config_table_register(table: str, program_of: str = "{row}.program_id") -> None:
    """Count every write to ``table`` as a change of its programme's configuration (call from ``ready()``)."""
    _tables[table] = program_of


def config_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Install the version triggers of every registered table; idempotent, so it runs after every migrate."""
    install = _postgres if connection.vendor == "postgresql" else _sqlite
    with connection.cursor() as cursor:
        for table, program_of in sorted(_tables.items()):
            for sql in install(table, program_of):
                cursor.execute(sql)


def _bump(program_of: str, row: str) -> str:
    # Table and column names come from the apps registering them, never from input.
    return f"UPDATE {_PROGRAM} SET config_version = config_version + 1 WHERE id = {program_of.format(row=row)};"  # noqa: S608


def _postgres(table: str, program_of: str) -> list[str]:
    function = f"tessera_config_touch_{table}"
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN {_bump(program_of, "OLD")} END IF;
            IF TG_OP <> 'DELETE' THEN {_bump(program_of, "NEW")} END IF;
            RETURN NULL;
        END $$""",
        f"CREATE OR REPLACE TRIGGER {table}_config_touch AFTER INSERT OR UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {function}()",
    ]


def _sqlite(table: str, program_of: str) -> list[str]:
    # SQLite drops a table's triggers when a migration rebuilds it; IF NOT EXISTS makes reinstalling harmless.
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_config_touch_{event.lower()} AFTER {event} ON {table}"
        f" BEGIN {' '.join(_bump(program_of, row) for row in rows)} END"
        for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"]))
    ]
