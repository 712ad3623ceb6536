"""Configure the mall in the Django admin: items, their translations and stock; orders are read-only here.

Stock per store is never typed in as a figure: staff give "units to add" and a service adds them to what is left
at the moment of saving, so orders taken while the form was open are never overwritten.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tessera.kit.clock import now
from tessera.kit.console.admin import MerchantScopedAdmin, merchant_of
from tessera.mall.errors import MallStockInvalid, MallStockPoolInUse, MallStoreNotServing
from tessera.mall.models import MallItem, MallItemTranslation, MallOrder, MallOrderEvent, MallStoreStock
from tessera.mall.selectors import mall_store_serves
from tessera.mall.services import mall_store_stock_add
from tessera.stores.models import Store
from tessera.stores.selectors import headquarters_actor


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


class StoreStockForm(forms.ModelForm):
    units = forms.IntegerField(label=_("units to add"), initial=0, required=False,
                               help_text=_("Negative to take units away."))  # fmt: skip

    class Meta:
        model = MallStoreStock
        fields = ["store"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["store"].disabled = True  # a row keeps its store: the orders that took its units point at it

    def clean_units(self) -> int:
        units: int = self.cleaned_data["units"] or 0
        # Exact, not advice: MallItemAdmin.get_object holds the item's lock, so no order moves this stock meanwhile.
        if self.instance.stock + units < 0:
            raise forms.ValidationError(MallStockInvalid.message, code=MallStockInvalid.code)
        return units


class StoreStockFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        item = self.instance
        touched = [f for f in self.forms if f.instance.pk is not None or f.has_changed()]
        for form in touched:
            store = form.cleaned_data.get("store")
            if store is not None and not mall_store_serves(store_id=store.id, program_id=item.program_id or 0):
                form.add_error("store", MallStoreNotServing.message)
        # Rows of other merchants' stores are not shown to this staff member, but they make the item per-store too.
        per_store = touched or (item.pk is not None and MallStoreStock.objects.filter(item_id=item.pk).exists())
        if item.stock > 0 and per_store:
            raise forms.ValidationError(MallStockPoolInUse(stock=item.stock).text(), code=MallStockPoolInUse.code)

    def stock_save(self, *, user: Any, now: datetime) -> None:
        """Give each store its units through the service; record what changed for the admin's history."""
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        for form in self.forms:
            if not form.has_changed():
                continue
            store = form.cleaned_data["store"]
            actor = headquarters_actor(merchant_id=store.merchant_id, staff_id=user.pk, label=user.get_username())
            row = mall_store_stock_add(actor=actor, item_id=self.instance.pk, store_id=store.id,
                                       units=form.cleaned_data["units"], now=now)  # fmt: skip
            if form.instance.pk is None:
                self.new_objects.append(row)
            else:
                self.changed_objects.append((row, ["units"]))


class StoreStockInline(admin.TabularInline):
    model = MallStoreStock
    form = StoreStockForm
    formset = StoreStockFormSet
    fields = ["store", "stock", "stock_given", "units"]
    readonly_fields = ["stock", "stock_given"]
    extra = 0
    can_delete = False  # a store stops selling when its units are taken away; its orders keep their row

    def get_queryset(self, request: HttpRequest) -> QuerySet[MallStoreStock]:
        rows = super().get_queryset(request).select_related("store")
        merchant_id = merchant_of(request)
        return rows if merchant_id is None else rows.filter(store__merchant_id=merchant_id)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        merchant_id = merchant_of(request)
        if db_field.name == "store" and merchant_id is not None:
            kwargs["queryset"] = Store.objects.filter(merchant_id=merchant_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(MallItem)
class MallItemAdmin(MerchantScopedAdmin):
    # Staff of a merchant see and change only their own programmes' items, and only their own stores' stock.
    merchant_path = "program__owner_id"
    form = MallItemForm
    list_display = ["public_id", "name", "program", "kind", "points_price", "cash_minor", "stock", "is_active"]
    list_filter = ["kind", "is_active"]
    inlines = [TranslationInline, StoreStockInline]

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> MallItem | None:
        found = super().get_object(request, object_id, from_field)
        if found is None or request.method != "POST":
            return found
        # Lock the item for the whole save, before the forms read its stock: orders and cancellations lock the
        # item before they touch its stock, so the figures the forms check are the ones the save changes. Django
        # runs the change form in a transaction, so the lock lasts until the save commits.
        return MallItem.objects.select_for_update().get(id=found.id)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if isinstance(formset, StoreStockFormSet):
            formset.stock_save(user=request.user, now=now())
        else:
            super().save_formset(request, form, formset, change)

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
    merchant_path = "program__owner_id"
    list_display = ["public_id", "item", "member", "quantity", "points", "cash_minor", "state", "ordered_at"]
    list_filter = ["state"]
    inlines = [EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
