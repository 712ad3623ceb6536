"""The stores an import's history belongs to, and what earlier imports already recorded at them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from tessera.checkout.errors import ImportCurrencyMismatch, ImportStoreNotFound
from tessera.checkout.imports.columns import ColumnMap
from tessera.checkout.imports.invoices import Invoice
from tessera.checkout.imports.rows import ImportLine, RowError
from tessera.checkout.models import IMPORTED_KINDS, Document
from tessera.kit.db import sql_in, sql_rows
from tessera.programs.models import Program
from tessera.stores.models import Store
from tessera.stores.selectors import headquarters_get

CHUNK = 1000


class ImportStores:
    """The programme's stores by code: those of every merchant taking part in it, the owner's first where two
    merchants use one code. Rows without a store belong to ``default``: the store named with --store, or the
    owner's headquarters."""

    def __init__(self, program: Program, default_code: str | None) -> None:
        self.program = program
        stores = Store.objects.filter(merchant__program_participations__program=program).order_by("id")
        self.by_code: dict[str, Store] = {}
        for store in sorted(stores, key=lambda s: s.merchant_id != program.owner_id):
            self.by_code.setdefault(store.code, store)
        if default_code:
            if default_code not in self.by_code:
                raise ImportStoreNotFound(store=default_code)
            self.default = self.by_code[default_code]
        else:
            self.default = headquarters_get(merchant_id=program.owner_id)
        self._check_currency(self.default)

    def get(self, code: str) -> Store | None:
        return self.by_code.get(code) if code else self.default

    def store_id(self, code: str) -> int:
        store = self.get(code)
        assert store is not None, "lines of unknown stores are refused by known()"
        return store.id

    def zone_of(self, code: str) -> ZoneInfo:
        store = self.get(code)
        return _zone(store.timezone if store else self.default.timezone)

    def known(self, lines: Iterable[ImportLine], columns: ColumnMap, errors: list[RowError]) -> Iterator[ImportLine]:
        """The lines whose store is the programme's and keeps its books in the programme's currency; an error for
        each other line."""
        column = columns.header("store") if "store" in columns.index else ""
        for line in lines:
            store = self.get(line.store)
            if store is None:
                errors.append(RowError(line.row, column, _("no store with the code %(store)s serves this programme")
                                       % {"store": line.store}))  # fmt: skip
            elif store.currency != self.program.currency:
                errors.append(RowError(line.row, column, ImportCurrencyMismatch(**self._currencies(store)).text()))
            else:
                yield line

    def conflict_message(self, invoice: Invoice) -> str:
        return _("invoice %(invoice)s was imported before at store %(store)s with other contents") % {
            "invoice": invoice.number, "store": (self.get(invoice.store) or self.default).code,
        }  # fmt: skip

    def _check_currency(self, store: Store) -> None:
        if store.currency != self.program.currency:
            raise ImportCurrencyMismatch(**self._currencies(store))

    def _currencies(self, store: Store) -> dict[str, str]:
        return {"store": store.code, "store_currency": store.currency, "currency": self.program.currency}


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def already_imported(invoices: Sequence[Invoice], stores: ImportStores) -> dict[tuple[int, str, str], str]:
    """Imported documents already recorded under these invoices' keys: (store id, kind, number) -> fingerprint."""
    numbers: dict[int, set[str]] = {}
    for invoice in invoices:
        numbers.setdefault(stores.store_id(invoice.store), set()).add(invoice.number)
    found: dict[tuple[int, str, str], str] = {}
    for store_id, its in numbers.items():
        ordered = sorted(its)
        for start in range(0, len(ordered), CHUNK):
            where, params = sql_in("pos_number", ordered[start : start + CHUNK])
            rows = sql_rows(
                f"SELECT kind, pos_number, fingerprint FROM {Document._meta.db_table}"  # noqa: S608
                f" WHERE store_id = %s AND kind IN (%s, %s) AND {where}",
                [store_id, *IMPORTED_KINDS, *params],
            )
            found.update(((store_id, k, n), f) for k, n, f in rows)
    return found
