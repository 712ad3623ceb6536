"""Configure the mall in the Django admin: items, their translations and stock; orders are read-only here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tessera.kit.console.admin import MerchantScopedAdmin
from tessera.mall.models import MallItem, MallItemTranslation, MallOrder, MallOrderEvent


class MallItemForm(forms.ModelForm):
    stock = forms.IntegerField(label=_("stock"), initial=0)
    image_url = forms.URLField(label=_("picture"), required=False, assume_scheme="https")

    class Meta:
        model = MallItem
        exclude = ["stock_given"]  # noqa: DJ006

    def clean_stock(self) -> int:
        stock: int = self.cleaned_data["stock"]
        if stock < 0:
            raise forms.ValidationError(_("Stock cannot be negative."), code="mall_stock_invalid")
        return stock


class TranslationInline(admin.TabularInline):
    model = MallItemTranslation
    extra = 0


@admin.register(MallItem)
class MallItemAdmin(MerchantScopedAdmin):
    # Staff of a merchant see and change only their own programmes' items.
    merchant_path = "program__participants__merchant_id"
    form = MallItemForm
    list_display = ["public_id", "name", "program", "kind", "points_price", "cash_minor", "stock", "is_active"]
    list_filter = ["kind", "is_active"]
    inlines = [TranslationInline]

    def save_model(self, request: HttpRequest, obj: MallItem, form: Any, change: bool) -> None:
        # What staff add or take away moves stock_given with it, so orders plus stock always equal it. The admin
        # view runs in a transaction, so the row lock holds off orders until this save commits.
        old = MallItem.objects.select_for_update().filter(id=obj.id).first() if change else None
        obj.stock_given = (old.stock_given - old.stock if old else 0) + obj.stock
        super().save_model(request, obj, form, change)


class EventInline(admin.TabularInline):
    model = MallOrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["state", "store", "staff_id", "terminal_id", "at"]


@admin.register(MallOrder)
class MallOrderAdmin(MerchantScopedAdmin):
    merchant_path = "program__participants__merchant_id"
    list_display = ["public_id", "item", "member", "quantity", "points", "cash_minor", "state", "ordered_at"]
    list_filter = ["state"]
    inlines = [EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
