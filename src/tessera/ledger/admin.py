"""Admin for the ledger: strictly read-only. Entries are append-only; mistakes are fixed by reversing postings."""

from __future__ import annotations

from django.contrib import admin

from tessera.kit.console.admin import ReadOnlyAdmin, ReadOnlyInline
from tessera.ledger.models import Account, Entry, Posting


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    merchant_path = "program__owner_id"
    list_display = ("id", "kind", "unit", "member", "store", "balance", "floor", "ceiling", "version")
    list_filter = ("kind", "unit")
    list_select_related = ("member", "store")
    search_fields = ("=member__public_id", "=member__card_number", "store__code")
    raw_id_fields = ("member", "store", "program")


class EntryInline(ReadOnlyInline):
    model = Entry
    fields = ("account", "unit", "amount", "balance_after")
    readonly_fields = fields


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    merchant_path = "program__owner_id"
    list_display = ("public_id", "reason", "store", "event_at", "created_at", "source_type", "source_id")
    list_filter = ("reason", "source_type")
    list_select_related = ("store",)
    search_fields = ("=public_id", "=source_id", "=request_key")
    date_hierarchy = "created_at"
    inlines = [EntryInline]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    merchant_path = "posting__program__owner_id"
    list_display = ("id", "posting", "account", "unit", "amount", "balance_after")
    list_filter = ("unit",)
    list_select_related = ("posting", "account")
    search_fields = ("=posting__public_id",)
    raw_id_fields = ("posting", "account")
