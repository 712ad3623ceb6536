"""Headquarters API for stored value: the liability a programme's cards hold, to size the custody deposit."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from tessera.access.api import STAFF_AUTH
from tessera.access.rules import Action
from tessera.api.hq.programs import program_for_staff
from tessera.kit.http import json_response
from tessera.stores.models import Merchant
from tessera.wallet.models import StoredValueProfile
from tessera.wallet.selectors import stored_value_liability_list

router = Router(tags=["stored value"], auth=STAFF_AUTH)


class StoreLiabilityOut(Schema):
    store: str = Field(..., description="The store's code.")
    unit: str
    principal_minor: int = Field(
        ..., description="What members still hold of this store's money, wherever it is spent."
    )
    bonus_minor: int


class MerchantLiabilityOut(Schema):
    merchant_id: str
    merchant: str
    unit: str
    principal_minor: int
    bonus_minor: int
    custody_minor: int | None = Field(..., description="The deposit the profile asks for; null without a profile.")


class LiabilityOut(Schema):
    program_id: str
    jurisdiction: str = Field(..., description="The stored-value profile's jurisdiction; empty without a profile.")
    custody_ratio_bp: int | None
    stores: list[StoreLiabilityOut]
    merchants: list[MerchantLiabilityOut]


@router.get("/programs/{program_id}/stored-value/liability", response=LiabilityOut,
            summary="Stored value outstanding per store and per merchant, with the custody deposit")  # fmt: skip
def liability_view(request: HttpRequest, program_id: str) -> HttpResponse:
    """Per store, what members hold of that store's money (never negative); per merchant, the sum, with the
    custody deposit sized on it, rounded up to the minor unit."""
    # A report: the operations centre and auditors read it (report.view), nobody changes anything here.
    program, _actor = program_for_staff(request, program_id, Action.REPORT_VIEW)
    rows = [r for r in stored_value_liability_list() if r.program_id == program.id]
    merchants = dict(Merchant.objects.filter(id__in={r.merchant_id for r in rows}).values_list("id", "public_id"))
    names = dict(Merchant.objects.filter(id__in=merchants).values_list("id", "name"))
    profile = StoredValueProfile.objects.filter(program=program).values_list("jurisdiction", "custody_ratio_bp").first()
    body = {
        "program_id": program.public_id,
        "jurisdiction": profile[0] if profile else "",
        "custody_ratio_bp": profile[1] if profile else None,
        "stores": [{"store": r.store_code, "unit": r.unit, "principal_minor": r.principal_minor,
                    "bonus_minor": r.bonus_minor} for r in rows if r.store_code],
        "merchants": [{"merchant_id": merchants[r.merchant_id], "merchant": names[r.merchant_id], "unit": r.unit,
                       "principal_minor": r.principal_minor, "bonus_minor": r.bonus_minor,
                       "custody_minor": r.custody_minor} for r in rows if not r.store_code],
    }  # fmt: skip
    return json_response(body)
