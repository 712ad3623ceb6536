"""``tessera import transactions``: a merchant's purchase history from another system (ADR 0019, docs/imports.md).

Every row is checked before anything is written: the file's rows, then the stores, the invoices, the members and
what earlier imports already recorded. With any error the import writes nothing; otherwise it writes everything
in one transaction, in batches. Imported documents carry no posting and move no points or stored value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings

from tessera.audit.services import audit_record
from tessera.checkout.errors import ImportFileUnreadable, ImportProgramNotFound
from tessera.checkout.imports.columns import ColumnMap, columns_map
from tessera.checkout.imports.invoices import Invoice, invoices_group
from tessera.checkout.imports.rows import ImportLine, ReadOptions, RowError, RowReader
from tessera.checkout.models import Document, DocumentLine
from tessera.checkout.services.imports_members import MemberPlan, members_plan
from tessera.checkout.services.imports_stores import ImportStores, already_imported
from tessera.checkout.services.imports_write import Batch, Placed, documents_write, stats_add
from tessera.kit.db import tables_analyze, use_case
from tessera.kit.ids import new_public_id
from tessera.kit.money import currency_exponent
from tessera.kit.tables import Table, TableUnreadable, table_open
from tessera.members.services import members_import_create
from tessera.programs.models import Program
from tessera.stores.selectors import headquarters_actor


@dataclass(frozen=True, slots=True)
class ImportRequest:
    path: Path
    program: str  # public id
    store: str | None = None  # the code of the store the history belongs to; default: headquarters
    mapping: dict[str, str] = field(default_factory=dict)  # field -> column header, from --map
    dry_run: bool = False
    create_members: bool = False
    date_format: str | None = None
    decimal_comma: bool = False
    round_prices: bool = False
    encoding: str | None = None


@dataclass
class ImportReport:
    """What an import found and did; ``summary`` prints it as ``key: value`` lines."""

    batch_id: str
    file: str
    program: str
    currency: str
    store: str
    written: bool = False
    rows: int = 0
    guest_rows: int = 0
    invoices: int = 0
    sales: int = 0
    returns: int = 0
    lines: int = 0
    already_imported: int = 0
    members_matched: int = 0
    members_created: int = 0
    prices_rounded: int = 0
    columns_ignored: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "guest_rows_skipped": self.guest_rows, "invoices": self.invoices,
                "sales": self.sales, "returns": self.returns, "lines": self.lines,
                "already_imported": self.already_imported, "members_matched": self.members_matched,
                "members_created": self.members_created, "prices_rounded": self.prices_rounded,
                "errors": len(self.errors)}  # fmt: skip


def transactions_import(*, request: ImportRequest, now: datetime) -> ImportReport:
    """Check every row of the file, then (unless ``dry_run`` or any error) record its invoices as imported
    documents, create the members it names when asked, and add it all to the members' statistics.

    :raises ImportProgramNotFound, ImportStoreNotFound, ImportCurrencyMismatch, ImportFileUnreadable: the import
        cannot start; row errors are in the report instead.
    """
    program = Program.objects.filter(public_id=request.program).first()
    if program is None:
        raise ImportProgramNotFound(program=request.program)
    stores = ImportStores(program, request.store)
    table = _table(request)
    report = ImportReport(new_public_id("imp"), request.path.name, program.public_id, program.currency,
                          stores.default.code)  # fmt: skip
    columns, problems = columns_map(table.headers, request.mapping)
    report.columns_ignored = columns.unmapped
    if problems:
        report.errors = [RowError(1, "", p) for p in problems]
        return report
    invoices = _invoices(table, columns, program, stores, request, report, now)
    plan = members_plan(program=program, invoices=invoices, columns=columns, create=request.create_members)
    report.errors += plan.errors
    new = _new_invoices(invoices, stores, report)
    _count(report, new, plan)
    # A file imported before, whole, writes nothing at all, not even an audit record: re-running is a no-op.
    if report.errors or request.dry_run or not (new or plan.new):
        return report
    _write(report, new, plan, program, stores, now)
    return report


def _table(request: ImportRequest) -> Table:
    try:
        return table_open(request.path, encoding=request.encoding)
    except TableUnreadable as exc:
        raise ImportFileUnreadable(reason=exc.reason) from exc


def _invoices(
    table: Table, columns: ColumnMap, program: Program, stores: ImportStores, request: ImportRequest,
    report: ImportReport, now: datetime,
) -> list[Invoice]:  # fmt: skip
    options = ReadOptions(currency=program.currency, exponent=currency_exponent(program.currency),
                          date_format=request.date_format, decimal_comma=request.decimal_comma,
                          round_prices=request.round_prices)  # fmt: skip
    lines = stores.known(_lines(RowReader(columns, options), table, report), columns, report.errors)
    latest = now + timedelta(seconds=settings.TESSERA_EVENT_FUTURE_SKEW_SECONDS)
    invoices, errors = invoices_group(lines, columns=columns, zone_of=stores.zone_of, latest=latest)
    report.errors += errors
    return invoices


def _lines(reader: RowReader, table: Table, report: ImportReport) -> Iterator[ImportLine]:
    for row, cells in table.rows:
        report.rows += 1
        line, errors = reader.read(row, cells)
        if errors:
            report.errors += errors
        elif line is None:
            report.guest_rows += 1
        else:
            report.prices_rounded += line.rounded
            yield line


def _new_invoices(invoices: list[Invoice], stores: ImportStores, report: ImportReport) -> list[Invoice]:
    """The invoices no earlier import recorded; an earlier one with other contents under the same number is an
    error, reported on the invoice's first row."""
    earlier = already_imported(invoices, stores)
    new = []
    for invoice in invoices:
        key = (stores.store_id(invoice.store), invoice.kind, invoice.number)
        if key not in earlier:
            new.append(invoice)
        elif earlier[key] == invoice.fingerprint():
            report.already_imported += 1
        else:
            report.errors.append(RowError(invoice.lines[0].row, "", stores.conflict_message(invoice)))
    return new


def _count(report: ImportReport, new: list[Invoice], plan: MemberPlan) -> None:
    report.invoices = len(new)
    report.returns = sum(invoice.is_return for invoice in new)
    report.sales = report.invoices - report.returns
    report.lines = sum(len(invoice.lines) for invoice in new)
    report.members_matched = plan.matched
    report.members_created = len(plan.new)
    report.errors.sort(key=lambda e: e.row)


def _write(
    report: ImportReport, new: list[Invoice], plan: MemberPlan, program: Program, stores: ImportStores,
    now: datetime,
) -> None:  # fmt: skip
    actor = headquarters_actor(merchant_id=program.owner_id, system="import")
    batch = Batch(report.batch_id, program.id, program.currency, report.file, now)
    with use_case():
        created = members_import_create(program=program, people=plan.new, store_id=stores.default.id, now=now)
        member_of = plan.member_ids(created)
        placed = [Placed(i, stores.store_id(i.store), member_of[i.customer]) for i in new]
        # Statistics last: their rows are what the till's sales also update, so they stay locked the shortest.
        stats_add(documents_write(placed, batch))
        # An import can multiply the documents a programme has; the next one (or a re-run) looks them up by number.
        tables_analyze(Document._meta.db_table, DocumentLine._meta.db_table)
        audit_record(actor=actor, action="import.transactions", object_type="import", object_id=report.batch_id,
                     now=now, details={"file": report.file, "store": report.store, **report.counts()})  # fmt: skip
    report.written = True
