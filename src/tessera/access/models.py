"""Staff users with a role and a scope: their merchant, their stores and (once staff can have one) an alliance."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.access.rules import ADMIN_ROLES, Role, Scope
from tessera.kit import ids
from tessera.stores.models import Alliance, Merchant, Store


class StaffUser(AbstractUser):
    class RoleChoice(models.TextChoices):
        CASHIER = Role.CASHIER.value, _("Shop guide or cashier")
        CUSTOMER_SERVICE = Role.CUSTOMER_SERVICE.value, _("Customer service")
        STORE_MANAGER = Role.STORE_MANAGER.value, _("Store manager")
        HQ_ADMIN = Role.HQ_ADMIN.value, _("Operations centre (headquarters)")
        ALLIANCE_ADMIN = Role.ALLIANCE_ADMIN.value, _("Alliance administrator")
        AUDITOR = Role.AUDITOR.value, _("Auditor (read-only)")

    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=ids.staff_id, editable=False)
    role = models.CharField(_("role"), max_length=32, choices=RoleChoice.choices, default=RoleChoice.CASHIER)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("merchant")
    )
    stores = models.ManyToManyField(Store, blank=True, related_name="staff", verbose_name=_("stores"))
    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("alliance"),
        help_text=_("For an alliance administrator: the alliance whose statements they read."),
    )  # fmt: skip
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=True) | models.Q(merchant__isnull=False),
                name="staff_has_merchant_unless_platform_admin",
            ),
            # Django's admin lets in any active user with is_staff: allowing the flag only to platform admins
            # and the roles of ADMIN_ROLES is what keeps cashiers, auditors and the rest out of it.
            models.CheckConstraint(
                condition=models.Q(is_staff=False)
                | models.Q(is_superuser=True)
                | models.Q(role__in=sorted(r.value for r in ADMIN_ROLES)),
                name="staff_admin_only_platform_or_operations",
            ),
        ]

    def scope(self) -> Scope:
        # Only an alliance administrator reaches an alliance; anyone else's link to one is ignored.
        alliance_id = self.alliance_id if Role(self.role) is Role.ALLIANCE_ADMIN else None
        return Scope(
            role=Role(self.role),
            merchant_id=self.merchant_id,
            store_ids=frozenset(self.stores.values_list("id", flat=True)),
            is_platform_admin=self.is_superuser,
            alliance_id=alliance_id,
        )


class StaffApiToken(models.Model):
    """An API token for a staff member (headquarters tools). Only a SHA-256 of the secret is kept."""

    staff = models.ForeignKey(
        StaffUser, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("staff member")
    )
    lookup = models.CharField(_("lookup"), max_length=16, unique=True)
    secret_sha256 = models.CharField(_("secret digest"), max_length=64)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("staff API token")
        verbose_name_plural = _("staff API tokens")

    def __str__(self) -> str:
        return f"tst_{self.lookup}…"
