"""The journal is append-only in the database, and `tessera ledger verify` catches every kind of damage (L-6)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tessera.ledger.models import Account, AccountKind, Entry, Posting
from tessera.ledger.verify import check_names, ledger_verify
from tessera.testing import member_new, sell, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold():
    world = world_build()
    member = member_new(world)
    sell(world.a, member, [(1, 10000)])
    return member


def sql(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entry SET amount = amount + 1",
        "DELETE FROM ledger_entry",
        "UPDATE ledger_posting SET reason = 'other'",
        "DELETE FROM ledger_posting",
        "UPDATE audit_auditrecord SET action = 'x'",
        "DELETE FROM audit_auditrecord",
    ],
)
def test_updates_and_deletes_of_journal_rows_are_refused(sold, statement):
    with pytest.raises(DatabaseError, match="append-only"):
        sql(statement)


def test_orm_queryset_delete_is_refused_too(sold):
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.all().delete()


@pytest.mark.postgres_only
def test_postgres_refuses_an_unbalanced_insert(sold):
    posting = Posting.objects.get(reason="sale")
    account = Account.objects.filter(member=sold, kind=AccountKind.MEMBER_POINTS).get()
    with pytest.raises(DatabaseError, match="sum to zero"):
        sql(
            "INSERT INTO ledger_entry (posting_id, account_id, unit, amount) VALUES (%s, %s, 'PTS', 5)",
            [posting.id, account.id],
        )


def test_the_balance_constraint_is_the_backstop_for_an_overdraft(sold):
    with pytest.raises(DatabaseError), transaction.atomic():
        Account.objects.filter(member=sold, kind=AccountKind.MEMBER_POINTS).update(balance=-1)


def test_verify_passes_on_a_healthy_ledger_and_lists_its_checks(sold, capsys):
    assert ledger_verify() == []
    call_command("ledger", "verify")
    assert f"ok ({len(check_names())} checks)" in capsys.readouterr().out


def test_verify_fails_loudly_on_a_tampered_cached_balance(sold):
    Account.objects.filter(member=sold, kind=AccountKind.MEMBER_POINTS).update(balance=99)
    violations = ledger_verify()
    assert {v.check for v in violations} == {
        "I3 cached balance equals the sum of entries",
        "I9 points balance equals the remaining points of the member's lots",
    }
    with pytest.raises(CommandError) as exc:
        call_command("ledger", "verify")
    assert exc.value.returncode == 1
    Account.objects.filter(member=sold, kind=AccountKind.MEMBER_POINTS).update(balance=100)  # for the autouse check


def test_verify_finds_an_unbalanced_posting_written_behind_the_guards(sold):
    if connection.vendor == "postgresql":
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks may be pending for ALTER TABLE
        sql("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_balance")
    posting = Posting.objects.get(reason="sale")
    store_account = Entry.objects.filter(posting=posting, account__store__isnull=False).get().account_id
    sql(
        "INSERT INTO ledger_entry (posting_id, account_id, unit, amount) VALUES (%s, %s, 'PTS', 7)",
        [posting.id, store_account],
    )
    checks = {v.check for v in ledger_verify()}
    assert "I1 posting balances per unit" in checks
    assert "I2 every programme and unit nets to zero" in checks
    with pytest.raises(CommandError):
        call_command("ledger", "verify")
    # Put the ledger right with a correcting entry, as an operator would, so the autouse check passes.
    sql(
        "INSERT INTO ledger_entry (posting_id, account_id, unit, amount) VALUES (%s, %s, 'PTS', -7)",
        [posting.id, store_account],
    )
    if connection.vendor == "postgresql":
        sql("SET CONSTRAINTS ALL IMMEDIATE")
        sql("ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_balance")


def test_verify_reports_missing_guards(sold):
    from tessera.ledger.guards import guards_drop, guards_install

    if connection.vendor != "sqlite":
        pytest.skip("dropping guards is a SQLite test-teardown tool")
    guards_drop(connection)
    assert any(v.check == "I6 journal is append-only" for v in ledger_verify())
    guards_install(connection)


def test_verify_finds_an_idempotency_key_whose_answer_is_lost(sold):
    from tessera.idempotency.models import IdempotencyRecord

    record = IdempotencyRecord.objects.get(operation="sale")
    assert record.response is None  # a sale's answer is its document's receipt
    assert record.answer_document
    IdempotencyRecord.objects.filter(id=record.id).update(answer_document="doc_gone")
    assert {v.check for v in ledger_verify()} == {"every idempotency key has its answer"}
    IdempotencyRecord.objects.filter(id=record.id).update(answer_document=record.answer_document)
    assert ledger_verify() == []
