"""Stored-value reads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum

from tessera.ledger.models import AccountKind, Entry
from tessera.wallet.models import StoredValueProfile
from tessera.wallet.rules import Limits, custody_minor


def stored_value_limits_get(*, program_id: int) -> Limits | None:
    """The programme's stored-value limits, or None when it has no profile (no cap)."""
    row = (
        StoredValueProfile.objects.filter(program_id=program_id)
        .values_list("named_balance_max_minor", "anonymous_balance_max_minor", "top_up_max_minor", "custody_ratio_bp")
        .first()
    )
    return Limits(*row) if row else None


@dataclass(frozen=True, slots=True)
class LiabilityRow:
    """Stored value outstanding at one store (or, with ``store_code`` empty, one merchant), in one unit."""

    program_id: int
    merchant_id: int
    store_code: str
    unit: str
    principal_minor: int
    bonus_minor: int
    custody_minor: int | None  # per merchant only: the deposit the programme's profile asks for


_SIDE = {
    AccountKind.STORE_SV_PRINCIPAL_IN: "principal",
    AccountKind.STORE_SV_PRINCIPAL_OUT: "principal",
    AccountKind.STORE_SV_BONUS_IN: "bonus",
    AccountKind.STORE_SV_BONUS_OUT: "bonus",
}


def stored_value_liability_list() -> list[LiabilityRow]:
    """Principal and bonus outstanding per store and per merchant, from the store accounts' entries.

    A top-up credits the member and debits the store's ``*_in`` account; a spend debits the member and credits the
    store's ``*_out`` account. So what a store's members still hold from it is minus the sum of its four stored-value
    accounts, and the stores' figures add up to the members' balances. A store where more was spent than taken in
    shows a negative figure; the custody deposit is sized per merchant, where those cancel out.
    """
    sums = (
        Entry.objects.filter(account__kind__in=list(_SIDE), account__store__isnull=False)
        .values_list(
            "account__program_id", "account__store__merchant_id", "account__store__code", "unit", "account__kind"
        )
        .annotate(net=Sum("amount"))
        .order_by()
    )
    stores: dict[tuple[int, int, str, str], dict[str, int]] = defaultdict(lambda: {"principal": 0, "bonus": 0})
    for program_id, merchant_id, code, unit, kind, net in sums:
        stores[(program_id, merchant_id, code, unit)][_SIDE[kind]] -= net
    merchants: dict[tuple[int, int, str, str], dict[str, int]] = defaultdict(lambda: {"principal": 0, "bonus": 0})
    for (program_id, merchant_id, _code, unit), figures in stores.items():
        for side, amount in figures.items():
            merchants[(program_id, merchant_id, "", unit)][side] += amount
    ratios = dict(StoredValueProfile.objects.values_list("program_id", "custody_ratio_bp"))
    rows = [LiabilityRow(*key, f["principal"], f["bonus"], None) for key, f in sorted(stores.items())]
    for key, f in sorted(merchants.items()):
        ratio = ratios.get(key[0])
        custody = None if ratio is None else custody_minor(f["principal"] + f["bonus"], ratio)
        rows.append(LiabilityRow(*key, f["principal"], f["bonus"], custody))
    return rows
