"""Monthly gift ladders (seed 002, design 1): points earned within one calendar month unlock gifts.

A ladder counts each member's points per programme-local calendar month in ``MemberPeriodPoints``; that count
is separate from the member's points balance on the ledger, which the ladder never touches. Crossing a step
unlocks a ``RewardGrant`` carrying a snapshot of the step's reward, to be claimed at a store before its claim
window closes; the coupon capability later turns a claimed grant's reward into a coupon.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.kit.ids import new_public_id
from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.rewards.rules import DAYS_AFTER_UNLOCK, END_OF_NEXT_MONTH
from tessera.stores.models import Store, Terminal

LANGUAGES = ("en", "zh-hans", "zh-hant", "ko")


def grant_public_id() -> str:
    return new_public_id("rwg")


class GiftLadder(models.Model):
    """Steps of points earned within one calendar month of the programme's time zone, each unlocking a gift."""

    class ClaimPolicy(models.TextChoices):
        DAYS_AFTER_UNLOCK = DAYS_AFTER_UNLOCK, _("A number of days after the gift is unlocked")
        END_OF_NEXT_MONTH = END_OF_NEXT_MONTH, _("Until the end of the next month")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="gift_ladders", verbose_name=_("programme")
    )
    name = models.CharField(_("ladder name"), max_length=200, help_text=_("For staff; members see the step names."))
    claim_policy = models.CharField(
        _("claim window"), max_length=32, choices=ClaimPolicy.choices, default=ClaimPolicy.END_OF_NEXT_MONTH
    )
    claim_days = models.PositiveIntegerField(
        _("claim within (days)"), null=True, blank=True,
        help_text=_("Days after the day the gift is unlocked; 0 means the same day only."),
    )  # fmt: skip
    active_from = models.DateField(_("active from"), help_text=_("First day counted, in the programme's time zone."))
    active_to = models.DateField(
        _("active to"), null=True, blank=True, help_text=_("First day no longer counted; empty: no end.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["program_id", "active_from", "id"]
        verbose_name = _("monthly gift ladder")
        verbose_name_plural = _("monthly gift ladders")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(claim_policy=END_OF_NEXT_MONTH)
                | models.Q(claim_policy=DAYS_AFTER_UNLOCK, claim_days__isnull=False),
                name="gift_ladder_claim_window_has_end",
                violation_error_message=_("A claim window in days needs the number of days."),
            ),
            models.CheckConstraint(
                condition=models.Q(active_to__isnull=True) | models.Q(active_to__gt=models.F("active_from")),
                name="gift_ladder_active_dates_ordered",
                violation_error_message=_("The last day must come after the first day."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


def validate_categories(value: object) -> None:
    if not isinstance(value, list) or not value or not all(isinstance(c, str) and c.strip() for c in value):
        raise ValidationError(_('List the categories as text, e.g. ["clothing"].'))


class GiftStep(models.Model):
    """One rung: reaching ``threshold_points`` in a month unlocks a cash coupon for the listed categories."""

    class RewardKind(models.TextChoices):
        CASH_COUPON = "cash_coupon", _("Cash coupon")

    ladder = models.ForeignKey(GiftLadder, on_delete=models.CASCADE, related_name="steps", verbose_name=_("ladder"))
    threshold_points = models.PositiveIntegerField(
        _("points in the month"), help_text=_("Points earned within one calendar month that unlock this gift.")
    )
    reward_kind = models.CharField(_("gift"), max_length=16, choices=RewardKind.choices, default=RewardKind.CASH_COUPON)
    amount_minor = models.BigIntegerField(
        _("coupon value (minor units)"), help_text=_("In the programme's currency, minor units; positive.")
    )
    categories = models.JSONField(
        _("valid on categories"), default=list, validators=[validate_categories],
        help_text=_('Product categories the coupon may pay for, e.g. ["clothing"].'),
    )  # fmt: skip
    usable_at_once = models.BooleanField(
        _("usable at once"), default=True, help_text=_("The coupon may pay for a purchase the moment it is claimed.")
    )
    valid_days = models.PositiveIntegerField(
        _("coupon valid for (days)"), null=True, blank=True, help_text=_("After it is claimed; empty: no end.")
    )

    class Meta:
        ordering = ["ladder_id", "threshold_points"]
        verbose_name = _("gift step")
        verbose_name_plural = _("gift steps")
        constraints = [
            models.UniqueConstraint(fields=["ladder", "threshold_points"], name="gift_step_unique_threshold"),
            models.CheckConstraint(
                condition=models.Q(threshold_points__gt=0),
                name="gift_step_threshold_positive",
                violation_error_message=_("The points needed must be above zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(amount_minor__gt=0),
                name="gift_step_amount_positive",
                violation_error_message=_("The coupon value must be above zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ladder} / {self.threshold_points}"


class GiftStepTranslation(models.Model):
    """What members read about a step, per language."""

    step = models.ForeignKey(GiftStep, on_delete=models.CASCADE, related_name="translations", verbose_name=_("step"))
    language_code = models.CharField(_("language"), max_length=8, choices=[(code, code) for code in LANGUAGES])
    name = models.CharField(_("gift name"), max_length=200)

    class Meta:
        ordering = ["step_id", "language_code"]
        verbose_name = _("gift step translation")
        verbose_name_plural = _("gift step translations")
        constraints = [
            models.UniqueConstraint(fields=["step", "language_code"], name="gift_step_translation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.language_code}: {self.name}"


class MemberPeriodPoints(models.Model):
    """Points a member earned in one programme-local calendar month, as counted by one ladder.

    Returns take points off the month the sale was in, never below zero. This is a counter, not a balance:
    the ledger's member points account is unaffected by anything here.
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    ladder = models.ForeignKey(GiftLadder, on_delete=models.PROTECT, related_name="+", verbose_name=_("ladder"))
    month = models.DateField(_("month"), help_text=_("First day of the month, in the programme's time zone."))
    points = models.BigIntegerField(_("points in the month"), default=0, help_text=_("Net of returns; not negative."))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["member_id", "ladder_id", "month"]
        verbose_name = _("monthly points")
        verbose_name_plural = _("monthly points")
        constraints = [
            models.UniqueConstraint(fields=["member", "ladder", "month"], name="member_period_points_unique"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="member_period_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m}: {self.points}"


class RewardGrant(models.Model):
    """A gift a member unlocked in one month: claimable until ``claim_until``, then lost.

    States: unlocked -> claimed (at a store, by a till or staff member), unlocked -> lost (claim window closed),
    unlocked -> revoked (a return took the month back below the step). Claimed, lost and revoked are final.
    """

    class State(models.TextChoices):
        UNLOCKED = "unlocked", _("Unlocked")
        CLAIMED = "claimed", _("Claimed")
        LOST = "lost", _("Lost")
        REVOKED = "revoked", _("Revoked")

    public_id = models.CharField(_("public ID"), max_length=40, unique=True, default=grant_public_id, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="reward_grants", verbose_name=_("member"), db_index=False
    )  # reward_grant_member_month_idx serves lookups by member
    step = models.ForeignKey(GiftStep, on_delete=models.PROTECT, related_name="grants", verbose_name=_("step"))
    month = models.DateField(_("month"), help_text=_("First day of the month whose points unlocked the gift."))
    reward = models.JSONField(
        _("reward"), default=dict, help_text=_("The step's reward as it was when unlocked (kind, amount, categories).")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.UNLOCKED)
    unlocked_at = models.DateTimeField(_("unlocked at"))
    claim_until = models.DateTimeField(_("claim until"), help_text=_("Claims at or after this moment are refused."))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("claimed at store")
    )
    claimed_terminal = models.ForeignKey(
        Terminal, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("claimed by terminal"),
    )  # fmt: skip
    claimed_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("claimed by staff member"),
    )  # fmt: skip
    lost_at = models.DateTimeField(_("lost at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["unlocked", "claimed", "lost", "revoked"]), name="reward_grant_state"
            ),
            # Once per step and month; a revoked gift frees the slot, so crossing the step again unlocks it again.
            models.UniqueConstraint(
                fields=["member", "step", "month"],
                condition=~models.Q(state="revoked"),
                name="reward_grant_once_per_month",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(state="claimed", claimed_at__isnull=False, claimed_store__isnull=False)
                    | (~models.Q(state="claimed") & models.Q(claimed_at__isnull=True))
                ),
                name="reward_grant_claim_recorded",
            ),
        ]
        indexes = [
            # The lapse job's scan: open gifts of one programme by the end of their window.
            models.Index(
                fields=["program", "claim_until"],
                condition=models.Q(state="unlocked"),
                name="reward_grant_open_idx",
            ),
            models.Index(fields=["member", "month"], name="reward_grant_member_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.state})"
