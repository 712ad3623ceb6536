"""One row of a purchase-history file: checked field by field into an ``ImportLine``, or the errors it has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from tessera.checkout.imports.columns import ColumnMap
from tessera.checkout.imports.values import (
    datetime_read,
    decimal_read,
    identifier_read,
    minor_read,
    unit_price_from_amount,
    whole_read,
)
from tessera.checkout.services.lines import QUANTITY_MAX
from tessera.kit.money import AMOUNT_MINOR_MAX

SALE_WORDS = frozenset({"sale", "sales", "销售", "銷售", "판매"})
RETURN_WORDS = frozenset({"return", "returns", "refund", "退货", "退貨", "반품"})
TEXT_LIMITS = {"invoice": 64, "customer": 64, "card": 32, "phone": 32, "customer_name": 100, "sku": 64,
               "name": 200, "brand": 100, "category": 100, "store": 32}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str  # the file's header, or "" where the problem is the whole file or invoice
    message: str

    def text(self) -> str:
        if not self.column:
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row, "column": self.column, "message": self.message,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class CustomerKey:
    """Who bought, as the file names them: the previous system's id, a Tessera card number, a phone number."""

    ref: str = ""
    card: str = ""
    phone: str = ""

    def __bool__(self) -> bool:
        return bool(self.ref or self.card or self.phone)

    def label(self) -> str:
        return self.ref or self.card or self.phone


@dataclass(frozen=True, slots=True)
class ImportLine:
    row: int
    invoice: str
    store: str  # a store code, or "" for the import's store
    customer: CustomerKey
    customer_name: str
    when: datetime  # naive unless the file gave an offset
    is_return: bool
    sku: str
    name: str
    brand: str
    category: str
    quantity: int  # always positive; ``is_return`` carries the direction
    unit_price_minor: int
    discount_minor: int
    amount_minor: int
    rounded: bool = False


@dataclass(frozen=True, slots=True)
class ReadOptions:
    currency: str
    exponent: int
    date_format: str | None = None
    decimal_comma: bool = False
    round_prices: bool = False


class RowReader:
    """Reads rows of one file; remembers dates already parsed, since an invoice's rows repeat its date."""

    def __init__(self, columns: ColumnMap, options: ReadOptions) -> None:
        self.columns = columns
        self.options = options
        self._dates: dict[str, datetime | None] = {}

    def read(self, row: int, cells: list[str]) -> tuple[ImportLine | None, list[RowError]]:
        """The row's line, or its errors; (None, []) for a row without a customer (a guest's), skipped."""
        r = _Row(self, row, cells)
        customer = CustomerKey(r.ident("customer"), r.ident("card"), r.text("phone"))
        if not customer:
            return None, []
        line = r.line(customer)
        return (None, r.errors) if r.errors or line is None else (line, [])

    def date(self, text: str) -> datetime | None:
        if text not in self._dates:
            self._dates[text] = datetime_read(text, self.options.date_format)
        return self._dates[text]


class _Row:
    """The cells of one row and the errors found reading them."""

    def __init__(self, reader: RowReader, row: int, cells: list[str]) -> None:
        self.reader, self.row, self.cells = reader, row, cells
        self.errors: list[RowError] = []

    def raw(self, field: str) -> str:
        i = self.reader.columns.index.get(field)
        return self.cells[i].strip() if i is not None and i < len(self.cells) else ""

    def fail(self, field: str, message: str) -> None:
        column = self.reader.columns.header(field) if field in self.reader.columns.index else ""
        self.errors.append(RowError(self.row, column, message))

    def text(self, field: str) -> str:
        value = self.raw(field)
        limit = TEXT_LIMITS.get(field)
        if limit is not None and len(value) > limit:
            self.fail(field, _("at most %(count)s characters") % {"count": limit})
        return value

    def ident(self, field: str) -> str:
        return identifier_read(self.text(field))

    def line(self, customer: CustomerKey) -> ImportLine | None:
        invoice = self.ident("invoice")
        if not invoice:
            self.fail("invoice", _("the invoice number is missing"))
        when, quantity = self.when(), self.quantity()
        sku, name = self.text("sku"), self.text("name")
        if not sku and not name:
            self.fail("sku" if "sku" in self.reader.columns.index else "name", _("the item has no code and no name"))
        self.currency()
        is_return = self.is_return(quantity)
        prices = self.prices(abs(quantity) if quantity else 0, quantity < 0 if quantity else False)
        if self.errors or when is None or not quantity or is_return is None or prices is None:
            return None
        unit, discount, amount, rounded = prices
        return ImportLine(
            row=self.row, invoice=invoice, store=self.text("store"), customer=customer,
            customer_name=self.text("customer_name"), when=when, is_return=is_return, sku=sku or name[:64],
            name=name or sku, brand=self.text("brand"), category=self.text("category"), quantity=abs(quantity),
            unit_price_minor=unit, discount_minor=discount, amount_minor=amount, rounded=rounded,
        )  # fmt: skip

    def when(self) -> datetime | None:
        text = self.raw("event_at")
        found = self.reader.date(text) if text else None
        fmt = self.reader.options.date_format
        if found is None and fmt:
            self.fail("event_at", _("not a date in the format %(format)s") % {"format": fmt})
        elif found is None:
            example = "--date-format '%d/%m/%Y %H:%M'"
            self.fail("event_at", _("not a date; give its format, e.g. %(example)s") % {"example": example})
        return found

    def number(self, field: str) -> Decimal | None:
        text = self.raw(field)
        if not text:
            return None
        value = decimal_read(text, decimal_comma=self.reader.options.decimal_comma)
        if value is None:
            self.fail(field, _("not a number"))
        return value

    def quantity(self) -> int:
        value = self.number("quantity")
        count = whole_read(value) if value is not None else None
        if value is not None and count is None:
            self.fail("quantity", _("the quantity must be a whole number"))
        elif value is None and not self.raw("quantity"):
            self.fail("quantity", _("the quantity is missing"))
        elif count == 0:
            self.fail("quantity", _("the quantity is 0"))
        elif count is not None and abs(count) > QUANTITY_MAX:
            self.fail("quantity", _("the quantity is above %(max)s") % {"max": f"{QUANTITY_MAX:,}"})
        return count or 0

    def is_return(self, quantity: int) -> bool | None:
        word = self.raw("kind").casefold()
        if not word:
            return quantity < 0
        if word in SALE_WORDS and quantity < 0:
            self.fail("quantity", _("a sale cannot have a negative quantity"))
        if word in SALE_WORDS or word in RETURN_WORDS:
            return word in RETURN_WORDS
        self.fail("kind", _("not sale or return"))
        return None

    def currency(self) -> None:
        given, expected = self.raw("currency").upper(), self.reader.options.currency
        if given and given != expected:
            self.fail("currency", _("this row is in %(given)s; the programme keeps its books in %(expected)s")
                      % {"given": given, "expected": expected})  # fmt: skip

    def money(self, field: str, *, negative_ok: bool) -> tuple[int, bool] | None:
        value = self.number(field)
        if value is None:
            return None
        o = self.reader.options
        found = minor_read(abs(value), o.exponent, round_half_up=o.round_prices)
        if found is None:
            self.fail(field, _("more decimal places than %(currency)s has (%(digits)s); --round-prices rounds them")
                      % {"currency": o.currency, "digits": o.exponent})  # fmt: skip
        elif value < 0 and not negative_ok:
            self.fail(field, _("the price is negative") if field == "unit_price" else _("the amount is negative"))
        elif found[0] > AMOUNT_MINOR_MAX:
            self.fail(field, _("the amount is too large"))
        return found

    def prices(self, quantity: int, negative: bool) -> tuple[int, int, int, bool] | None:
        """(unit price, discount, amount, rounded) in minor units, from a unit price, an amount or both."""
        unit = self.money("unit_price", negative_ok=False)
        amount = self.money("amount", negative_ok=negative)
        if unit is None and amount is None:
            if not self.errors:
                self.fail("unit_price" if "unit_price" in self.reader.columns.index else "amount",
                          _("the price is missing"))  # fmt: skip
            return None
        if self.errors or not quantity:
            return None
        if unit is None:
            assert amount is not None
            price = unit_price_from_amount(amount[0], quantity)
            return price, price * quantity - amount[0], amount[0], amount[1]
        gross = unit[0] * quantity
        if gross > AMOUNT_MINOR_MAX:
            self.fail("unit_price", _("the amount is too large"))
            return None
        if amount is None:
            return unit[0], 0, gross, unit[1]
        if amount[0] > gross:
            self.fail("amount", _("the amount is more than quantity × unit price"))
            return None
        return unit[0], gross - amount[0], amount[0], unit[1] or amount[1]
