"""``tessera import transactions`` as an operator runs it: the summary, the errors, the exit code."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from tessera.checkout.models import Document
from tessera.checkout.tests.test_import_transactions import HISTORY, counts, write
from tessera.ledger.verify import ledger_verify
from tessera.testing import world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return world_build()


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "transactions", *map(str, args), stdout=out, stderr=err)
    return dict(line.split(": ", 1) for line in out.getvalue().splitlines()), err.getvalue()


def test_imports_and_prints_a_summary_of_key_value_lines(world, tmp_path):
    summary, errors = command(write(tmp_path, HISTORY), "--program", world.program.public_id, "--create-members")
    assert errors == ""
    assert summary["result"] == "imported"
    assert summary["batch"].startswith("imp_")
    assert {k: summary[k] for k in ("rows", "guest rows skipped", "invoices", "sales", "returns", "lines",
                                    "members created", "errors")} == {
        "rows": "6", "guest rows skipped": "1", "invoices": "4", "sales": "3", "returns": "1", "lines": "5",
        "members created": "2", "errors": "0",
    }  # fmt: skip
    assert summary["currency"] == "CNY: amounts in the file are read in the programme's currency"
    assert summary["columns ignored"] == "Country"
    assert ledger_verify() == []


def test_maps_columns_and_reads_day_first_dates(world, tmp_path):
    text = 'Beleg,Kunde,Datum,Artikel,Menge,Preis\nB-7,K1,24.12.2025 17:45,Stollen,1,"12,90"\n'
    summary, _ = command(
        write(tmp_path, text), "--program", world.program.public_id, "--create-members", "--decimal-comma",
        "--date-format", "%d.%m.%Y %H:%M", "--map", "invoice=Beleg", "--map", "customer=Kunde",
        "--map", "event_at=Datum", "--map", "name=Artikel", "--map", "quantity=Menge", "--map", "unit_price=Preis",
    )  # fmt: skip
    assert summary["result"] == "imported"
    assert Document.objects.get(pos_number="B-7").total_minor == 1290


def test_a_dry_run_prints_what_it_would_do(world, tmp_path):
    before = counts()
    summary, _ = command(write(tmp_path, HISTORY), "--program", world.program.public_id, "--create-members",
                         "--dry-run")  # fmt: skip
    assert (summary["result"], summary["invoices"], summary["batch"]) == ("dry run: nothing was written", "4", "-")
    assert counts() == before


def test_errors_go_to_stderr_row_by_row_and_the_exit_code_is_1(world, tmp_path):
    bad = HISTORY.replace("A101,SKU1,Mug,cups,1,", "A101,SKU1,Mug,cups,0,")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import", "transactions", str(write(tmp_path, bad)), "--program", world.program.public_id,
                     stdout=out, stderr=err)  # fmt: skip
    assert failed.value.returncode == 1
    assert "result: refused: nothing was written" in out.getvalue()
    assert err.getvalue().splitlines()[:2] == [
        "row 2, column CustomerID: no member of the programme is C1; --create-members creates one",
        "row 3, column CustomerID: no member of the programme is C1; --create-members creates one",
    ]
    assert "row 4, column Quantity: the quantity is 0" in err.getvalue()


def test_running_it_again_says_nothing_is_new(world, tmp_path):
    path = write(tmp_path, HISTORY)
    command(path, "--program", world.program.public_id, "--create-members")
    summary, _ = command(path, "--program", world.program.public_id, "--create-members")
    assert (summary["result"], summary["already imported"], summary["invoices"]) == (
        "nothing new: every invoice in the file was imported before", "4", "0",
    )  # fmt: skip


def test_a_programme_that_does_not_exist_exits_with_2(tmp_path):
    with pytest.raises(CommandError) as failed:
        command(write(tmp_path, HISTORY), "--program", "prg_nobody")
    assert (failed.value.returncode, str(failed.value)) == (2, "No programme has the id prg_nobody.")


def test_a_malformed_map_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="--map takes FIELD=COLUMN"):
        command(write(tmp_path, HISTORY), "--program", world.program.public_id, "--map", "customer")


def test_the_tessera_command_line_knows_it():
    # ``tessera import ...`` is Django's command line (tessera.cli), which finds the command in checkout; running
    # it through ``main`` here would close the test's database connection on the way out.
    assert get_commands()["import"] == "tessera.checkout"
