"""Lines grouped into invoices, the documents an import records, and the checks that need a whole invoice."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from tessera.checkout.imports.columns import ColumnMap
from tessera.checkout.imports.rows import CustomerKey, ImportLine, RowError
from tessera.checkout.models import Document
from tessera.kit.fingerprint import fingerprint


@dataclass(slots=True)
class Invoice:
    store: str  # code as in the file, "" for the import's store
    number: str
    is_return: bool
    customer: CustomerKey
    customer_name: str
    event_at: datetime  # aware: the earliest time on its rows (a till stamps each line as it prints)
    day: date  # the local date all its rows share
    lines: list[ImportLine] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return Document.Kind.IMPORTED_RETURN if self.is_return else Document.Kind.IMPORTED_SALE

    @property
    def total_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)

    def row_ranges(self) -> list[list[int]]:
        """The file rows it came from, as [first, last] runs: what its receipt records of the import."""
        runs: list[list[int]] = []
        for row in sorted(line.row for line in self.lines):
            if runs and runs[-1][1] == row - 1:
                runs[-1][1] = row
            else:
                runs.append([row, row])
        return runs

    def fingerprint(self) -> str:
        """What makes a second import of the same invoice the same: its customer, time and lines."""
        body = {
            "customer": [self.customer.ref, self.customer.card, self.customer.phone],
            "event_at": self.event_at.isoformat(),
            "lines": [[ln.sku, ln.name, ln.brand, ln.category, ln.quantity, ln.unit_price_minor, ln.discount_minor,
                       ln.amount_minor] for ln in self.lines],
        }  # fmt: skip
        return fingerprint(operation=self.kind, body=body)


def invoices_group(
    lines: Iterable[ImportLine], *, columns: ColumnMap, zone_of: Callable[[str], ZoneInfo], latest: datetime
) -> tuple[list[Invoice], list[RowError]]:
    """Group lines by (store, invoice number), in file order; every row must agree with its invoice's first row
    on the customer, the store's local date, and whether it is a sale or a return. Times after ``latest`` are
    refused: history cannot be in the future."""
    invoices: dict[tuple[str, str], Invoice] = {}
    errors: list[RowError] = []
    for line in lines:
        zone = zone_of(line.store)
        at = line.when if line.when.tzinfo is not None else line.when.replace(tzinfo=zone)
        if at > latest:
            errors.append(RowError(line.row, _header(columns, "event_at"), _("the date is in the future")))
            continue
        invoice = invoices.get((line.store, line.invoice))
        if invoice is None:
            invoice = Invoice(line.store, line.invoice, line.is_return, line.customer, line.customer_name, at,
                              at.astimezone(zone).date())  # fmt: skip
            invoices[(line.store, line.invoice)] = invoice
        problem = _disagreement(invoice, line, at.astimezone(zone).date(), columns)
        if problem is not None:
            errors.append(problem)
            continue
        invoice.event_at = min(invoice.event_at, at)
        invoice.lines.append(line)
    return list(invoices.values()), errors


def _disagreement(invoice: Invoice, line: ImportLine, day: date, columns: ColumnMap) -> RowError | None:
    first = invoice.lines[0].row if invoice.lines else line.row
    values = {"invoice": invoice.number, "row": first}
    field_: str
    if line.customer != invoice.customer:
        field_ = next(f for f in ("customer", "card", "phone") if f in columns.index)
        message = _("invoice %(invoice)s is another customer's on row %(row)s") % values
    elif day != invoice.day:
        field_, message = "event_at", _("invoice %(invoice)s has another date on row %(row)s") % values
    elif line.is_return != invoice.is_return:
        field_ = "kind" if "kind" in columns.index else "quantity"
        message = _("invoice %(invoice)s is a sale on one row and a return on another (row %(row)s)") % values
    else:
        return None
    return RowError(line.row, _header(columns, field_), message)


def _header(columns: ColumnMap, field_: str) -> str:
    return columns.header(field_) if field_ in columns.index else ""
