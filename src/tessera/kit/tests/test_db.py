"""Reads sent together: answers in order, each parsed, and on PostgreSQL one round trip for all of them."""

from __future__ import annotations

import pytest

from tessera.kit.db import Read, sql_reads, use_case
from tessera.testing import protocol_messages, round_trips

pytestmark = pytest.mark.django_db


def numbers(*values: int) -> Read[list[int]]:
    union = " UNION ALL ".join(["SELECT %s"] * len(values))
    return Read(f"SELECT * FROM ({union}) t ORDER BY 1", list(values), lambda rows: [int(r[0]) for r in rows])


def test_each_read_gets_its_own_answer_in_order_and_a_missing_read_answers_none():
    with use_case():
        answers = sql_reads([numbers(3, 1), None, numbers(7), Read("SELECT 1 WHERE 1 = 0", [], lambda rows: rows)])
    assert answers == [[1, 3], None, [7], []]


def test_no_reads_no_answers():
    assert sql_reads([None]) == [None]
    assert sql_reads([]) == []


@pytest.mark.postgres_only
def test_on_postgresql_the_reads_travel_in_one_round_trip():
    with use_case(), protocol_messages() as sent:
        answers = sql_reads([numbers(1), numbers(2), numbers(3)])
    assert answers == [[1], [2], [3]]
    # Three statements and one Sync: the client waits for the server once, not three times.
    assert sent.count("Execute") == 3
    assert round_trips(sent) == 1


@pytest.mark.postgres_only
def test_a_failing_read_surfaces_as_a_database_error_and_fails_the_transaction():
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), use_case():
        sql_reads([numbers(1), Read("SELECT 1 / 0", [], lambda rows: rows)])
