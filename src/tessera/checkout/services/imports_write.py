"""Writing an import's documents, lines and running statistics in batches, inside the import's one transaction.

Documents go in by COPY on PostgreSQL and multi-row INSERTs on SQLite (``sql_insert_many``), and their ids are
read back by public id; the statistics are then added per batch of documents by two set-based statements
computed from the rows just written, so they equal what the documents say. Nothing here posts: imported
history moves no value.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from tessera.checkout.imports.invoices import Invoice
from tessera.checkout.models import Document, DocumentLine
from tessera.checkout.services.lines import LINE_COLUMNS
from tessera.kit.db import assert_in_transaction, db_datetime, db_json, sql_in, sql_insert_many, sql_rows
from tessera.kit.ids import new_public_id
from tessera.members.stats import member_category_stats_add_select, member_stats_add_select

DOCUMENTS_PER_BATCH = 2000
_DOCS = Document._meta.db_table
_LINES = DocumentLine._meta.db_table
_DOCUMENT_COLUMNS = [
    "public_id", "kind", "program_id", "store_id", "terminal_id", "staff_id", "member_id", "pos_number",
    "original_id", "currency", "total_minor", "points", "sv_principal_minor", "sv_bonus_minor", "fingerprint",
    "posting_id", "receipt", "event_at", "created_at",
]  # fmt: skip
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Placed:
    """An invoice ready to write: where and whose it is."""

    invoice: Invoice
    store_id: int
    member_id: int


@dataclass(frozen=True, slots=True)
class Batch:
    """What every document of one import shares."""

    batch_id: str
    program_id: int
    currency: str
    source: str  # the file's name, for the receipt
    now: datetime


def documents_write(placed: Sequence[Placed], batch: Batch) -> list[int]:
    """Insert the documents and their lines; returns the new documents' ids."""
    assert_in_transaction()
    ids: list[int] = []
    for chunk in _chunks(placed, DOCUMENTS_PER_BATCH):
        public_ids = [new_public_id("doc") for _ in chunk]
        rows = [_document_row(p, pid, batch) for p, pid in zip(chunk, public_ids, strict=True)]
        sql_insert_many(_DOCS, _DOCUMENT_COLUMNS, rows)
        where, params = sql_in("public_id", public_ids)
        by_public = dict(sql_rows(f"SELECT public_id, id FROM {_DOCS} WHERE {where}", params))  # noqa: S608
        chunk_ids = [int(by_public[pid]) for pid in public_ids]
        _lines_write(chunk, chunk_ids)
        ids += chunk_ids
    return ids


def _document_row(p: Placed, public_id: str, batch: Batch) -> list[Any]:
    invoice = p.invoice
    source = {"batch_id": batch.batch_id, "source": batch.source, "rows": invoice.row_ranges()}
    receipt = {"document_id": public_id, "kind": invoice.kind, "pos_number": invoice.number,
               "currency": batch.currency, "total_minor": invoice.total_minor, "posting_id": None,
               "event_at": invoice.event_at.isoformat(), "recorded_at": batch.now.isoformat(),
               "import": source}  # fmt: skip
    return [public_id, invoice.kind, batch.program_id, p.store_id, None, None, p.member_id, invoice.number, None,
            batch.currency, invoice.total_minor, 0, 0, 0, invoice.fingerprint(), None, db_json(receipt),
            db_datetime(invoice.event_at), db_datetime(batch.now)]  # fmt: skip


def _lines_write(chunk: Sequence[Placed], document_ids: Sequence[int]) -> None:
    rows = [
        [document_id, no, ln.sku, ln.name, ln.brand, ln.category, ln.quantity, ln.unit_price_minor, ln.discount_minor,
         ln.amount_minor, 0, 0, None]
        for p, document_id in zip(chunk, document_ids, strict=True)
        for no, ln in enumerate(p.invoice.lines, start=1)
    ]  # fmt: skip
    sql_insert_many(_LINES, LINE_COLUMNS, rows)


def stats_add(document_ids: Sequence[int]) -> None:
    """Add the documents to their members' running statistics, per batch, as the till's sales and returns would:
    a sale counts a purchase, its items, its value and its categories; a return its items and value back."""
    assert_in_transaction()
    sale, ret = Document.Kind.IMPORTED_SALE.value, Document.Kind.IMPORTED_RETURN.value
    for chunk in _chunks(document_ids, DOCUMENTS_PER_BATCH):
        in_lines, line_ids = sql_in("document_id", chunk)
        in_documents, ids = sql_in("d.id", chunk)
        in_ids, _ = sql_in("id", chunk)
        member_stats_add_select(
            "SELECT d.member_id AS member_id,"  # noqa: S608
            " SUM(CASE WHEN d.kind = %s THEN 1 ELSE 0 END) AS purchases,"
            " SUM(CASE WHEN d.kind = %s THEN 1 ELSE 0 END) AS returns,"
            " SUM(CASE WHEN d.kind = %s THEN q.items ELSE 0 END) AS items_bought,"
            " SUM(CASE WHEN d.kind = %s THEN q.items ELSE 0 END) AS items_returned,"
            " SUM(CASE WHEN d.kind = %s THEN d.total_minor ELSE 0 END) AS spend_minor,"
            " SUM(CASE WHEN d.kind = %s THEN d.total_minor ELSE 0 END) AS refund_minor,"
            " MIN(CASE WHEN d.kind = %s THEN d.event_at END) AS first_at,"
            " MAX(CASE WHEN d.kind = %s THEN d.event_at END) AS last_at,"
            # The batch's second newest sale per member: the purchase before the last (members.stats).
            " MAX(CASE WHEN d.kind = %s AND d.newest = 2 THEN d.event_at END) AS previous_at"
            " FROM (SELECT id, member_id, kind, total_minor, event_at, ROW_NUMBER() OVER (PARTITION BY member_id,"
            f" kind ORDER BY event_at DESC, id DESC) AS newest FROM {_DOCS} WHERE {in_ids}) d"
            f" JOIN (SELECT document_id, SUM(quantity) AS items FROM {_LINES}"
            f" WHERE {in_lines} GROUP BY document_id) q ON q.document_id = d.id"
            " GROUP BY d.member_id",
            [sale, ret, sale, ret, sale, ret, sale, sale, sale, *ids, *line_ids],
        )
        member_category_stats_add_select(
            "SELECT d.member_id AS member_id, l.category AS category,"  # noqa: S608
            " COUNT(DISTINCT CASE WHEN d.kind = %s THEN d.id END) AS purchases,"
            " SUM(CASE WHEN d.kind = %s THEN l.quantity ELSE -l.quantity END) AS quantity,"
            " SUM(CASE WHEN d.kind = %s THEN l.amount_minor ELSE -l.amount_minor END) AS spend_minor,"
            " MIN(CASE WHEN d.kind = %s THEN d.event_at END) AS first_at,"
            " MAX(CASE WHEN d.kind = %s THEN d.event_at END) AS last_at"
            f" FROM {_DOCS} d JOIN {_LINES} l ON l.document_id = d.id"
            f" WHERE {in_documents} AND l.category <> '' GROUP BY d.member_id, l.category",
            [sale, sale, sale, sale, sale, *ids],
        )


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
