# mypy: disallow-untyped-defs, disallow-incomplete-defs, disallow-any-generics, warn-return-any, strict-equality
"""Reading an uploaded spending distribution for the ladder designer: a CSV or XLSX file, one row per member or a
histogram, into the spends ``designer.ladder_evaluate`` takes.

Two shapes are read, told apart by their headers:

- **one row per member**: a spend column (``spend``, ``消费金额``, ``소비금액``...; other columns, such as a member
  id, are ignored), each row one member, zero spenders included;
- **a histogram**: a spend column and a member-count column (``members``, ``人数``, ``회원수``...), each row
  that many members spending that amount.

Amounts are in major units of the programme's currency, as people write them (``1,234.50``); more decimal places
than the currency has are refused, never rounded. A bad row is reported with its line number (the header is row 1,
as a spreadsheet shows it) and its column, and nothing of the file is used: the caller gets every problem or a
complete list of spends. Nothing is stored; the file lives only for the request. The table reader is the one the
purchase-history import uses (``kit.tables``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tessera.kit.errors import Invalid
from tessera.kit.money import AMOUNT_MINOR_MAX
from tessera.kit.tables import TableUnreadable, table_open

UPLOAD_BYTES_MAX = 5 * 1024 * 1024  # 5 MB: a year's spend per member of a 200,000-member programme
ROWS_MAX = 200_000
MEMBERS_MAX = 2_000_000  # a histogram's rows may stand for many members each, but not without end
PROBLEMS_SHOWN_MAX = 20

# Headers compare without case, spaces, underscores, hyphens and dots.
SPEND_HEADERS = ("spend", "netspend", "amount", "total", "yearlyspend", "spending",
                 "消费", "消费金额", "消费额", "金额", "消費", "消費金額", "消費額", "金額",
                 "소비", "소비금액", "구매금액", "금액", "사용금액")  # fmt: skip
COUNT_HEADERS = ("members", "membercount", "count", "customers", "numberofmembers", "会员数", "人数", "会员人数",
                 "會員數", "人數", "會員人數", "회원수", "인원", "인원수")  # fmt: skip


class SpendFileInvalid(Invalid):
    code = "spend_file_invalid"
    message = _("The spending file was not accepted: %(reason)s")

    def __init__(self, *, problems: list[str]) -> None:
        shown = problems[:PROBLEMS_SHOWN_MAX]
        if len(problems) > len(shown):
            more = len(problems) - len(shown)
            shown.append(gettext("and %(count)s more problems") % {"count": f"{more:,}"})
        super().__init__(reason="; ".join(shown), problems=shown)
        self.problems = shown


@dataclass(frozen=True, slots=True)
class SpendTable:
    spends_minor: list[int]  # one per member, in file order
    rows: int  # data rows read
    format: str  # "csv" or "xlsx"
    histogram: bool


def header_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch not in " _-.\u3000")


def spends_read(raw: bytes, *, currency: str, exponent: int) -> SpendTable:
    """The spends in ``raw``, a CSV (plain or gzip) or XLSX file, amounts in major units of ``currency``.

    :raises SpendFileInvalid: the file is too large, unreadable, lacks a spend column, has no rows or too many,
        or any row is bad; every problem found is listed.
    """
    if len(raw) > UPLOAD_BYTES_MAX:
        raise SpendFileInvalid(problems=[_too_large(len(raw))])
    if not raw.strip():
        raise SpendFileInvalid(problems=[gettext("the file is empty")])
    with tempfile.TemporaryDirectory() as folder:  # the table reader opens paths; the file goes with the request
        path = Path(folder) / "spend"
        path.write_bytes(raw)
        try:
            table = table_open(path)
            return _read(table.headers, table.rows, table.format, currency=currency, exponent=exponent)
        except TableUnreadable as exc:
            raise SpendFileInvalid(problems=[_unreadable(exc.reason)]) from exc


def _too_large(size: int) -> str:
    limit = f"{UPLOAD_BYTES_MAX // (1024 * 1024)} MB"
    return gettext("the file is %(size)s, more than the %(limit)s allowed") % {
        "size": f"{size / (1024 * 1024):.1f} MB", "limit": limit,
    }  # fmt: skip


def _unreadable(reason: str) -> str:
    return gettext("the file cannot be read as CSV or XLSX (%(reason)s)") % {"reason": reason}


def _read(
    headers: list[str], rows: Iterator[tuple[int, list[str]]], fmt: str, *, currency: str, exponent: int
) -> SpendTable:
    keys = [header_key(h) for h in headers]
    spend_at = next((keys.index(k) for k in SPEND_HEADERS if k in keys), None)
    count_at = next((keys.index(k) for k in COUNT_HEADERS if k in keys), None)
    if spend_at is None:
        raise SpendFileInvalid(problems=[_no_spend_column(headers)])
    reader = _Rows(headers, spend_at, count_at, currency, exponent)
    for number, cells in rows:
        if reader.count >= ROWS_MAX:
            raise SpendFileInvalid(problems=[gettext("the file has more than %(max)s rows") % {"max": f"{ROWS_MAX:,}"}])
        reader.read(number, cells)
    if reader.members > MEMBERS_MAX:
        reader.problems.append(
            gettext("the file counts %(count)s members, more than the %(max)s allowed")
            % {"count": f"{reader.members:,}", "max": f"{MEMBERS_MAX:,}"}
        )
    if reader.problems:
        raise SpendFileInvalid(problems=reader.problems)
    if not reader.members:
        raise SpendFileInvalid(problems=[gettext("the file holds no member")])
    spends = [spend for spend, members in reader.levels for _member in range(members)]
    return SpendTable(spends, reader.count, fmt, count_at is not None)


def _no_spend_column(headers: list[str]) -> str:
    if headers and all(_number(h) is not None for h in headers if h):
        return gettext("the first row must name the columns, e.g. spend (or members, for a histogram)")
    return gettext("no column holds the spend; name it spend (消费金额, 소비금액), and members for a histogram")


def _number(text: str) -> Decimal | None:
    cleaned = text.strip().replace(",", "").replace(" ", "")
    if not cleaned or cleaned.count(".") > 1:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class _Rows:
    """The levels read so far, as (spend, members) pairs, and the problems found, each with its row and column."""

    def __init__(self, headers: list[str], spend_at: int, count_at: int | None, currency: str, exponent: int) -> None:
        self.headers, self.spend_at, self.count_at = headers, spend_at, count_at
        self.currency, self.exponent = currency, exponent
        self.levels: list[tuple[int, int]] = []
        self.problems: list[str] = []
        self.count = self.members = 0

    def fail(self, row: int, at: int, message: str) -> None:
        values = {"row": row, "column": self.headers[at], "message": message}
        self.problems.append(gettext("row %(row)s, column %(column)s: %(message)s") % values)

    def read(self, row: int, cells: list[str]) -> None:
        self.count += 1
        spend = self.spend(row, cells[self.spend_at] if self.spend_at < len(cells) else "")
        members = 1 if self.count_at is None else self.members_of(row, cells)
        if spend is not None and members is not None:
            self.levels.append((spend, members))
            self.members += members

    def spend(self, row: int, text: str) -> int | None:
        if not text.strip():
            self.fail(row, self.spend_at, gettext("the spend is missing"))
            return None
        value = _number(text)
        if value is None:
            self.fail(row, self.spend_at, gettext("not an amount"))
            return None
        minor = value.scaleb(self.exponent)
        if value < 0:
            self.fail(row, self.spend_at, gettext("the spend is negative; count a net refund as 0"))
        elif minor != minor.to_integral_value():
            values = {"currency": self.currency, "digits": self.exponent}
            self.fail(row, self.spend_at, gettext("more decimal places than %(currency)s has (%(digits)s)") % values)
        elif minor > AMOUNT_MINOR_MAX:
            self.fail(row, self.spend_at, gettext("the amount is too large"))
        else:
            return int(minor)
        return None

    def members_of(self, row: int, cells: list[str]) -> int | None:
        assert self.count_at is not None
        text = cells[self.count_at] if self.count_at < len(cells) else ""
        value = _number(text)
        if not text.strip():
            self.fail(row, self.count_at, gettext("the member count is missing"))
        elif value is None or value != value.to_integral_value() or value < 0:
            self.fail(row, self.count_at, gettext("the member count must be a whole number, 0 or more"))
        elif value > MEMBERS_MAX:
            self.fail(row, self.count_at, gettext("the member count is above %(max)s") % {"max": f"{MEMBERS_MAX:,}"})
        else:
            return int(value)
        return None
