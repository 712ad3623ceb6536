"""Admin for staff accounts: role, merchant and stores, besides Django's usual user fields.

Only platform admins and the roles of ``ADMIN_ROLES`` (the operations centre) may use the admin at all: the
database refuses ``is_staff`` to anyone else. Staff who are not platform admins manage only their own merchant's
accounts and can never grant platform-admin rights, admin access or Django permissions, so the admin cannot be
used to widen anyone's scope beyond the merchant. Groups hold permissions for every merchant at once, so only
platform admins see them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tessera.access.models import StaffUser
from tessera.access.rules import Role, may_use_admin
from tessera.kit.console.admin import MerchantScopedAdmin, merchant_of


def _check_scope(cleaned: dict[str, Any]) -> None:
    merchant = cleaned.get("merchant")
    stores = cleaned.get("stores") or []
    if merchant is None and not cleaned.get("is_superuser"):
        raise forms.ValidationError(_("Staff who are not platform admins need a merchant."))
    foreign = [s for s in stores if merchant is None or s.merchant_id != merchant.id]
    if foreign:
        names = ", ".join(str(s) for s in foreign)
        raise forms.ValidationError(_("These stores belong to another merchant: %(stores)s"), params={"stores": names})
    role = Role(cleaned.get("role") or Role.CASHIER)
    if cleaned.get("is_staff") and not may_use_admin(role, is_platform_admin=bool(cleaned.get("is_superuser"))):
        raise forms.ValidationError(_("Only platform administrators and the operations centre may use the admin."))


class StaffChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = StaffUser

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_scope({"is_superuser": getattr(self.instance, "is_superuser", False), **cleaned})
        return cleaned


class StaffCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = StaffUser
        fields = ("username", "role", "merchant", "stores")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_scope(cleaned)
        return cleaned


@admin.register(StaffUser)
class StaffUserAdmin(MerchantScopedAdmin, UserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ("username", "first_name", "last_name", "role", "merchant", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "merchant")
    list_select_related = ("merchant",)
    search_fields = ("username", "first_name", "last_name", "email", "public_id")
    filter_horizontal = ("stores", "groups", "user_permissions")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "preferred_language")}),
        (_("Role and scope"), {"fields": ("role", "merchant", "stores")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("Role and scope"), {"fields": ("role", "merchant", "stores")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffUser]:
        return super().get_queryset(request).prefetch_related("stores")

    def get_list_filter(self, request: HttpRequest) -> Any:
        if merchant_of(request) is None:
            return self.list_filter
        # A filter lists every choice there is: other merchants' names are not the operations centre's to see.
        return tuple(name for name in self.list_filter if name not in {"merchant", "is_superuser"})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if merchant_of(request) is None:
            return self.readonly_fields
        return (*self.readonly_fields, "is_superuser", "is_staff", "groups", "user_permissions")

    def save_model(self, request: HttpRequest, obj: StaffUser, form: Any, change: bool) -> None:
        # An operations-centre admin cannot see the flag, so moving a colleague to another role must take the
        # admin access with it rather than fail on the database's constraint.
        if not may_use_admin(Role(obj.role), is_platform_admin=obj.is_superuser):
            obj.is_staff = False
        super().save_model(request, obj, form, change)


class PlatformGroupAdmin(GroupAdmin):
    """Groups are shared by every merchant: only platform admins may see or change them."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


if admin.site.is_registered(Group):
    admin.site.unregister(Group)
admin.site.register(Group, PlatformGroupAdmin)
