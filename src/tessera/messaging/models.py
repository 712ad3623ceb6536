"""The transactional outbox: side effects recorded in the business transaction, delivered after it commits.

A row is written in the same transaction as the change that causes it, so a rolled-back sale never sends a
message and a committed one never loses it. Workers claim rows with a conditional UPDATE and handlers are
idempotent: delivery may happen twice, the effect must not.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    kind = models.CharField(_("kind"), max_length=64, help_text=_("What happened, e.g. points.expiring."))
    payload = models.JSONField(_("payload"), default=dict)
    locale = models.CharField(_("language"), max_length=8, default="en", help_text=_("Frozen when enqueued."))
    dedupe_key = models.CharField(
        _("deduplication key"), max_length=200, null=True, blank=True,
        help_text=_("Enqueueing the same key twice keeps the first message only."),
    )  # fmt: skip
    available_at = models.DateTimeField(_("available at"), db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=models.Q(dedupe_key__isnull=False), name="outbox_dedupe_key_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["available_at"], condition=models.Q(processed_at__isnull=True), name="outbox_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.id}"


class JobRun(models.Model):
    """One run of a scheduled programme job for one local date: the claim that stops it running twice.

    The unique (programme, job, local date) row is written before the job starts, so two workers racing for
    the same day insert it once; the loser moves on. A ``running`` row older than the lease was left by a worker
    that died, and may be retaken: jobs are idempotent, so finishing a half-done day again is safe.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    program = models.ForeignKey(
        # Runs are bookkeeping about a programme, not money: they go with it.
        "programs.Program",
        on_delete=models.CASCADE,
        related_name="job_runs",
        verbose_name=_("programme"),
    )
    job = models.CharField(_("job"), max_length=64)
    local_date = models.DateField(_("local date"), help_text=_("The day in the programme's time zone."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    attempts = models.PositiveIntegerField(
        _("attempts"), default=1, help_text=_("Runs started for this day; also the token of the current claim.")
    )
    worker = models.CharField(_("worker"), max_length=200, blank=True, help_text=_("Host and process of the run."))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["program_id", "job", "local_date"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        constraints = [
            models.UniqueConstraint(fields=["program", "job", "local_date"], name="job_run_once_per_day"),
            models.CheckConstraint(
                condition=models.Q(status__in=["running", "done", "failed"]), name="job_run_status_valid"
            ),
            # Only a running row may lack its finish time.
            models.CheckConstraint(
                condition=models.Q(status="running") | models.Q(finished_at__isnull=False),
                name="job_run_finished_when_not_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.local_date} ({self.status})"
