"""Admin building blocks shared by every area: merchant scoping and strictly read-only admins.

Platform admins (superusers) see every merchant. Any other staff member given admin access sees only rows of
their own merchant, and choice lists offer only their merchant's merchants, stores, terminals and programmes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

# How to reach the merchant from each model a form may offer as a choice.
_CHOICE_MERCHANT_PATHS = {
    "stores.merchant": "id",
    "stores.store": "merchant_id",
    "stores.terminal": "store__merchant_id",
    "programs.program": "owner_id",
}


def merchant_of(request: HttpRequest) -> int | None:
    """The merchant whose rows a non-platform admin may see; None for platform admins."""
    user = request.user
    if user.is_superuser:
        return None
    return getattr(user, "merchant_id", None) or -1  # staff without a merchant see nothing


def adopt(target: models.Model, created: models.Model) -> None:
    """Make the admin's unsaved instance the row a service created, so inlines and the admin log attach to it.

    Admins add merchants and programmes through their services (which create companion rows); the admin then
    carries on with its own instance, which must therefore become the created row.
    """
    for field in created._meta.concrete_fields:
        setattr(target, field.attname, getattr(created, field.attname))
    target._state.adding = False
    target._state.db = created._state.db


class MerchantScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    merchant_path: ClassVar[str] = "merchant_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        merchant_id = merchant_of(request)
        if merchant_id is None:
            return queryset
        scoped = queryset.filter(**{self.merchant_path: merchant_id})
        # Paths through a programme's participants can match one row several times.
        return scoped.distinct() if "participants" in self.merchant_path else scoped

    def get_list_filter(self, request: HttpRequest) -> Any:
        """Filters on related rows offer only the rows the scoped list refers to: never another merchant's names."""
        filters = super().get_list_filter(request)
        if merchant_of(request) is None:
            return filters
        return [_related_only(self.model, f) for f in filters]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> ModelChoiceField | None:  # type: ignore[type-arg]
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        _limit_choices(field, request)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        _limit_choices(field, request)
        return field


def _related_only(model: type[models.Model], entry: Any) -> Any:
    if not isinstance(entry, str):
        return entry
    field = get_fields_from_path(model, entry)[-1]
    return (entry, admin.RelatedOnlyFieldListFilter) if field.is_relation else entry


def _limit_choices(field: Any, request: HttpRequest) -> None:
    merchant_id = merchant_of(request)
    queryset = getattr(field, "queryset", None)
    if merchant_id is None or queryset is None:
        return
    path = _CHOICE_MERCHANT_PATHS.get(queryset.model._meta.label_lower)
    if path is not None:
        field.queryset = queryset.filter(**{path: merchant_id}).distinct()


class ServiceAddAdmin(MerchantScopedAdmin):
    """An admin whose add form creates the row through a service, such as ``merchant_create``.

    Services open their own durable transaction and refuse to run inside another, while the admin wraps its
    form views in one. The add view therefore runs outside the admin's block and has no inlines, so the service
    call is the whole of the write; related rows (stores, bonus bands) are added on the change page afterwards.
    """

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> Any:
        if object_id is None:
            # Django's own form view without its atomic block (not in the type stubs; stable since Django 1.x).
            return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined]
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_inlines(self, request: HttpRequest, obj: models.Model | None) -> Any:
        return [] if obj is None else super().get_inlines(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            adopt(obj, self.create(obj))

    def create(self, obj: Any) -> models.Model:
        """Create the row described by the admin's unsaved ``obj`` through the area's service."""
        raise NotImplementedError


class ReadOnlyAdmin(MerchantScopedAdmin):
    """An admin that can list and show rows but never add, change or delete them (ledger, audit, documents)."""

    actions = None

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
