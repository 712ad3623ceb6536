"""Admin for earning rules. ``EarningRule.clean`` refuses bad settings (a multiplier of zero or below, fields of
another kind, an end before the start) with the same messages the services raise."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tessera.earning.models import EarningRule
from tessera.kit.console.admin import MerchantScopedAdmin


@admin.register(EarningRule)
class EarningRuleAdmin(MerchantScopedAdmin):
    merchant_path = "program__owner_id"
    list_display = ("code", "program", "kind", "factor_permille", "condition", "cap_points", "active_from", "active_to")
    list_filter = ("kind",)
    list_select_related = ("program",)
    search_fields = ("code", "match_value", "program__name")
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("program", "code", "kind", "active_from", "active_to")}),
        (_("Multiplier"), {"fields": ("factor_permille",)}),
        (_("When (day of the week, member day or birthday rules)"),
         {"fields": ("weekday", "day_of_month", "birthday_scope")}),
        (_("Which products (product multipliers and exclusions)"), {"fields": ("match_on", "match_value")}),
        (_("Cap (per sale or per day)"), {"fields": ("cap_points", "created_at")}),
    )  # fmt: skip

    @admin.display(description=_("applies to"))
    def condition(self, obj: EarningRule) -> str:
        if obj.weekday:
            return str(obj.get_weekday_display())
        if obj.day_of_month:
            return str(obj.day_of_month)
        if obj.birthday_scope:
            return str(obj.get_birthday_scope_display())
        if obj.match_on:
            return f"{obj.get_match_on_display()}: {obj.match_value}"
        return ""
