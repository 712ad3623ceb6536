"""Admin for audit records: strictly read-only."""

from __future__ import annotations

from django.contrib import admin

from tessera.audit.models import AuditRecord
from tessera.kit.console.admin import ReadOnlyAdmin


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    merchant_path = "store__merchant_id"
    list_display = ("created_at", "action", "object_type", "object_id", "staff", "terminal", "system", "store")
    list_filter = ("action", "object_type")
    list_select_related = ("staff", "terminal", "store")
    search_fields = ("=object_id", "=request_key", "=public_id")
    date_hierarchy = "created_at"
