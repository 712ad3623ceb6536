"""Reads about programmes."""

from __future__ import annotations

from tessera.programs.models import Program, ProgramMerchant, TopUpBonusBand


def program_serves_merchant(*, program_id: int, merchant_id: int) -> bool:
    return ProgramMerchant.objects.filter(program_id=program_id, merchant_id=merchant_id).exists()


def programs_for_merchant(*, merchant_id: int) -> list[Program]:
    return list(Program.objects.filter(participants__merchant_id=merchant_id).order_by("id"))


def top_up_bands(*, program_id: int) -> list[tuple[int, int]]:
    rows = TopUpBonusBand.objects.filter(program_id=program_id, is_active=True).values_list(
        "min_amount_minor", "bonus_minor"
    )
    return [(int(a), int(b)) for a, b in rows]
