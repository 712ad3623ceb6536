"""Admin for merchants, stores, terminals and terminal API keys.

A key is issued with an admin action that shows the secret once, on the page that answers the action; only its
hash is stored. Keys are never edited: they are revoked, and a new one is issued.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tessera.kit.clock import now
from tessera.kit.console.admin import MerchantScopedAdmin, ReadOnlyInline, ServiceAddAdmin
from tessera.stores.models import Alliance, Merchant, Store, Terminal, TerminalKey
from tessera.stores.services import merchant_create, terminal_key_issue, terminal_key_revoke


class StoreInline(admin.TabularInline):
    model = Store
    fields = ("code", "name", "kind", "timezone", "currency", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Merchant)
class MerchantAdmin(ServiceAddAdmin):
    merchant_path = "id"
    list_display = ("name", "country", "timezone", "currency", "public_id", "created_at")
    search_fields = ("name", "public_id")
    readonly_fields = ("public_id", "created_at")
    inlines = [StoreInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Merchant | None = None) -> Any:
        # Stores and programmes copied the merchant's currency when they were made; changing it later would not
        # change theirs, so it is fixed once set.
        return (*self.readonly_fields, "currency") if obj is not None else self.readonly_fields

    def create(self, obj: Merchant) -> Merchant:
        # Through the service, which also opens the merchant's headquarters store.
        return merchant_create(name=obj.name, country=obj.country, timezone=obj.timezone, currency=obj.currency)


class TerminalInline(admin.TabularInline):
    model = Terminal
    fields = ("name", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Store)
class StoreAdmin(MerchantScopedAdmin):
    list_display = ("code", "name", "merchant", "kind", "timezone", "currency", "is_active")
    list_filter = ("kind", "is_active", "merchant")
    list_select_related = ("merchant",)
    search_fields = ("code", "name", "public_id")
    readonly_fields = ("public_id", "created_at")
    inlines = [TerminalInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Store | None = None) -> Any:
        # A store's postings and documents are in its currency and belong to its merchant: both are fixed.
        return (*self.readonly_fields, "merchant", "currency") if obj is not None else self.readonly_fields


class TerminalKeyInline(ReadOnlyInline):
    model = TerminalKey
    fields = ("__str__", "label", "created_at", "revoked_at")
    readonly_fields = ("__str__", "label", "created_at", "revoked_at")


@admin.register(Terminal)
class TerminalAdmin(MerchantScopedAdmin):
    merchant_path = "store__merchant_id"
    list_display = ("name", "store", "is_active", "created_at")
    list_filter = ("is_active", "store__merchant")
    list_select_related = ("store",)
    search_fields = ("name", "store__code", "public_id")
    readonly_fields = ("public_id", "created_at")
    inlines = [TerminalKeyInline]
    actions = ["issue_key"]

    @admin.action(description=_("Issue a new API key (the secret is shown once)"), permissions=["change"])
    def issue_key(self, request: HttpRequest, queryset: QuerySet[Terminal]) -> HttpResponse:
        label = str(_("issued by %(user)s")) % {"user": request.user.get_username()}
        issued = [(t, terminal_key_issue(terminal=t, label=label).secret) for t in queryset.select_related("store")]
        context = {
            **self.admin_site.each_context(request),
            "title": _("New API keys"),
            "issued": issued,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "admin/stores/terminal_keys_issued.html", context)
        response["Cache-Control"] = "no-store"  # the page holds secrets; no browser or proxy may keep it
        return response


@admin.register(TerminalKey)
class TerminalKeyAdmin(MerchantScopedAdmin):
    merchant_path = "terminal__store__merchant_id"
    list_display = ("__str__", "terminal", "label", "created_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("terminal__store",)
    search_fields = ("lookup", "label", "terminal__name")
    fields = ("public_id", "terminal", "lookup", "label", "created_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued from the terminal, where the secret can be shown once

    def has_delete_permission(self, request: HttpRequest, obj: TerminalKey | None = None) -> bool:
        return False  # postings refer to terminals; a key is revoked, never deleted

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[TerminalKey]) -> None:
        at = now()
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            terminal_key_revoke(key=key, now=at)
        count = len(keys)
        self.message_user(
            request,
            ngettext("%(count)d key was revoked.", "%(count)d keys were revoked.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Alliance)
class AllianceAdmin(MerchantScopedAdmin):
    """The alliance agreement, kept by its operator: commission, and whether points and stored value cross
    merchants (the database refuses shared stored value without a licence holder). Alliances are made with
    ``alliance_create``, which also joins the partners, so they are never added or deleted here."""

    merchant_path = "operator_id"
    list_display = ("name", "operator", "commission_bp", "points_shared", "stored_value_shared", "public_id")
    list_select_related = ("operator",)
    fields = ("name", "operator", "commission_bp", "points_shared", "stored_value_shared", "licence_holder",
              "public_id", "created_at")  # fmt: skip
    readonly_fields = ("operator", "public_id", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Alliance | None = None) -> bool:
        return False
