"""Admin for members: read-mostly. Enrolment and every change go through the console, where they are audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tessera.kit.console.admin import ReadOnlyAdmin, ReadOnlyInline
from tessera.members.models import Member, MemberCategoryStats, MemberStats
from tessera.members.selectors import member_personal_masked


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
    merchant_path = "program__owner_id"
    list_display = ("name", "public_id", "card_number", "program", "status", "enrolled_at", "enrolled_store")
    list_filter = ("status", "program")
    list_select_related = ("program", "enrolled_store")
    search_fields = ("=public_id", "=card_number", "=phone", "name")  # exact phone: finding, not browsing
    date_hierarchy = "enrolled_at"
    fields = (
        "public_id",
        "program",
        "name",
        "phone_masked",
        "birthday_masked",
        "gender",
        "locale",
        "email_masked",
        "status",
        "card_number",
        "enrolled_at",
        "enrolled_store",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [MemberStatsInline, MemberCategoryStatsInline]

    # Personal data is masked here for everyone but platform administrators: the console's audited reveal is the
    # only way other staff see a full phone number, e-mail or birthday (docs/permissions.md).
    _FULL = {"phone_masked": "phone", "email_masked": "email", "birthday_masked": "birthday"}

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        if not request.user.is_superuser:
            return fields
        return [self._FULL.get(f, f) if isinstance(f, str) else f for f in fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)

    @admin.display(description=_("phone"))
    def phone_masked(self, member: Member) -> str:
        return member_personal_masked(member).phone

    @admin.display(description=_("e-mail"))
    def email_masked(self, member: Member) -> str:
        return member_personal_masked(member).email

    @admin.display(description=_("birthday"))
    def birthday_masked(self, member: Member) -> str:
        return member_personal_masked(member).birthday
