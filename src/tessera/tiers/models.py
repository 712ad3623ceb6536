"""Tier ladders: the tiers members climb, what each gives, and where each member stands in their window.

A programme has at most one active ladder. A member's place on it (``MemberTier``) is created by the first fact
checkout records; members without one hold the base tier. ``TierEvent`` is the append-only history of changes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.members.models import Member
from tessera.programs.models import Program
from tessera.tiers.rules import Combine, Downgrade, Measure, Reason, WindowKind
from tessera.tiers.rules.validation import LadderSettings, TierTerms, settings_problems, tier_problems

LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese")), ("zh-hant", _("Traditional Chinese")),
             ("ko", _("Korean"))]  # fmt: skip


class TierLadder(models.Model):
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="tier_ladders", verbose_name=_("programme")
    )
    name = models.CharField(_("ladder name"), max_length=200)
    measure = models.CharField(_("qualifying measure"), max_length=32, choices=Measure.choices)
    second_measure = models.CharField(
        _("second measure"), max_length=32, choices=Measure.choices, null=True, blank=True,
        help_text=_("Optional: qualify on a combination of two measures."),
    )  # fmt: skip
    combine = models.CharField(
        _("combine the measures with"), max_length=8, choices=Combine.choices, null=True, blank=True
    )
    window_kind = models.CharField(_("window"), max_length=32, choices=WindowKind.choices)
    window_months = models.PositiveSmallIntegerField(
        _("window length (months)"), null=True, blank=True, help_text=_("Rolling windows only.")
    )
    downgrade = models.CharField(
        _("at the end of a window"), max_length=16, choices=Downgrade.choices, default=Downgrade.REEVALUATE
    )
    grace_days = models.IntegerField(
        _("grace period (days)"), default=0,
        help_text=_("A member due to move down keeps the tier this many days, and stays if they requalify."),
    )  # fmt: skip
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["program_id", "id"]
        verbose_name = _("tier ladder")
        verbose_name_plural = _("tier ladders")
        constraints = [
            models.UniqueConstraint(
                fields=["program"], condition=models.Q(is_active=True), name="tier_ladder_one_active_per_program",
                violation_error_message=_("The programme already has an active tier ladder."),
            ),
            models.CheckConstraint(
                condition=models.Q(window_kind="rolling_months", window_months__gte=1)
                | (~models.Q(window_kind="rolling_months") & models.Q(window_months__isnull=True)),
                name="tier_ladder_rolling_has_months",
                violation_error_message=_("A rolling window needs its length: a number of months, 1 or more."),
            ),
            models.CheckConstraint(
                condition=models.Q(second_measure__isnull=True, combine__isnull=True)
                | models.Q(second_measure__isnull=False, combine__in=["and", "or"]),
                name="tier_ladder_combination_complete",
                violation_error_message=_("A second measure and how to combine it go together."),
            ),
            models.CheckConstraint(condition=models.Q(grace_days__gte=0), name="tier_ladder_grace_not_negative"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def settings(self) -> LadderSettings:
        return LadderSettings(
            measure=self.measure, second_measure=self.second_measure or None, combine=self.combine or None,
            window=self.window_kind, window_months=self.window_months, downgrade=self.downgrade,
            grace_days=self.grace_days if self.grace_days is not None else 0,
        )  # fmt: skip

    def clean(self) -> None:
        if problems := settings_problems(self.settings()):
            raise ValidationError(problems)


class Tier(models.Model):
    ladder = models.ForeignKey(TierLadder, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("ladder"))
    rank = models.PositiveSmallIntegerField(
        _("rank"), help_text=_("0 is the base tier; higher ranks are higher tiers.")
    )
    code = models.CharField(_("tier code"), max_length=32)
    threshold = models.BigIntegerField(
        _("threshold"), default=0,
        help_text=_("What the measure must reach, in its units: minor units for money, points, or a count."),
    )  # fmt: skip
    second_threshold = models.BigIntegerField(
        _("second threshold"), null=True, blank=True, help_text=_("What the second measure must reach, if any.")
    )
    discount_bp = models.IntegerField(
        _("discount (basis points)"),
        default=0,
        help_text=_("10000 basis points are the whole price; 1000 is a tenth off."),
    )
    excluded_categories = models.JSONField(
        _("categories without the discount"), default=list, blank=True, help_text=_("A list of category names.")
    )
    multiplier_permille = models.IntegerField(
        _("points multiplier (per mille)"), default=1000, help_text=_("1000 earns ×1, 1500 earns ×1.5.")
    )
    service_codes = models.JSONField(
        _("service codes"), default=list, blank=True,
        help_text=_("Stable codes of the services the tier lists; the wording is in its translations."),
    )  # fmt: skip

    class Meta:
        ordering = ["ladder_id", "rank"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            models.UniqueConstraint(fields=["ladder", "rank"], name="tier_rank_unique_per_ladder"),
            models.UniqueConstraint(fields=["ladder", "code"], name="tier_code_unique_per_ladder"),
            models.CheckConstraint(
                condition=models.Q(discount_bp__gte=0, discount_bp__lte=10000), name="tier_discount_bp_range",
                violation_error_message=_("The discount must be 0 to 10000 basis points (0 to 100 per cent)."),
            ),
            models.CheckConstraint(
                condition=models.Q(multiplier_permille__gt=0), name="tier_multiplier_positive",
                violation_error_message=_("The points multiplier must be more than zero (1000 per mille earns ×1)."),
            ),
            models.CheckConstraint(condition=models.Q(threshold__gte=0), name="tier_threshold_not_negative"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.code

    def terms(self) -> TierTerms:
        return TierTerms(
            code=self.code, threshold=self.threshold or 0, second_threshold=self.second_threshold,
            discount_bp=self.discount_bp or 0, multiplier_permille=self.multiplier_permille or 0,
            excluded_categories=self.excluded_categories,
        )  # fmt: skip

    def clean(self) -> None:
        has_second = bool(self.ladder.second_measure) if self.ladder_id else None
        if problems := tier_problems(self.terms(), has_second=has_second):
            raise ValidationError(problems)


class TierTranslation(models.Model):
    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="translations", verbose_name=_("tier"))
    language_code = models.CharField(_("language"), max_length=8, choices=LANGUAGES)
    name = models.CharField(_("tier name"), max_length=100)
    description = models.TextField(_("tier description"), blank=True)
    services = models.TextField(_("services"), blank=True, help_text=_("The services the tier lists, one per line."))

    class Meta:
        ordering = ["tier_id", "language_code"]
        verbose_name = _("tier translation")
        verbose_name_plural = _("tier translations")
        constraints = [
            models.UniqueConstraint(fields=["tier", "language_code"], name="tier_translation_unique_language"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language_code})"


class MemberTier(models.Model):
    """A member's current tier on one ladder and the counters of their current window.

    Dates are local dates in the programme's time zone; ``window_end`` is the first day of the next window
    (exclusive), empty for a lifetime window. Changed only under the member's account locks (checkout) or by the
    evaluation job, which locks the rows it moves.
    """

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="tiers", verbose_name=_("member"), db_index=False
    )
    ladder = models.ForeignKey(
        TierLadder, on_delete=models.PROTECT, related_name="+", verbose_name=_("ladder"), db_index=False
    )
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+", verbose_name=_("tier"), db_index=False)
    since = models.DateTimeField(_("tier held since"))
    anchor_on = models.DateField(
        _("window anchor"), null=True, blank=True,
        help_text=_("The card date the windows follow; empty for calendar windows."),
    )  # fmt: skip
    window_start = models.DateField(_("window start"))
    window_end = models.DateField(_("window end (exclusive)"), null=True, blank=True)
    points = models.BigIntegerField(
        _("points in the window"), default=0, help_text=_("Net of returns; may be negative.")
    )
    spend_minor = models.BigIntegerField(
        _("spend in the window (minor units)"), default=0, help_text=_("Net of returns; may be negative.")
    )
    stored_value_minor = models.BigIntegerField(
        _("stored value put in during the window (minor units)"), default=0, help_text=_("Principal topped up.")
    )
    purchase_count = models.IntegerField(_("purchases in the window"), default=0)
    lifetime_spend_minor = models.BigIntegerField(
        _("lifetime spend (minor units)"), default=0, help_text=_("Counted since the member joined the ladder.")
    )
    pending_tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, related_name="+", null=True, blank=True, db_index=False,
        verbose_name=_("moving down to"),
    )  # fmt: skip
    pending_on = models.DateField(_("moving down on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("member tier")
        verbose_name_plural = _("member tiers")
        constraints = [
            models.UniqueConstraint(fields=["member", "ladder"], name="member_tier_unique_per_ladder"),
            models.CheckConstraint(
                condition=models.Q(pending_tier__isnull=True, pending_on__isnull=True)
                | models.Q(pending_tier__isnull=False, pending_on__isnull=False),
                name="member_tier_pending_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(window_end__isnull=True) | models.Q(window_end__gt=models.F("window_start")),
                name="member_tier_window_not_empty",
            ),
        ]
        indexes = [
            # The evaluation job walks due windows and due grace ends in (date, id) order per ladder.
            models.Index(fields=["ladder", "window_end", "id"], name="member_tier_due_idx"),
            models.Index(
                fields=["ladder", "pending_on", "id"], condition=models.Q(pending_on__isnull=False),
                name="member_tier_grace_idx",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.member_id} @ {self.tier_id}"


class TierEvent(models.Model):
    """One tier change, append-only: joining the ladder, an upgrade, or a window or grace end.

    Its references carry no database foreign keys, on purpose: every row is copied from a MemberTier row whose
    own keys are checked, and the evaluation job writes up to a million events a night, where a deferred key
    check per row cost more than a third of the run. Deleting a tier or member through Django is still refused
    while events refer to it (``PROTECT``).
    """

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"), db_index=False,
        db_constraint=False,
    )  # fmt: skip
    ladder = models.ForeignKey(
        TierLadder, on_delete=models.PROTECT, related_name="+", verbose_name=_("ladder"), db_index=False,
        db_constraint=False,
    )  # fmt: skip
    from_tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, related_name="+", null=True, blank=True, db_index=False,
        db_constraint=False, verbose_name=_("from tier"),
    )  # fmt: skip
    to_tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
        verbose_name=_("to tier"),
    )  # fmt: skip
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    value = models.BigIntegerField(
        _("measured value"), help_text=_("The qualifying measure's value when the change happened.")
    )
    second_value = models.BigIntegerField(_("second measured value"), null=True, blank=True)
    window_start = models.DateField(_("window start"))
    window_end = models.DateField(_("window end (exclusive)"), null=True, blank=True)
    event_at = models.DateTimeField(_("changed at"))
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("tier event")
        verbose_name_plural = _("tier events")
        indexes = [models.Index(fields=["member", "id"], name="tier_event_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_tier_id} -> {self.to_tier_id} ({self.reason})"
