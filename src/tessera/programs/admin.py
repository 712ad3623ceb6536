"""Admin for programmes: earning and stored-value settings, top-up bonus bands, and the merchants serving them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tessera.kit.console.admin import MerchantScopedAdmin, ReadOnlyInline, ServiceAddAdmin
from tessera.programs.models import Program, ProgramMerchant, TopUpBonusBand
from tessera.programs.services import program_create

# Settings a new programme takes from the form; program_create fills in the rest from the owner.
_SETTINGS = (
    "earn_points",
    "earn_per_minor",
    "earn_on_stored_value",
    "point_value_points",
    "point_value_minor",
    "return_shortfall_policy",
    "stored_value_spend_order",
    "points_expiry_policy",
    "points_expiry_days",
    "points_expiry_months",
    "points_expiry_reminder_days",
    "burn_enabled",
    "burn_min_points",
    "burn_max_share_pct",
    "join_min_purchase_minor",
    "card_validity_months",
    "card_renewal_fee_minor",
)


class TopUpBonusBandInline(admin.TabularInline):
    model = TopUpBonusBand
    fields = ("min_amount_minor", "bonus_minor", "is_active")
    extra = 1


class ProgramMerchantInline(ReadOnlyInline):
    model = ProgramMerchant
    fields = ("merchant", "role", "joined_at")
    readonly_fields = fields


@admin.register(Program)
class ProgramAdmin(ServiceAddAdmin):
    merchant_path = "owner_id"
    list_display = ("name", "owner", "currency", "timezone", "earn_points", "earn_per_minor", "public_id")
    list_select_related = ("owner",)
    search_fields = ("name", "public_id")
    readonly_fields = ("public_id", "created_at")
    inlines = [TopUpBonusBandInline, ProgramMerchantInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Program | None = None) -> Any:
        # Members' stored-value accounts are opened in the programme's currency; the owner anchors its merchants.
        return (*self.readonly_fields, "owner", "currency") if obj is not None else self.readonly_fields

    def create(self, obj: Program) -> Program:
        # Through the service, which also records the owner as the first merchant serving the programme.
        return program_create(
            owner=obj.owner,
            name=obj.name,
            currency=obj.currency,
            timezone=obj.timezone,
            phone_region=obj.phone_region,
            **{name: getattr(obj, name) for name in _SETTINGS},
        )


@admin.register(ProgramMerchant)
class ProgramMerchantAdmin(MerchantScopedAdmin):
    """A merchant's part in a card: an alliance partner sets here what alliance members get at its stores, and
    funds. Joining and leaving go through ``alliance_create``, so rows are never added or deleted here."""

    merchant_path = "merchant_id"
    list_display = ("program", "merchant", "role", "discount_bp", "earn_points", "earn_per_minor")
    list_select_related = ("program", "merchant")
    fields = ("program", "merchant", "role", "joined_at", "discount_bp", "earn_points", "earn_per_minor")
    readonly_fields = ("program", "merchant", "role", "joined_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ProgramMerchant | None = None) -> bool:
        return False
