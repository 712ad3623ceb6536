"""Reading a purchase-history file, without a database: numbers, dates, headers, rows and invoices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tessera.checkout.imports.columns import columns_map
from tessera.checkout.imports.invoices import invoices_group
from tessera.checkout.imports.rows import CustomerKey, ReadOptions, RowReader
from tessera.checkout.imports.values import (
    datetime_read,
    decimal_read,
    identifier_read,
    minor_read,
    unit_price_from_amount,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADERS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"]


class TestNumbers:
    @pytest.mark.parametrize(
        ("text", "comma", "expected"),
        [
            ("12.50", False, Decimal("12.50")),
            ("1,234.50", False, Decimal("1234.50")),
            ("-3", False, Decimal(-3)),
            ("6.0", False, Decimal("6.0")),
            ("12,50", True, Decimal("12.50")),
            ("1.234,50", True, Decimal("1234.50")),
            ("2,55", False, None),  # not 255: a comma groups three digits or it is not a number
            ("2.55", True, None),
            ("1e3", False, None),
            ("abc", False, None),
            ("", False, None),
        ],
    )
    def test_reads_numbers_as_people_write_them(self, text, comma, expected):
        assert decimal_read(text, decimal_comma=comma) == expected

    @pytest.mark.parametrize(
        ("value", "exponent", "rounding", "expected"),
        [
            ("2.55", 2, False, (255, False)),
            ("12000", 0, False, (12000, False)),
            ("0.001", 2, False, None),
            ("0.001", 2, True, (0, True)),
            ("0.005", 2, True, (1, True)),  # half up
            ("12.5", 0, True, (13, True)),
            ("12.5", 0, False, None),  # KRW has no minor digits
        ],
    )
    def test_converts_major_to_minor_units_exactly_or_not_at_all(self, value, exponent, rounding, expected):
        assert minor_read(Decimal(value), exponent, round_half_up=rounding) == expected

    def test_a_line_known_by_its_amount_gets_a_unit_price_rounded_up(self):
        # 3 for 10.00: 3.34 each, and the 0.02 left over is the line's discount.
        assert unit_price_from_amount(1000, 3) == 334

    def test_identifiers_lose_the_spreadsheet_point_zero(self):
        assert (identifier_read("17850.0"), identifier_read(" C-1 "), identifier_read("1.5")) == ("17850", "C-1", "1.5")


class TestDates:
    @pytest.mark.parametrize(
        "text",
        [
            "2011-12-09 12:50:00",
            "2011-12-09T12:50:00",
            "2011/12/09 12:50",
            "2011.12.09 12:50:00",
            "2011年12月09日 12:50",
        ],
    )
    def test_reads_year_first_dates_without_a_format(self, text):
        assert datetime_read(text) == datetime(2011, 12, 9, 12, 50)  # noqa: DTZ001

    def test_keeps_an_offset_the_file_gives(self):
        assert datetime_read("2011-12-09 12:50:00+09:00").utcoffset().total_seconds() == 9 * 3600

    def test_day_first_dates_need_their_format(self):
        assert datetime_read("9/12/2011 12:50") is None
        assert datetime_read("9/12/2011 12:50", "%d/%m/%Y %H:%M") == datetime(2011, 12, 9, 12, 50)  # noqa: DTZ001


class TestColumns:
    def test_recognises_the_online_retail_headers(self):
        columns, problems = columns_map([*HEADERS, "Country"], {})
        assert problems == []
        assert columns.header("customer") == "CustomerID"
        assert columns.header("event_at") == "InvoiceDate"
        assert columns.unmapped == ["Country"]

    @pytest.mark.parametrize(
        "headers",
        [
            ["单号", "会员卡号", "日期", "商品", "数量", "单价"],
            ["영수증번호", "회원번호", "날짜", "상품", "수량", "단가"],
        ],
    )
    def test_recognises_chinese_and_korean_headers(self, headers):
        columns, problems = columns_map(headers, {})
        assert problems == []
        assert [columns.header(f) for f in ("invoice", "customer", "event_at", "name", "quantity", "unit_price")] == (
            headers
        )

    def test_a_map_names_a_column_and_takes_it_from_the_defaults(self):
        columns, problems = columns_map(["Receipt", "Client", "When", "Item", "Qty", "Price"],
                                        {"customer": "client", "event_at": "When"})  # fmt: skip
        assert problems == []
        assert (columns.header("customer"), columns.header("event_at"), columns.header("invoice")) == (
            "Client", "When", "Receipt",
        )  # fmt: skip

    def test_says_which_fields_have_no_column_and_which_maps_are_wrong(self):
        _columns, problems = columns_map(["InvoiceNo", "Quantity"], {"colour": "Quantity", "sku": "Code"})
        text = " ".join(problems)
        assert "unknown field colour" in text
        assert "no column Code" in text
        assert "No column holds event_at" in text
        assert "No column holds unit_price, amount" in text


def _reader(headers=HEADERS, currency="CNY", exponent=2, **options):
    columns, problems = columns_map(headers, {})
    assert problems == []
    return RowReader(columns, ReadOptions(currency=currency, exponent=exponent, **options)), columns


class TestRows:
    def test_reads_a_row_into_a_line_in_minor_units(self):
        reader, _ = _reader()
        line, errors = reader.read(2, ["536365", "85123A", "HEART", "6.0", "2010-12-01 08:26:00", "2.55", "17850.0"])
        assert errors == []
        assert (line.invoice, line.customer, line.quantity, line.unit_price_minor, line.amount_minor) == (
            "536365", CustomerKey(ref="17850"), 6, 255, 1530,
        )  # fmt: skip
        assert not line.is_return

    def test_a_negative_quantity_is_a_return_of_that_many(self):
        reader, _ = _reader()
        line, _ = reader.read(2, ["C536379", "D", "Discount", "-1", "2010-12-01 09:41:00", "27.50", "14527"])
        assert (line.is_return, line.quantity, line.amount_minor) == (True, 1, 2750)

    def test_a_row_without_a_customer_is_a_guests_and_is_skipped_whatever_else_it_holds(self):
        reader, _ = _reader()
        assert reader.read(2, ["536414", "22139", "", "56", "not a date", "-1", ""]) == (None, [])

    def test_an_amount_below_quantity_times_price_is_a_discount(self):
        reader, _ = _reader(["单号", "会员卡号", "日期", "商品", "数量", "单价", "金额"])
        line, errors = reader.read(2, ["X1", "V1", "2025-01-01", "Tea", "3", "10.00", "27.00"])
        assert errors == []
        assert (line.unit_price_minor, line.discount_minor, line.amount_minor) == (1000, 300, 2700)

    def test_reports_each_bad_field_of_a_row_with_its_column(self):
        reader, _ = _reader()
        _line, errors = reader.read(7, ["", "S", "N", "0", "yesterday", "-2.00", "C1"])
        assert [(e.row, e.column) for e in errors] == [(7, "InvoiceNo"), (7, "InvoiceDate"), (7, "Quantity"),
                                                       (7, "UnitPrice")]  # fmt: skip
        assert errors[2].text() == "row 7, column Quantity: the quantity is 0"


class TestInvoices:
    def _lines(self, rows):
        reader, columns = _reader()
        lines = [reader.read(n, cells)[0] for n, cells in enumerate(rows, start=2)]
        return lines, columns

    def test_an_invoice_takes_its_earliest_time_when_its_rows_span_a_minute(self):
        lines, columns = self._lines([["536591", "A", "a", "1", "2010-12-01 16:57:00", "1", "14606"],
                                      ["536591", "B", "b", "1", "2010-12-01 16:58:00", "1", "14606"]])  # fmt: skip
        invoices, errors = invoices_group(lines, columns=columns, zone_of=lambda _: SHANGHAI,
                                          latest=datetime(2030, 1, 1, tzinfo=SHANGHAI))  # fmt: skip
        assert errors == []
        assert [(i.number, len(i.lines), i.event_at.isoformat()) for i in invoices] == [
            ("536591", 2, "2010-12-01T16:57:00+08:00")
        ]
        assert invoices[0].row_ranges() == [[2, 3]]

    def test_rows_of_one_invoice_must_agree_on_customer_day_and_direction(self):
        lines, columns = self._lines([
            ["A1", "S", "a", "1", "2025-01-01 10:00", "1", "C1"],
            ["A1", "S", "b", "1", "2025-01-01 10:00", "1", "C2"],
            ["A1", "S", "c", "1", "2025-01-02 10:00", "1", "C1"],
            ["A1", "S", "d", "-1", "2025-01-01 10:00", "1", "C1"],
            ["A2", "S", "e", "1", "2031-01-01 10:00", "1", "C1"],
        ])  # fmt: skip
        _invoices, errors = invoices_group(lines, columns=columns, zone_of=lambda _: SHANGHAI,
                                           latest=datetime(2030, 1, 1, tzinfo=SHANGHAI))  # fmt: skip
        assert [(e.row, e.column) for e in errors] == [(3, "CustomerID"), (4, "InvoiceDate"), (5, "Quantity"),
                                                       (6, "InvoiceDate")]  # fmt: skip
        assert "the date is in the future" in errors[3].message
