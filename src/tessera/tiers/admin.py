"""Admin for tier ladders: the ladder with its tiers inline, each tier with its translations, read-only history.

Django admin cannot nest inlines, so a ladder's page lists its tiers and each tier's page (linked from the row)
holds its four translations. Rules that span the tiers (a base tier needing nothing, thresholds rising from each
tier to the next, ranks without gaps) are checked on the ladder's tier formset, with the same messages the
loader service gives.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from tessera.kit.console.admin import MerchantScopedAdmin, ReadOnlyAdmin
from tessera.tiers.models import MemberTier, Tier, TierEvent, TierLadder, TierTranslation
from tessera.tiers.rules.validation import TierTerms, ladder_problems, rank_problems

# Fields that decide what members' counters and windows mean: fixed once members are on the ladder.
_FIXED_WITH_MEMBERS = ("program", "measure", "second_measure", "combine", "window_kind", "window_months")


class TierFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return  # each form's own errors are shown first
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        kept.sort(key=lambda data: data.get("rank") or 0)
        terms = [
            TierTerms(
                code=d.get("code") or "", threshold=d.get("threshold") or 0, second_threshold=d.get("second_threshold"),
                discount_bp=d.get("discount_bp") or 0, multiplier_permille=d.get("multiplier_permille") or 0,
                excluded_categories=d.get("excluded_categories") or [],
            )
            for d in kept
        ]  # fmt: skip
        problems = rank_problems([d.get("rank") or 0 for d in kept])
        problems += ladder_problems(terms, has_second=bool(self.instance.second_measure))
        if problems:
            raise ValidationError(list(dict.fromkeys(problems)))


class TierInline(admin.TabularInline):
    model = Tier
    formset = TierFormSet
    fields = ("rank", "code", "threshold", "second_threshold", "discount_bp", "excluded_categories",
              "multiplier_permille", "service_codes")  # fmt: skip
    extra = 1
    show_change_link = True


@admin.register(TierLadder)
class TierLadderAdmin(MerchantScopedAdmin):
    merchant_path = "program__owner_id"
    list_display = ("name", "program", "measure", "window_kind", "downgrade", "grace_days", "is_active")
    list_filter = ("is_active", "measure", "window_kind")
    list_select_related = ("program",)
    search_fields = ("name", "program__name")
    readonly_fields = ("created_at",)
    inlines = [TierInline]

    def get_readonly_fields(self, request: HttpRequest, obj: TierLadder | None = None) -> Any:
        if obj is not None and MemberTier.objects.filter(ladder=obj).exists():
            return (*self.readonly_fields, *_FIXED_WITH_MEMBERS)
        return self.readonly_fields


class TierTranslationInline(admin.StackedInline):
    model = TierTranslation
    fields = ("language_code", "name", "description", "services")
    extra = 0
    max_num = 4


@admin.register(Tier)
class TierAdmin(MerchantScopedAdmin):
    merchant_path = "ladder__program__owner_id"
    list_display = ("code", "ladder", "rank", "threshold", "discount_bp", "multiplier_permille")
    list_select_related = ("ladder",)
    list_filter = ("ladder",)
    fields = ("ladder", "rank", "code", "threshold", "second_threshold", "discount_bp", "excluded_categories",
              "multiplier_permille", "service_codes")  # fmt: skip
    readonly_fields = ("ladder", "rank")
    inlines = [TierTranslationInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tiers are added on their ladder's page, where the ladder-wide rules are checked


@admin.register(MemberTier)
class MemberTierAdmin(ReadOnlyAdmin):
    merchant_path = "ladder__program__owner_id"
    list_display = ("member", "ladder", "tier", "since", "window_start", "window_end", "points", "spend_minor",
                    "pending_tier", "pending_on")  # fmt: skip
    list_select_related = ("member", "ladder", "tier", "pending_tier")
    list_filter = ("ladder",)
    search_fields = ("=member__public_id", "=member__card_number")
    fields = ("member", "ladder", "tier", "since", "anchor_on", "window_start", "window_end", "points", "spend_minor",
              "stored_value_minor", "purchase_count", "lifetime_spend_minor", "pending_tier", "pending_on",
              "created_at", "updated_at")  # fmt: skip
    readonly_fields = fields


@admin.register(TierEvent)
class TierEventAdmin(ReadOnlyAdmin):
    merchant_path = "ladder__program__owner_id"
    list_display = ("event_at", "member", "from_tier", "to_tier", "reason", "value", "window_start", "window_end")
    list_select_related = ("member", "from_tier", "to_tier")
    list_filter = ("reason", "ladder")
    search_fields = ("=member__public_id", "=member__card_number")
    date_hierarchy = "event_at"
    fields = ("member", "ladder", "from_tier", "to_tier", "reason", "value", "second_value", "window_start",
              "window_end", "event_at", "created_at")  # fmt: skip
    readonly_fields = fields
