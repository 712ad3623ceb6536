"""Admin for POS documents: read-only. Documents are written only by the checkout services."""

from __future__ import annotations

from django.contrib import admin

from tessera.checkout.models import Document, DocumentLine, Tender
from tessera.kit.console.admin import ReadOnlyAdmin, ReadOnlyInline


class DocumentLineInline(ReadOnlyInline):
    model = DocumentLine
    fk_name = "document"
    fields = ("line_no", "sku", "name", "category", "quantity", "unit_price_minor", "discount_minor", "amount_minor")
    readonly_fields = fields


class TenderInline(ReadOnlyInline):
    model = Tender
    fields = ("kind", "amount_minor", "reference")
    readonly_fields = fields


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    merchant_path = "store__merchant_id"
    list_display = ("pos_number", "kind", "store", "member", "total_minor", "points", "event_at", "created_at")
    list_filter = ("kind",)
    list_select_related = ("store", "member")
    search_fields = ("=pos_number", "=public_id", "=member__public_id")
    date_hierarchy = "event_at"
    exclude = ("receipt",)
    inlines = [DocumentLineInline, TenderInline]
