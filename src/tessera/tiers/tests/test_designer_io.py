"""Reading an uploaded spending distribution: the salon's file, histograms, XLSX, and every bad row reported."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from tessera.tiers import designer_io
from tessera.tiers.designer_io import SpendFileInvalid, spends_read
from tessera.tiers.tests.designer_data import salon_spends

SALON_CSV = Path(__file__).parent / "data" / "salon_spend.csv"


def read(text: str | bytes, *, currency: str = "CNY", exponent: int = 2):
    raw = text.encode() if isinstance(text, str) else text
    return spends_read(raw, currency=currency, exponent=exponent)


def problems(text: str | bytes, **kwargs) -> list[str]:
    with pytest.raises(SpendFileInvalid) as caught:
        read(text, **kwargs)
    return caught.value.problems


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_salon_file_holds_the_seed_members_one_row_each():
    table = read(SALON_CSV.read_bytes())
    assert (table.rows, table.format, table.histogram) == (1000, "csv", False)
    assert sorted(table.spends_minor) == salon_spends()
    assert max(table.spends_minor) == 400_000  # the seed's "maximum spend around 4,000" yuan, in fen
    assert table.spends_minor.count(0) == 100


def test_a_histogram_with_chinese_headers_counts_each_level_that_many_times():
    table = read('消费金额,人数\n0,100\n"1,500.50",3\n4000,1\n')
    assert table.histogram
    assert table.spends_minor == [0] * 100 + [150_050] * 3 + [400_000]


def test_korean_headers_and_other_columns_are_read_or_ignored():
    table = read("회원번호;소비금액;비고\nA1;1200;vip\nA2;0;\n")
    assert table.spends_minor == [120_000, 0]


def test_an_xlsx_workbook_and_a_gzipped_csv_read_alike():
    workbook = read(xlsx([["Member", "Spend"], ["A", 1500], ["B", 99.5], ["C", 0]]))
    assert (workbook.format, workbook.spends_minor) == ("xlsx", [150_000, 9_950, 0])
    zipped = read(gzip.compress(b"spend\n1500\n99.50\n0\n"))
    assert zipped.spends_minor == workbook.spends_minor


def test_every_bad_row_is_reported_with_its_line_and_column_and_nothing_is_returned():
    found = problems("member,spend\nA,100\nB,abc\nC,-5\nD,1.234\n\nE,\nF,99999999999999\n")
    assert found == [
        "row 3, column spend: not an amount",
        "row 4, column spend: the spend is negative; count a net refund as 0",
        "row 5, column spend: more decimal places than CNY has (2)",
        "row 7, column spend: the spend is missing",  # the blank line 6 is no row
        "row 8, column spend: the amount is too large",
    ]


def test_a_currency_without_minor_units_refuses_fractions():
    assert problems("spend\n1500.5\n", currency="KRW", exponent=0) == [
        "row 2, column spend: more decimal places than KRW has (0)"
    ]
    assert read("spend\n1500\n", currency="KRW", exponent=0).spends_minor == [1500]


def test_bad_member_counts_in_a_histogram():
    found = problems("spend,members\n100,abc\n100,-1\n100,\n100,1.5\n100,2\n")
    assert found == [
        "row 2, column members: the member count must be a whole number, 0 or more",
        "row 3, column members: the member count must be a whole number, 0 or more",
        "row 4, column members: the member count is missing",
        "row 5, column members: the member count must be a whole number, 0 or more",
    ]


def test_a_file_without_a_spend_column_or_without_headers_says_so():
    assert problems("member,value\nA,1\n") == [
        "no column holds the spend; name it spend (消费金额, 소비금액), and members for a histogram"
    ]
    assert problems("100\n200\n") == ["the first row must name the columns, e.g. spend (or members, for a histogram)"]


def test_empty_files_and_files_without_members_are_refused():
    assert problems("") == ["the file is empty"]
    assert problems("spend\n") == ["the file holds no member"]
    assert problems("spend,members\n100,0\n") == ["the file holds no member"]


def test_size_rows_and_members_are_limited(monkeypatch):
    assert problems(b"spend\n" + b"1\n" * (designer_io.UPLOAD_BYTES_MAX // 2)) == [
        "the file is 5.0 MB, more than the 5 MB allowed"
    ]
    monkeypatch.setattr(designer_io, "ROWS_MAX", 3)
    assert problems("spend\n1\n2\n3\n4\n") == ["the file has more than 3 rows"]
    monkeypatch.setattr(designer_io, "MEMBERS_MAX", 10)
    assert problems("spend,members\n1,6\n2,6\n") == ["the file counts 12 members, more than the 10 allowed"]


def test_many_bad_rows_are_summarised():
    found = problems("spend\n" + "x\n" * 30)
    assert len(found) == designer_io.PROBLEMS_SHOWN_MAX + 1
    assert found[0] == "row 2, column spend: not an amount"
    assert found[-1] == "and 10 more problems"


def test_a_broken_workbook_or_undecodable_text_is_unreadable():
    [problem] = problems(b"PK\x03\x04 not really a workbook")
    assert problem.startswith("the file cannot be read as CSV or XLSX (not a readable XLSX workbook")
    [problem] = problems(b"spend\n\xff\xfe\xfa\n")
    assert problem.startswith("the file cannot be read as CSV or XLSX (the file is not text")


def test_the_refusal_is_a_coded_domain_error_listing_the_rows():
    with pytest.raises(SpendFileInvalid) as caught:
        read("spend\nabc\n")
    assert caught.value.code == "spend_file_invalid"
    assert caught.value.text() == "The spending file was not accepted: row 2, column spend: not an amount"
