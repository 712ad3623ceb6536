"""Stored-value reads."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Min, Sum
from django.db.models.functions import Coalesce

from tessera.kit.db import Read
from tessera.ledger.models import AccountKind, Entry
from tessera.members.models import Member
from tessera.programs.rules import top_up_bonus
from tessera.programs.selectors import top_up_bands
from tessera.stores.models import Alliance, Store
from tessera.wallet.models import StoredValueLot, StoredValueProfile, TopUpBonusGrant, TopUpBonusRule
from tessera.wallet.rules import BonusRule, Limits, bonus_rule_pick, custody_minor


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
    ``*_out`` account of the store where it happened, naming the store whose money it was (ADR 0017). So what
    members still hold from a store is minus the sum of the stored-value entries whose value came from it,
    wherever they were written; it equals what the lots hold from that store (verify check W3), and the stores'
    figures add up to the members' balances.
    """
    sums = (
        Entry.objects.filter(account__kind__in=list(_SIDE), account__store__isnull=False)
        .annotate(holder=Coalesce("origin_store_id", "account__store_id"))
        .values_list("account__program_id", "holder", "unit", "account__kind")
        .annotate(net=Sum("amount"))
        .order_by()
    )
    stores: dict[tuple[int, int, str, str], dict[str, int]] = defaultdict(lambda: {"principal": 0, "bonus": 0})
    where = {s.id: (s.merchant_id, s.code) for s in Store.objects.only("id", "merchant_id", "code")}
    for program_id, holder, unit, kind, net in sums:
        merchant_id, code = where[holder]
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


def bonus_rules_get(*, program_id: int) -> list[BonusRule]:
    """The programme's switched-on top-up bonus rules (empty: it uses the simple bands)."""
    fields = [f.name for f in dataclasses.fields(BonusRule)]
    rows = TopUpBonusRule.objects.filter(program_id=program_id, is_active=True).values(*fields)
    return [BonusRule(**row) for row in rows]


def bonus_received_read(*, member_id: int) -> Read[dict[int, int]]:
    """How many top-ups of this member received each rule's bonus, for the per-member limits (read under lock)."""
    return Read(
        f"SELECT rule_id, COUNT(*) FROM {TopUpBonusGrant._meta.db_table} WHERE member_id = %s GROUP BY rule_id",  # noqa: S608
        [member_id],
        lambda rows: {r[0]: r[1] for r in rows},
    )


@dataclass(frozen=True, slots=True)
class TopUpBonus:
    """What one top-up earns on top of its principal, and the rule that gave it (None: a band, or nothing)."""

    minor: int = 0
    points: int = 0
    coupon_template_id: int | None = None
    coupon_count: int = 0
    gift: str = ""
    rule: BonusRule | None = None

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule.name if self.rule else "", "bonus_minor": self.minor, "bonus_points": self.points,
                "gift": self.gift}  # fmt: skip


def top_up_bonus_get(*, program_id: int, amount_minor: int, at: datetime, received: dict[int, int]) -> TopUpBonus:
    """The bonus a top-up earns: from the programme's rules if it has any, else from its simple bands."""
    rules = bonus_rules_get(program_id=program_id)
    if not rules:
        return TopUpBonus(minor=top_up_bonus(amount_minor, top_up_bands(program_id=program_id)))
    rule = bonus_rule_pick(rules, amount_minor=amount_minor, at=at, received=received)
    if rule is None:
        return TopUpBonus()
    count = rule.coupon_count if rule.coupon_template_id else 0
    return TopUpBonus(minor=rule.bonus_minor, points=rule.bonus_points, coupon_template_id=rule.coupon_template_id,
                      coupon_count=count, gift=rule.gift, rule=rule)  # fmt: skip


def sv_spent_unrestored(*, posting_ids: list[int], store_id: int) -> dict[str, list[tuple[int, int]]]:
    """What a sale's postings (the sale and its returns so far) left spent of stored value at ``store_id``, per
    kind ("principal", "bonus") and origin store, first spent first: what a further return gives back, and to whom.
    """
    kinds = {AccountKind.STORE_SV_PRINCIPAL_OUT.value: "principal", AccountKind.STORE_SV_BONUS_OUT.value: "bonus"}
    rows = (
        Entry.objects.filter(posting_id__in=posting_ids, account__store_id=store_id, account__kind__in=list(kinds))
        .values_list("account__kind", "origin_store_id")
        .annotate(net=Sum("amount"), first=Min("id"))
        .order_by("first")
    )
    spent: dict[str, list[tuple[int, int]]] = {"principal": [], "bonus": []}
    for kind, origin, net, _first in rows:
        if net:
            spent[kinds[kind]].append((origin or store_id, int(net)))
    return spent


def stored_value_shared(program_alliance_id: int | None) -> bool:
    """Whether stored value bought from one merchant may be spent at another merchant of the programme: always
    within one chain; in an alliance only where the operator holds a payment licence and switched sharing on."""
    if program_alliance_id is None:
        return True
    return bool(Alliance.objects.filter(id=program_alliance_id).values_list("stored_value_shared", flat=True).get())


def stored_value_usable_minor(member: Member, merchant_id: int) -> int:
    """What of an alliance card's stored value a store of ``merchant_id`` may take: all of it where the operator
    shares stored value, otherwise only the lots bought from that merchant (``rules.lots_usable``). Within one
    chain everything is usable; members.selectors answers that without asking."""
    lots = StoredValueLot.objects.filter(member_id=member.id, remaining_minor__gt=0)
    if not stored_value_shared(member.program.alliance_id):
        lots = lots.filter(store__merchant_id=merchant_id)
    return int(lots.aggregate(total=Coalesce(Sum("remaining_minor"), 0))["total"])
