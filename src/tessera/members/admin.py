"""Admin for members: read-mostly. Enrolment and every change go through the console, where they are audited."""

from __future__ import annotations

from django.contrib import admin

from tessera.kit.console.admin import ReadOnlyAdmin, ReadOnlyInline
from tessera.members.models import Member, MemberCategoryStats, MemberStats


class MemberStatsInline(ReadOnlyInline):
    model = MemberStats
    fields = (
        "first_purchase_at",
        "last_purchase_at",
        "purchase_count",
        "return_count",
        "spend_minor",
        "refund_minor",
        "top_up_count",
        "top_up_minor",
        "points_earned",
        "points_taken_back",
    )
    readonly_fields = fields


class MemberCategoryStatsInline(ReadOnlyInline):
    model = MemberCategoryStats
    fields = ("category", "purchase_count", "quantity", "spend_minor", "first_purchase_at", "last_purchase_at")
    readonly_fields = fields


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    merchant_path = "program__participants__merchant_id"
    list_display = ("name", "public_id", "card_number", "program", "status", "enrolled_at", "enrolled_store")
    list_filter = ("status", "program")
    list_select_related = ("program", "enrolled_store")
    search_fields = ("=public_id", "=card_number", "=phone", "name")
    date_hierarchy = "enrolled_at"
    fields = (
        "public_id",
        "program",
        "name",
        "phone",
        "birthday",
        "gender",
        "locale",
        "email",
        "status",
        "card_number",
        "enrolled_at",
        "enrolled_store",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [MemberStatsInline, MemberCategoryStatsInline]
