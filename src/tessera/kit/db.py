"""Database helpers shared by every area: the transaction boundary and backend differences."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Generic, TypeVar

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model


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
    """Execute one statement; returns the number of rows it changed."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def sql_rows(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


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
    if connection.vendor == "postgresql" and len(todo) > 1:
        connection.ensure_connection()
        cursors = [connection.cursor() for _ in todo]
        try:
            # Leaving the block sends one Sync and takes in every answer; an explicit sync() would cost a
            # second round trip for the Sync the exit sends anyway.
            with connection.wrap_database_errors:
                with connection.connection.pipeline():
                    for cursor, read in zip(cursors, todo, strict=True):
                        cursor.execute(read.sql, read.params)
                rows = [list(cursor.fetchall()) for cursor in cursors]
        finally:
            for cursor in cursors:
                cursor.close()
        answers = iter([read.parse(found) for read, found in zip(todo, rows, strict=True)])
    else:
        answers = iter([read.parse(sql_rows(read.sql, read.params)) for read in todo])
    return [None if read is None else next(answers) for read in reads]


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


@contextmanager
def pipelined() -> Iterator[None]:
    """Send the statements inside without waiting for each one's answer (PostgreSQL's pipeline mode).

    Only for writes whose results nobody reads inside the block; a read inside still works but waits. An error
    in any statement surfaces when the block ends, as the usual Django exception, and the transaction fails.
    SQLite runs in-process with no round trips to save, so there the block is a plain block.
    """
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def db_datetime(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def db_json(value: Any) -> Any:
    return connection.ops.adapt_json_value(value, DjangoJSONEncoder)


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
