"""Admin for gift ladders (steps inline, names per language on each step's page) and read-only gifts."""

from __future__ import annotations

from django.contrib import admin

from tessera.kit.console.admin import MerchantScopedAdmin, ReadOnlyAdmin
from tessera.rewards.models import GiftLadder, GiftStep, GiftStepTranslation, MemberPeriodPoints, RewardGrant


class GiftStepInline(admin.TabularInline):
    model = GiftStep
    fields = ("threshold_points", "reward_kind", "amount_minor", "categories", "usable_at_once", "valid_days")
    extra = 1
    # Step names are translated content; they are edited on the step's own page.
    show_change_link = True


@admin.register(GiftLadder)
class GiftLadderAdmin(MerchantScopedAdmin):
    merchant_path = "program__owner_id"
    list_display = ("name", "program", "claim_policy", "claim_days", "active_from", "active_to")
    list_filter = ("program",)
    list_select_related = ("program",)
    search_fields = ("name",)
    readonly_fields = ("created_at",)
    inlines = [GiftStepInline]


class GiftStepTranslationInline(admin.TabularInline):
    model = GiftStepTranslation
    fields = ("language_code", "name")
    extra = 1


@admin.register(GiftStep)
class GiftStepAdmin(MerchantScopedAdmin):
    merchant_path = "ladder__program__owner_id"
    list_display = ("ladder", "threshold_points", "amount_minor", "categories")
    list_select_related = ("ladder",)
    inlines = [GiftStepTranslationInline]

    def has_module_permission(self, request: object) -> bool:
        # Reached through the ladder's page; a separate menu entry would only duplicate it.
        return False


@admin.register(RewardGrant)
class RewardGrantAdmin(ReadOnlyAdmin):
    merchant_path = "program__owner_id"
    list_display = ("public_id", "member", "month", "step", "state", "unlocked_at", "claim_until", "claimed_at")
    list_filter = ("state", "program")
    list_select_related = ("member", "step__ladder")
    search_fields = ("=public_id", "=member__public_id", "=member__card_number")
    date_hierarchy = "unlocked_at"
    fields = (
        "public_id", "program", "member", "step", "month", "reward", "state", "unlocked_at", "claim_until",
        "claimed_at", "claimed_store", "claimed_terminal", "claimed_staff", "lost_at", "revoked_at", "created_at",
    )  # fmt: skip
    readonly_fields = fields


@admin.register(MemberPeriodPoints)
class MemberPeriodPointsAdmin(ReadOnlyAdmin):
    merchant_path = "ladder__program__owner_id"
    list_display = ("member", "ladder", "month", "points", "updated_at")
    list_select_related = ("member", "ladder")
    search_fields = ("=member__public_id", "=member__card_number")
    fields = ("member", "ladder", "month", "points", "updated_at")
    readonly_fields = fields
