"""Reading tables people exported: CSV (gzip-compressed or not, UTF-8 or GB18030) and XLSX, cells as text; and the
bulk helpers an import writes with."""

from __future__ import annotations

import gzip
from datetime import datetime

import pytest
from openpyxl import Workbook

from tessera.kit.db import sql_in, sql_insert_many, sql_rows
from tessera.kit.tables import TableUnreadable, table_open
from tessera.stores.models import Merchant


class TestFiles:
    def test_reads_gzip_csv_with_a_sniffed_delimiter(self, tmp_path):
        path = tmp_path / "h.csv.gz"
        path.write_bytes(gzip.compress(b"a;b\n1;2\n\n3;4\n"))
        table = table_open(path)
        assert (table.headers, list(table.rows)) == (["a", "b"], [(2, ["1", "2"]), (4, ["3", "4"])])

    def test_reads_gb18030_when_the_file_is_not_utf8(self, tmp_path):
        path = tmp_path / "h.csv"
        path.write_bytes("单号,商品\n1,茶\n".encode("gb18030"))
        table = table_open(path)
        assert (table.encoding, table.headers, list(table.rows)) == ("gb18030", ["单号", "商品"], [(2, ["1", "茶"])])

    def test_reads_an_xlsx_first_sheet_as_text(self, tmp_path):
        book = Workbook()
        sheet = book.active
        sheet.append(["单号", "数量", "单价", "日期"])
        sheet.append(["X1", 2, 12.5, datetime(2025, 1, 2, 9, 30)])  # noqa: DTZ001
        book.save(tmp_path / "h.xlsx")
        table = table_open(tmp_path / "h.xlsx")
        assert list(table.rows) == [(2, ["X1", "2", "12.5", "2025-01-02 09:30:00"])]

    def test_refuses_a_file_without_a_header(self, tmp_path):
        (tmp_path / "empty.csv").write_text("\n")
        with pytest.raises(TableUnreadable):
            table_open(tmp_path / "empty.csv")


@pytest.mark.django_db
def test_inserts_many_rows_and_finds_them_by_a_list():
    rows = [[f"mch_bulk{i:022d}", f"Merchant {i}", "CN", "Asia/Shanghai", "CNY", datetime.now().astimezone()]
            for i in range(2500)]  # fmt: skip
    sql_insert_many(Merchant._meta.db_table, ["public_id", "name", "country", "timezone", "currency", "created_at"],
                    rows)  # fmt: skip
    where, params = sql_in("public_id", [r[0] for r in rows[:1500]])
    assert sql_rows(f"SELECT COUNT(*) FROM {Merchant._meta.db_table} WHERE {where}", params) == [(1500,)]
