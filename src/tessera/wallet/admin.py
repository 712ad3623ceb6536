"""Admin for stored-value profiles and top-up bonus rules, each scoped to the staff member's merchant."""

from django.contrib import admin

from tessera.kit.console.admin import MerchantScopedAdmin
from tessera.wallet.models import StoredValueProfile, TopUpBonusRule


@admin.register(StoredValueProfile)
class StoredValueProfileAdmin(MerchantScopedAdmin):
    # Staff of a merchant see and change only their own programmes' profiles.
    merchant_path = "program__owner_id"
    list_display = ["program", "jurisdiction", "named_balance_max_minor", "anonymous_balance_max_minor",
                    "top_up_max_minor", "custody_ratio_bp"]  # fmt: skip


@admin.register(TopUpBonusRule)
class TopUpBonusRuleAdmin(MerchantScopedAdmin):
    merchant_path = "program__owner_id"
    list_display = ("name", "program", "min_amount_minor", "max_amount_minor", "bonus_minor", "bonus_points",
                    "coupon_template", "gift", "active_from", "active_to", "per_member_limit", "is_active")  # fmt: skip
    list_filter = ("program", "is_active")
    list_select_related = ("program", "coupon_template")
