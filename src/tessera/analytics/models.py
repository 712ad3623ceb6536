"""RFM runs: one per programme and reference date, with the cuts and thresholds that decide every member's
scores, and a summary of cells.

A run is written once, by ``services.rfm_run_create``, and never changed. It stores no row per member: a
member's scores are a function of their statistics and the run's cuts and thresholds (``rfm_sql``,
``selectors``); the cells hold the counts as they stood at the run. The rules are in ``rules.py`` and
docs/analytics.md.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.analytics.rules import Segment, Stage, ThresholdSource, WorkingGroup
from tessera.programs.models import Program


class RfmRun(models.Model):
    """One scoring of a programme's members at a reference date, with the thresholds and edges it used."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    reference_date = models.DateField(
        _("reference date"),
        help_text=_("Recency is counted in whole days from the local date of the last purchase to this date."),
    )
    timezone = models.CharField(_("time zone"), max_length=64)
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(_("created at"))
    # The programme's run before this one, to compare counts with.
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("previous run")
    )
    members_scored = models.PositiveIntegerField(_("members scored"), default=0)
    repeat_buyers = models.PositiveIntegerField(_("repeat buyers learned from"))
    typical_days = models.PositiveSmallIntegerField(_("typical interval (days)"))
    at_risk_days = models.PositiveSmallIntegerField(_("at risk after (days)"))
    lapsed_days = models.PositiveSmallIntegerField(_("lapsed after (days)"))
    thresholds_source = models.CharField(_("thresholds"), max_length=8, choices=ThresholdSource.choices)
    # {"recency_days" | "frequency" | "monetary_minor": [[lowest, highest] for scores 1..5]}; money in minor units.
    quintile_edges = models.JSONField(_("quintile edges"), default=dict)
    # {"recency_days" | "frequency" | "monetary_minor": [four ascending cuts]}: a value scores one more than the
    # number of cuts below it (``rules.score_of``; R turned round). With the thresholds, what scores a member.
    score_cuts = models.JSONField(_("score cuts"), default=dict)

    class Meta:
        verbose_name = _("RFM run")
        verbose_name_plural = _("RFM runs")
        constraints = [
            models.UniqueConstraint(fields=["program", "reference_date"], name="rfm_run_one_per_reference_date"),
            models.CheckConstraint(
                condition=models.Q(
                    typical_days__gte=1,
                    at_risk_days__gte=models.F("typical_days"),
                    lapsed_days__gt=models.F("at_risk_days"),
                ),
                name="rfm_run_thresholds_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(thresholds_source__in=ThresholdSource.values), name="rfm_run_thresholds_source"
            ),
        ]

    def __str__(self) -> str:
        return f"RFM {self.program_id} {self.reference_date}"


class RfmCell(models.Model):
    """How many of a run's members share R, F and M scores, working group and stage, and their value ranges.

    Every count a dashboard shows (segments, the R-F grid, groups, stages, crossings of them) is a sum of cells,
    so it is read from a few hundred rows, as it stood at the run.
    """

    run = models.ForeignKey(RfmRun, on_delete=models.PROTECT, related_name="cells", verbose_name=_("RFM run"))
    r_score = models.PositiveSmallIntegerField(_("R score"))
    f_score = models.PositiveSmallIntegerField(_("F score"))
    m_score = models.PositiveSmallIntegerField(_("M score"))
    segment = models.PositiveSmallIntegerField(_("segment"), choices=Segment.choices)
    working_group = models.PositiveSmallIntegerField(_("working group"), choices=WorkingGroup.choices)
    stage = models.PositiveSmallIntegerField(_("lifecycle stage"), choices=Stage.choices)
    members = models.PositiveIntegerField(_("members"))
    recency_min = models.PositiveIntegerField(_("fewest days since the last purchase"))
    recency_max = models.PositiveIntegerField(_("most days since the last purchase"))
    frequency_min = models.PositiveIntegerField(_("fewest purchases"))
    frequency_max = models.PositiveIntegerField(_("most purchases"))
    monetary_min = models.BigIntegerField(_("lowest net spend (minor units)"))
    monetary_max = models.BigIntegerField(_("highest net spend (minor units)"))
    monetary_sum = models.BigIntegerField(_("net spend (minor units)"), help_text=_("Sum over the cell's members."))

    class Meta:
        verbose_name = _("RFM cell")
        verbose_name_plural = _("RFM cells")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "r_score", "f_score", "m_score", "working_group", "stage"], name="rfm_cell_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.r_score}{self.f_score}{self.m_score}: {self.members}"
