"""Reads about programmes."""

from __future__ import annotations

from dataclasses import dataclass

from tessera.programs.models import Program, ProgramMerchant, TopUpBonusBand
from tessera.programs.rules import EarnRate


def program_serves_merchant(*, program_id: int, merchant_id: int) -> bool:
    return ProgramMerchant.objects.filter(program_id=program_id, merchant_id=merchant_id).exists()


def programs_for_merchant(*, merchant_id: int) -> list[Program]:
    return list(Program.objects.filter(participants__merchant_id=merchant_id).order_by("id"))


def top_up_bands(*, program_id: int) -> list[tuple[int, int]]:
    rows = TopUpBonusBand.objects.filter(program_id=program_id, is_active=True).values_list(
        "min_amount_minor", "bonus_minor"
    )
    return [(int(a), int(b)) for a, b in rows]


@dataclass(frozen=True, slots=True)
class PartnerTerms:
    """What an alliance partner gives the card's members at its stores; None fields: the programme's own."""

    discount_bp: int | None
    rate: EarnRate | None


def partner_terms(*, program: Program, merchant_id: int) -> PartnerTerms | None:
    """The partner's own benefits at its stores, or None for the owner and for partners that set none."""
    if merchant_id == program.owner_id:
        return None
    row = (
        ProgramMerchant.objects.filter(program=program, merchant_id=merchant_id)
        .values_list("discount_bp", "earn_points", "earn_per_minor")
        .first()
    )
    if row is None or row == (None, None, None):
        return None
    discount, points, per_minor = row
    rate = EarnRate(points=points, per_minor=per_minor) if points is not None and per_minor else None
    return PartnerTerms(discount_bp=discount, rate=rate)
