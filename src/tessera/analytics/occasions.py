"""Members' purchases read from their documents, net of returns: what purchase cycles and recommendations see.

Every kind of purchase history counts: till sales and returns, and history imported from another system
(``imported_sale`` / ``imported_return``, ADR 0019). A till return names the lines it takes back; an imported
return names nothing, so it takes back the member's latest earlier purchase of the same SKU that still has
something left. A purchase whose whole quantity went back is no purchase at all: it is left out, so a
returned pair of shoes does not make the member "due" for shoes.

Reads are bounded: a member's last ``HISTORY_DAYS`` days and at most ``HISTORY_LINES_MAX`` lines (one query, on
the documents' (member, time) index); a store's list reads its own members' last ``HISTORY_DAYS`` days as a
stream, one member at a time. Whose purchases a viewer may see follows the member history rules (issue 5): a
partner merchant without the member's consent sees only its own stores' documents (``merchant_id``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import QuerySet

from tessera.checkout.models import Document, DocumentLine
from tessera.members.models import Member

HISTORY_DAYS = 730
HISTORY_LINES_MAX = 5_000
SALE_KINDS = (Document.Kind.SALE, Document.Kind.IMPORTED_SALE)
HISTORY_KINDS = (*SALE_KINDS, Document.Kind.RETURN, Document.Kind.IMPORTED_RETURN)
_COLUMNS = (
    "document__member_id", "document_id", "document__kind", "document__event_at", "sku", "name", "category",
    "quantity", "amount_minor", "original_line__document_id", "document__store__merchant_id",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class HistoryLine:
    member_id: int
    document_id: int
    kind: str
    at: datetime
    sku: str
    name: str
    category: str
    quantity: int
    amount_minor: int
    original_document_id: int | None  # the sale a till return took the line back from
    merchant_id: int  # whose store recorded it


@dataclass(frozen=True, slots=True)
class Purchase:
    """One sale's net purchase of one SKU (quantity and amount after returns, both above zero)."""

    document_id: int
    at: datetime
    sku: str
    name: str
    category: str
    quantity: int
    amount_minor: int


def _rows(lines: QuerySet[DocumentLine]) -> Iterator[HistoryLine]:
    for row in lines.values_list(*_COLUMNS):
        yield HistoryLine(*row)


def _visible(lines: QuerySet[DocumentLine], merchant_id: int | None) -> QuerySet[DocumentLine]:
    return lines if merchant_id is None else lines.filter(document__store__merchant_id=merchant_id)


def member_history_lines(
    *, member_id: int, now: datetime, merchant_id: int | None = None, limit: int = HISTORY_LINES_MAX
) -> list[HistoryLine]:
    """The member's lines of the last ``HISTORY_DAYS`` days (the most recent ``limit``), oldest first."""
    lines = DocumentLine.objects.filter(
        document__member_id=member_id,
        document__kind__in=HISTORY_KINDS,
        document__event_at__gte=now - timedelta(days=HISTORY_DAYS),
        document__event_at__lte=now,
    )
    newest = _visible(lines, merchant_id).order_by("-document__event_at", "-document_id", "-line_no")[:limit]
    return list(reversed(list(_rows(newest))))


def store_history_by_member(
    *, store_id: int, merchant_id: int, now: datetime
) -> Iterator[tuple[int, list[HistoryLine]]]:
    """(member id, the lines the store's merchant may see, oldest first) for each active member enrolled at the
    store, streamed in member order so only one member's lines are held at a time."""
    members = Member.objects.filter(enrolled_store_id=store_id, status=Member.Status.ACTIVE)
    scopes = {m: _scope(owner, shared, merchant_id) for m, owner, shared in
              members.values_list("id", "program__owner_id", "partners_may_see_history_since")}  # fmt: skip
    lines = DocumentLine.objects.filter(
        document__member_id__in=members.values("id"),
        document__kind__in=HISTORY_KINDS,
        document__event_at__gte=now - timedelta(days=HISTORY_DAYS),
        document__event_at__lte=now,
    ).order_by("document__member_id", "document__event_at", "document_id", "line_no")
    stream = (HistoryLine(*row) for row in lines.values_list(*_COLUMNS).iterator(chunk_size=2_000))
    for member_id, group in itertools.groupby(stream, key=lambda line: line.member_id):
        scope = scopes.get(member_id, merchant_id)
        yield member_id, [line for line in group if scope is None or line.merchant_id == scope]


def _scope(owner_id: int, shared_since: datetime | None, viewer_merchant_id: int) -> int | None:
    """As ``members.selectors.history_merchant_for``: everything for the owner or with consent, else own stores."""
    return None if viewer_merchant_id == owner_id or shared_since is not None else viewer_merchant_id


def net_purchases(lines: Iterable[HistoryLine]) -> list[Purchase]:
    """One member's purchases net of their returns, oldest first (``lines`` oldest first)."""
    bought: dict[tuple[int, str], Purchase] = {}
    for line in lines:
        if line.kind in SALE_KINDS:
            _add(bought, line)
        elif line.original_document_id is not None:
            _take_back(bought, (line.original_document_id, line.sku), line.quantity, line.amount_minor)
        else:
            _take_back_latest(bought, line)
    return [p for p in bought.values() if p.quantity > 0 and p.amount_minor >= 0]


def _add(bought: dict[tuple[int, str], Purchase], line: HistoryLine) -> None:
    key = (line.document_id, line.sku)
    if key in bought:  # the same SKU on two lines of one sale
        held = bought[key]
        bought[key] = replace(held, quantity=held.quantity + line.quantity,
                              amount_minor=held.amount_minor + line.amount_minor)  # fmt: skip
        return
    bought[key] = Purchase(line.document_id, line.at, line.sku, line.name, line.category, line.quantity,
                           line.amount_minor)  # fmt: skip


def _take_back(bought: dict[tuple[int, str], Purchase], key: tuple[int, str], quantity: int, amount: int) -> None:
    held = bought.get(key)
    if held is not None:  # a sale older than the window read is not here to net
        bought[key] = replace(held, quantity=held.quantity - quantity, amount_minor=held.amount_minor - amount)


def _take_back_latest(bought: dict[tuple[int, str], Purchase], line: HistoryLine) -> None:
    earlier = [key for key, p in bought.items() if p.sku == line.sku and p.at <= line.at and p.quantity > 0]
    if earlier:
        _take_back(bought, max(earlier, key=lambda key: bought[key].at), line.quantity, line.amount_minor)
