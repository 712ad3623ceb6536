"""Stored-value limits per programme: the per-card caps and custody ratio a jurisdiction's law asks for."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.programs.models import Program


class StoredValueProfile(models.Model):
    """The limits one programme's wallets obey; a programme without a profile has no cap beyond the maximum amount.

    Amounts are minor units of the programme's currency. The figures are configuration: ``rules.PROFILES`` holds
    the defaults shipped per jurisdiction (compliance.md), which a merchant may change.
    """

    class Jurisdiction(models.TextChoices):
        CN = "cn", _("China")
        KR = "kr", _("Korea")
        CUSTOM = "custom", _("Custom")

    program = models.OneToOneField(
        Program, on_delete=models.PROTECT, related_name="stored_value_profile", verbose_name=_("programme")
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=10, choices=Jurisdiction.choices)
    named_balance_max_minor = models.BigIntegerField(_("maximum balance of a named card"))
    anonymous_balance_max_minor = models.BigIntegerField(_("maximum balance of an anonymous card"))
    top_up_max_minor = models.BigIntegerField(_("maximum single top-up"), null=True, blank=True)
    custody_ratio_bp = models.PositiveIntegerField(
        _("custody deposit ratio"), help_text=_("In basis points of the outstanding balance: 2000 is twenty per cent.")
    )

    class Meta:
        verbose_name = _("stored-value profile")
        verbose_name_plural = _("stored-value profiles")
        ordering = ["program_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(named_balance_max_minor__gt=0, anonymous_balance_max_minor__gt=0),
                name="wallet_profile_caps_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(top_up_max_minor__isnull=True) | models.Q(top_up_max_minor__gt=0),
                name="wallet_profile_top_up_max_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(custody_ratio_bp__lte=10000), name="wallet_profile_custody_ratio"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.jurisdiction}"
