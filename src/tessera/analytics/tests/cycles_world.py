"""Hand-made purchase histories for the cycle, affinity and recommendation tests, recorded through the purchase
history importer (``transactions_import``), as a merchant brings its till history: imported sales and returns
with SKUs and categories, at any past local time, members created from the file."""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from tessera.checkout.services.imports import ImportRequest, transactions_import
from tessera.kit.clock import now as clock_now
from tessera.members.models import Member
from tessera.testing import World

START = date(2026, 6, 1)
_invoices = itertools.count(1)


@dataclass(frozen=True)
class Buy:
    """``who`` bought ``quantity`` of ``sku`` (in ``category``) on day ``day`` after START at ``clock`` local time
    of the store; a negative quantity is a return."""

    who: str
    day: int
    sku: str
    category: str
    quantity: int = 1
    clock: str = "12:00"
    price: str = "10.00"
    store: str = ""


def local(day: int, clock: str = "12:00") -> str:
    return datetime.combine(START + timedelta(days=day), time.fromisoformat(clock)).isoformat(sep=" ")


def history_import(world: World, buys: list[Buy], tmp_path: Path, *, store: str | None = None) -> dict[str, Member]:
    """Record ``buys`` (one invoice each) for the programme; the members by their customer reference."""
    path = tmp_path / f"history-{next(_invoices)}.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["InvoiceNo", "CustomerID", "CustomerName", "InvoiceDate", "StockCode", "Description",
                         "Category", "Quantity", "UnitPrice", "Store"])  # fmt: skip
        for buy in buys:
            number = f"{'C' if buy.quantity < 0 else ''}INV{next(_invoices)}"
            writer.writerow([number, buy.who, f"Member {buy.who}", local(buy.day, buy.clock), buy.sku,
                             f"Item {buy.sku}", buy.category, buy.quantity, buy.price, buy.store])  # fmt: skip
    code = store or world.a.store.code
    request = ImportRequest(path=path, program=world.program.public_id, store=code, create_members=True)
    report = transactions_import(request=request, now=clock_now())
    assert report.errors == [], report.errors
    return {m.external_ref: m for m in Member.objects.filter(program=world.program).select_related("program")}
