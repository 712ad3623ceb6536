"""Reading a table of rows from a file people exported: CSV (plain or gzip-compressed) or an XLSX workbook.

Every cell comes out as text, as a person would read it in the file, so that callers parse numbers and dates
themselves with ``decimal`` and ``datetime`` and never see a spreadsheet's binary numbers. Row numbers are those
a spreadsheet shows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

# The encodings a merchant's export arrives in, tried in this order: a byte-order mark says UTF-8 outright;
# GB18030 is a superset of GBK and GB2312, what Chinese Windows tools write.
ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")
DELIMITERS = ",;\t|"
_SNIFF_CHARS = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_XLSX_MAGIC = b"PK\x03\x04"


class TableUnreadable(ValueError):
    """The file is not a table this module can read; ``reason`` says why, in English, for the caller to map."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (row number, cells as text), one pass only
    format: str  # "csv" or "xlsx"
    encoding: str = ""


def table_open(path: Path, *, encoding: str | None = None) -> Table:
    """Open ``path`` as a table: XLSX by its content, else CSV (gzip-compressed or not) in ``encoding`` or the first
    of ``ENCODINGS`` that decodes the whole file, with its delimiter sniffed.

    :raises TableUnreadable: missing file, undecodable text, or no header row.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TableUnreadable(str(exc)) from exc
    if raw.startswith(_XLSX_MAGIC):
        return _xlsx_open(raw)
    if raw.startswith(_GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise TableUnreadable(f"broken gzip file: {exc}") from exc
    text, used = _decode(raw, encoding)
    return _csv_open(text, used)


def _decode(raw: bytes, encoding: str | None) -> tuple[str, str]:
    for candidate in (encoding,) if encoding else ENCODINGS:
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
        except LookupError as exc:
            raise TableUnreadable(f"unknown encoding {candidate}") from exc
    raise TableUnreadable("the file is not text in " + ", ".join((encoding,) if encoding else ENCODINGS))


def _csv_open(text: str, encoding: str) -> Table:
    sample = text[:_SNIFF_CHARS]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","  # one column, or a sample the sniffer cannot decide on: the common case
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = next(reader, None)
    if not headers or not any(cell.strip() for cell in headers):
        raise TableUnreadable("the file has no header row")
    return Table([h.strip() for h in headers], _numbered(reader), "csv", encoding)


def _numbered(rows: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    for number, cells in enumerate(rows, start=2):
        if any(cell.strip() for cell in cells):  # blank lines are not rows
            yield number, cells


def _xlsx_open(raw: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise TableUnreadable(f"not a readable XLSX workbook: {exc}") from exc
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    headers = next(values, None)
    if not headers or not any(cell is not None for cell in headers):
        raise TableUnreadable("the first sheet has no header row")
    rows = ([cell_text(cell) for cell in row] for row in values)
    return Table([cell_text(h).strip() for h in headers], _numbered(rows), "xlsx")


def cell_text(value: Any) -> str:
    """A spreadsheet cell as text: dates in ISO form, numbers as their shortest exact decimal spelling (what
    Python's ``str`` gives, so a price typed 2.55 reads "2.55"), empty cells empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
