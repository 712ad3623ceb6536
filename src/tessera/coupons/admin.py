"""Admin for coupon templates (names per language inline) and read-only coupons with their history."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tessera.coupons.models import Coupon, CouponEvent, CouponTemplate, CouponTemplateTranslation, CouponTrigger
from tessera.kit.console.admin import MerchantScopedAdmin, ReadOnlyAdmin


class CouponTemplateTranslationInline(admin.TabularInline):
    model = CouponTemplateTranslation
    fields = ("language_code", "name", "description")
    extra = 1


_GIVES = ("amount_minor", "percent_bp", "max_discount_minor", "gift_sku", "multiplier_permille")
_APPLIES = ("min_spend_minor", "categories", "brands", "skus", "tiers", "stores", "weekdays", "hour_from", "hour_to",
            "first_purchase_only")  # fmt: skip
_VALIDITY = ("valid_from", "valid_until", "valid_days", "per_member_limit", "total_limit", "budget_minor", "created_at")


@admin.register(CouponTemplate)
class CouponTemplateAdmin(MerchantScopedAdmin):
    merchant_path = "program__owner_id"
    list_display = ("code", "program", "kind", "amount_minor", "percent_bp", "stacking", "is_active")
    list_filter = ("program", "kind", "is_active")
    list_select_related = ("program",)
    search_fields = ("code",)
    filter_horizontal = ("stores",)
    readonly_fields = ("public_id", "created_at")
    fieldsets = (
        (None, {"fields": ("public_id", "program", "code", "kind", "is_active", "stacking")}),
        (_("What it gives"), {"fields": _GIVES}),
        (_("When it applies"), {"fields": _APPLIES}),
        (_("Validity and limits"), {"fields": _VALIDITY}),
    )
    inlines = [CouponTemplateTranslationInline]


class CouponEventInline(admin.TabularInline):
    model = CouponEvent
    fields = ("kind", "at", "store", "terminal", "staff", "system", "document", "discount_minor")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Coupon)
class CouponAdmin(ReadOnlyAdmin):
    merchant_path = "program__owner_id"
    list_display = ("public_id", "member", "template", "state", "valid_until", "redeemed_document", "discount_minor")
    list_filter = ("state", "program")
    list_select_related = ("member", "template")
    search_fields = ("=public_id", "=code", "=member__public_id", "=redeemed_document")
    date_hierarchy = "issued_at"
    fields = (
        "public_id", "code", "program", "member", "template", "state", "valid_from", "valid_until", "source",
        "source_id", "issued_at", "hold_key", "held_until", "redeemed_document", "discount_minor", "updated_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [CouponEventInline]


@admin.register(CouponTrigger)
class CouponTriggerAdmin(MerchantScopedAdmin):
    merchant_path = "program__owner_id"
    list_display = ("program", "event", "template", "count", "is_active")
    list_filter = ("program", "event", "is_active")
    list_select_related = ("program", "template")
