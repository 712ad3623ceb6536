"""A closed period as tables for people: CSV (one table) and XLSX (a sheet per table), headers translated.

Money is written as decimal amounts in the period's currency (``1234.50``; KRW has no decimals), so a
spreadsheet adds them up; points stay whole numbers. Rows follow the store codes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from tessera.kit.money import Money
from tessera.settlement.models import Obligation, StoreStatement
from tessera.settlement.models import Transfer as TransferRow
from tessera.settlement.selectors import PeriodView

Cell = str | int | Decimal


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # also the sheet's name and the CSV's file name part
    headers: list[str]
    rows: list[list[Cell]]


# Statement columns: (field, header, is money).
STATEMENT_COLUMNS: list[tuple[str, str | Promise, bool]] = [
    ("principal_opening_minor", _("principal held at the start"), True),
    ("principal_taken_in_minor", _("principal taken in"), True),
    ("principal_paid_back_minor", _("principal paid back"), True),
    ("principal_spent_here_minor", _("principal spent here"), True),
    ("principal_receivable_minor", _("other stores' principal spent here"), True),
    ("principal_payable_minor", _("this store's principal spent elsewhere"), True),
    ("principal_closing_minor", _("principal held at the end"), True),
    ("bonus_opening_minor", _("bonus held at the start"), True),
    ("bonus_granted_minor", _("bonus granted"), True),
    ("bonus_taken_back_minor", _("bonus taken back"), True),
    ("bonus_spent_here_minor", _("bonus spent here"), True),
    ("bonus_receivable_minor", _("other stores' bonus spent here"), True),
    ("bonus_payable_minor", _("this store's bonus spent elsewhere"), True),
    ("bonus_closing_minor", _("bonus held at the end"), True),
    ("points_issued", _("points issued"), False),
    ("points_redeemed_here", _("points redeemed here"), False),
    ("points_receivable", _("other stores' points redeemed here"), False),
    ("points_payable", _("this store's points redeemed elsewhere"), False),
    ("points_expired", _("points expired unspent"), False),
    ("points_expired_minor", _("value of the points expired"), True),
    ("receivable_minor", _("owed to this store"), True),
    ("payable_minor", _("owed by this store"), True),
    ("adjustments_minor", _("adjustments"), True),
    ("net_minor", _("net: to receive (+) or pay (-)"), True),
]


def _amount(currency: str) -> Callable[[int], Decimal]:
    return lambda minor: Money(minor, currency).as_decimal()


def statements_table(view: PeriodView) -> Table:
    money = _amount(view.period.currency)
    headers = [str(_("store code")), str(_("store name"))] + [str(h) for _f, h, _m in STATEMENT_COLUMNS]

    def row(s: StoreStatement) -> list[Cell]:
        values = [money(getattr(s, f)) if is_money else int(getattr(s, f)) for f, _h, is_money in STATEMENT_COLUMNS]
        return [s.store.code, s.store.name, *values]

    return Table("statements", headers, [row(s) for s in view.statements])


def obligations_table(view: PeriodView) -> Table:
    money = _amount(view.period.currency)
    headers = [str(h) for h in (_("owed by"), _("owed to"), _("principal"), _("bonus at face value"),
                                _("bonus at the settlement rate"), _("points"), _("points at the point value"),
                                _("adjustments"), _("total"))]  # fmt: skip

    def row(o: Obligation) -> list[Cell]:
        return [o.debtor.code, o.creditor.code, money(o.principal_minor), money(o.bonus_face_minor),
                money(o.bonus_minor), int(o.points), money(o.points_minor), money(o.adjustments_minor),
                money(o.total_minor)]  # fmt: skip

    return Table("obligations", headers, [row(o) for o in view.obligations])


def transfers_table(view: PeriodView) -> Table:
    money = _amount(view.period.currency)
    headers = [str(_("payer")), str(_("payee")), str(_("amount"))]

    def row(t: TransferRow) -> list[Cell]:
        return [t.payer.code, t.payee.code, money(t.amount_minor)]

    return Table("transfers", headers, [row(t) for t in view.transfers])


def merchants_table(view: PeriodView) -> Table:
    money = _amount(view.period.currency)
    labels = (_("merchant"), _("owed to this merchant"), _("owed by this merchant"), _("commission paid"),
              _("commission earned"), _("net: to receive (+) or pay (-)"), _("points expired unspent"),
              _("value of the points expired"))  # fmt: skip
    headers = [str(h) for h in labels]
    rows: list[list[Cell]] = [
        [m.merchant.name, money(m.owed_to_minor), money(m.owed_by_minor), money(m.commission_paid_minor),
         money(m.commission_earned_minor), money(m.net_minor), int(m.points_expired),
         money(m.points_expired_minor)] for m in view.merchants
    ]  # fmt: skip
    return Table("merchants", headers, rows)


def merchant_transfers_table(view: PeriodView) -> Table:
    money = _amount(view.period.currency)
    headers = [str(_("payer")), str(_("payee")), str(_("amount"))]
    rows: list[list[Cell]] = [[t.payer.name, t.payee.name, money(t.amount_minor)] for t in view.merchant_transfers]
    return Table("merchant_transfers", headers, rows)


TABLES: dict[str, Callable[[PeriodView], Table]] = {
    "statements": statements_table,
    "obligations": obligations_table,
    "transfers": transfers_table,
    "merchants": merchants_table,
    "merchant_transfers": merchant_transfers_table,
}


def csv_bytes(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, which spreadsheet programs need to read Chinese and Korean correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    writer.writerows([[_csv_cell(c) for c in row] for row in table.rows])
    return ("\ufeff" + out.getvalue()).encode()


def _csv_cell(cell: Cell) -> str:
    text = str(cell)
    # A cell a spreadsheet would run as a formula is written as text (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "@") or (text[:1] == "-" and not _is_number(text)) else text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def xlsx_bytes(tables: Sequence[Table], *, title: str) -> bytes:
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.name)
        sheet.append(table.headers)
        for row in table.rows:
            sheet.append(list(row))
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # text that looks like a formula stays text (spreadsheet injection)
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_file(view: PeriodView, *, fmt: str, table: str = "statements") -> tuple[bytes, str, str]:
    """The month as a download: (body, content type, file name); ``fmt`` "csv" gives ``table`` alone, else XLSX."""
    name = f"settlement-{view.period.year:04d}-{view.period.month:02d}"
    if fmt == "csv":
        return csv_bytes(TABLES[table](view)), "text/csv; charset=utf-8", f"{name}-{table}.csv"
    return xlsx_bytes(period_tables(view), title=name), XLSX, f"{name}.xlsx"


def period_tables(view: PeriodView) -> list[Table]:
    """Every table of the period; the merchant tables only where several merchants share the card."""
    names = list(TABLES) if len(view.merchants) > 1 else ["statements", "obligations", "transfers"]
    return [TABLES[name](view) for name in names]
