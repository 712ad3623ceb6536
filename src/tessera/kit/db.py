"""Database helpers shared by every area: the transaction boundary and backend differences."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Generic, TypeVar

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from psycopg.types.json import Jsonb


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


# ---------------------------------------------------------------- hot-path SQL
# The checkout path runs a dozen statements per sale; building each through the ORM costs more CPU than the
# database spends executing it. These helpers send plain parameterised SQL that both SQLite and PostgreSQL
# accept, and build model instances with Model.from_db, so column lists follow the models, never a copy.


def sql_run(sql: str, params: Sequence[Any] = ()) -> int:
    """Execute one statement; returns the number of rows it changed (not known yet inside ``pipelined``)."""
    shared = getattr(_pipeline, "cursor", None)
    if shared is not None:
        shared.execute(sql, params)
        return int(shared.rowcount)
    db = connections[DEFAULT_DB_ALIAS]
    with db.wrap_database_errors, _cursor_maker(db)() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def sql_rows(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    db = connections[DEFAULT_DB_ALIAS]
    with db.wrap_database_errors, _cursor_maker(db)() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _cursor_maker(db: BaseDatabaseWrapper) -> Callable[[], Any]:
    """What makes a cursor for hot-path SQL: psycopg's own where ``_direct`` allows, else Django's."""
    return db.connection.cursor if _direct(db) else db.cursor


def _direct(db: BaseDatabaseWrapper) -> bool:
    """Whether to send hot-path SQL on psycopg's own cursor, and make sure it has a connection if so.

    Django's cursor wrapper costs about 20 us of CPU per statement here (connection proxies, thread checks,
    debug and error wrappers), more than PostgreSQL spends running most of these statements; a sale sends
    fifteen to twenty. Errors still become Django's exceptions (``wrap_database_errors``). Where someone is
    watching the queries (DEBUG, ``assertNumQueries``, ``execute_wrapper``), Django's cursor is used so they
    see every one. SQLite always goes through Django, whose wrapper also translates the placeholders.
    """
    if db.vendor != "postgresql" or db.queries_logged or db.execute_wrappers:
        return False
    db.validate_no_broken_transaction()
    if db.connection is None or not getattr(db, "health_check_done", False):
        db.close_if_health_check_failed()  # what Django's cursor() does first, once per request
        db.ensure_connection()
    return True


# The writes of one ``pipelined`` block share one psycopg cursor: nobody reads their answers, and a cursor
# per statement would cost as much again as the statement. Per thread, as Django's connections are.
_pipeline = threading.local()


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Read(Generic[T]):
    """One read statement and how to turn its rows into an answer, so several can travel together (``sql_reads``)."""

    sql: str
    params: Sequence[Any]
    parse: Callable[[list[tuple[Any, ...]]], T]


def sql_reads(reads: Sequence[Read[Any] | None]) -> list[Any]:
    """Run ``reads`` in order and return each one's parsed answer (None for a None read).

    On PostgreSQL they travel in one round trip (pipeline mode) and still run one after another, each with its
    own snapshot, so a read placed after a locking read sees the rows as they stand once the lock is held.
    """
    todo = [read for read in reads if read is not None]
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql" and len(todo) > 1:
        rows = _pipelined_rows(db, todo)
        answers = iter([read.parse(found) for read, found in zip(todo, rows, strict=True)])
    else:
        answers = iter([read.parse(sql_rows(read.sql, read.params)) for read in todo])
    return [None if read is None else next(answers) for read in reads]


def _pipelined_rows(db: BaseDatabaseWrapper, todo: Sequence[Read[Any]]) -> list[list[tuple[Any, ...]]]:
    make = _cursor_maker(db)
    cursors = [make() for _ in todo]
    try:
        # Leaving the block sends one Sync and takes in every answer; an explicit sync() would cost a
        # second round trip for the Sync the exit sends anyway.
        with db.wrap_database_errors:
            with db.connection.pipeline():
                for cursor, read in zip(cursors, todo, strict=True):
                    cursor.execute(read.sql, read.params)
            return [list(cursor.fetchall()) for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


@dataclass(frozen=True, slots=True)
class IdOf:
    """A column value that is the id of the row of ``table`` with this public id, looked up by the database.

    It lets a statement refer to a row written earlier in the same transaction without waiting for that
    INSERT's answer, which is what allows the writes of one sale to travel to PostgreSQL together.
    """

    table: str
    public_id: str


def sql_insert(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, returning_id: bool = False
) -> list[int]:
    """Insert ``rows`` in one statement; with ``returning_id`` the new ids, in order."""
    if not rows:
        return []
    placeholders, params = [], []
    for row in rows:
        marks = []
        for value in row:
            if isinstance(value, IdOf):
                marks.append(f"(SELECT id FROM {value.table} WHERE public_id = %s)")  # noqa: S608
                params.append(value.public_id)
            else:
                marks.append("%s")
                params.append(value)
        placeholders.append("(" + ", ".join(marks) + ")")
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join(placeholders)}"  # noqa: S608
    if not returning_id:
        sql_run(sql, params)
        return []
    return [int(row[0]) for row in sql_rows(sql + " RETURNING id", params)]


# Rows per multi-row INSERT in ``sql_insert_many`` on SQLite, whose statements take at most 32,766 parameters.
_INSERT_PARAMETERS_MAX = 30_000


def sql_insert_many(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows: COPY on PostgreSQL, multi-row INSERTs on SQLite. For bulk writers (an import); no
    ``IdOf`` values. psycopg spends longer parsing a statement of thousands of placeholders than PostgreSQL
    spends inserting its rows, and COPY has none."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    per_statement = max(1, _INSERT_PARAMETERS_MAX // len(columns))
    for at in range(0, len(rows), per_statement):
        sql_insert(table, columns, rows[at : at + per_statement])


def tables_analyze(*tables: str) -> None:
    """Refresh PostgreSQL's statistics of ``tables`` after a bulk write that changed their size many times over,
    so the next queries are planned for the rows they now hold (autovacuum would get there, minutes later).
    ANALYZE runs inside the caller's transaction and blocks no reads or writes; SQLite plans without it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


def sql_in(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """``column`` is one of ``values``, as SQL and its parameters: one array parameter on PostgreSQL
    (``= ANY(%s)``), a placeholder per value on SQLite; for lists of hundreds of ids."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


@contextmanager
def pipelined() -> Iterator[None]:
    """Send the statements inside without waiting for each one's answer (PostgreSQL's pipeline mode).

    Only for writes whose results nobody reads inside the block; a read inside still works but waits. An error
    in any statement surfaces when the block ends, as the usual Django exception, and the transaction fails.
    SQLite runs in-process with no round trips to save, so there the block is a plain block.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        yield
        return
    if getattr(_pipeline, "cursor", None) is not None or not _direct(db):
        db.ensure_connection()
        with db.wrap_database_errors, db.connection.pipeline():
            yield
        return
    with db.wrap_database_errors, db.connection.pipeline(), db.connection.cursor() as shared:
        _pipeline.cursor = shared
        try:
            yield
        finally:
            _pipeline.cursor = None


def db_datetime(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def db_json(value: Any) -> Any:
    """A value for a JSON column, encoded by orjson (a sale's receipt took 80 us with the json module)."""
    if connection.vendor == "postgresql":
        return Jsonb(value, dumps=_json_dumps)
    return _json_dumps(value).decode()


_django_json = DjangoJSONEncoder()


def _json_dumps(value: Any) -> bytes:
    # Datetimes, decimals, lazy translations and the rest come out as DjangoJSONEncoder writes them, as before.
    return orjson.dumps(value, default=_django_json.default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def json_from_db(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, (str, bytes, bytearray)) else value


def sql_json_object(pairs: Sequence[tuple[str, str]]) -> str:
    """SQL building a JSON object from (key, SQL expression) pairs, for set-based INSERT ... SELECT."""
    function = "json_build_object" if connection.vendor == "postgresql" else "json_object"
    return f"{function}(" + ", ".join(f"'{key}', {expr}" for key, expr in pairs) + ")"


def sql_json_param() -> str:
    """A placeholder for JSON text going into a JSON column from a SELECT list."""
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def for_update() -> str:
    """The row-lock clause where the backend has row locks (SQLite's IMMEDIATE transaction locks everything)."""
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def columns_of(model: type[Model], alias: str) -> str:
    return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)


M = TypeVar("M", bound=Model)


def model_from_row(row: Sequence[Any], model: type[M]) -> M:
    """One model instance from a row selected with ``columns_of``."""
    instance = models_from_row(row, model)[0]
    assert isinstance(instance, model)
    return instance


def models_from_row(row: Sequence[Any], *models: type[Model]) -> list[Model]:
    """Split a row selected with ``columns_of`` for each model, in order, into model instances.

    Values pass through the same converters the ORM applies (aware datetimes on SQLite, JSON decoding).
    """
    instances: list[Model] = []
    start = 0
    for model in models:
        converters = _converters(model, connection.vendor)
        values = list(row[start : start + len(converters)])
        for index, (column, functions) in enumerate(converters):
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        fields = [f.attname for f in model._meta.concrete_fields]
        instances.append(model.from_db(connection.alias, fields, values))
        start += len(converters)
    return instances


@cache
def _converters(model: type[Model], vendor: str) -> list[tuple[Any, list[Any]]]:
    result = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        result.append((column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)))
    return result
