"""Reads of the messaging area: what the relay may deliver, what the job scheduler has done, and status views."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from tessera.messaging.models import JobRun, OutboxMessage
from tessera.programs.models import Program


def outbox_due_ids(*, now: datetime, kinds: Iterable[str], attempts_max: int, limit: int) -> list[int]:
    """Ids of messages of ``kinds`` due by ``now`` that may still be tried, oldest due first.

    Only kinds with a registered handler are offered: a message whose handler ships later waits for it
    instead of burning its attempts.
    """
    return list(
        OutboxMessage.objects.filter(
            processed_at__isnull=True, available_at__lte=now, attempts__lt=attempts_max, kind__in=list(kinds)
        )
        .order_by("available_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def outbox_dead_letters(*, attempts_max: int) -> Q:
    """The filter for dead letters: unprocessed after every allowed attempt."""
    return Q(processed_at__isnull=True, attempts__gte=attempts_max)


@dataclass(frozen=True)
class KindCounts:
    kind: str
    due: int
    waiting: int
    dead: int
    processed: int


def outbox_counts(*, now: datetime, attempts_max: int) -> list[KindCounts]:
    """Per kind: messages due now, waiting for a retry or their time, dead letters, and processed ones kept."""
    alive = Q(processed_at__isnull=True, attempts__lt=attempts_max)
    rows = (
        OutboxMessage.objects.order_by()
        .values("kind")
        .annotate(
            due=Count("id", filter=alive & Q(available_at__lte=now)),
            waiting=Count("id", filter=alive & Q(available_at__gt=now)),
            dead=Count("id", filter=outbox_dead_letters(attempts_max=attempts_max)),
            processed=Count("id", filter=Q(processed_at__isnull=False)),
        )
        .order_by("kind")
    )
    return [KindCounts(**row) for row in rows]


@dataclass
class JobProgress:
    """What the scheduler knows of one job in one programme: its last completed day and its unfinished days."""

    last_done: date | None = None
    open_dates: list[date] = field(default_factory=list)


def job_progress(*, jobs: Iterable[str]) -> dict[tuple[int, str], JobProgress]:
    """Progress of each (programme id, job) that has any run; two aggregate queries whatever the history."""
    names = list(jobs)
    progress: dict[tuple[int, str], JobProgress] = defaultdict(JobProgress)
    done = (
        JobRun.objects.filter(job__in=names, status=JobRun.Status.DONE)
        .order_by()
        .values_list("program_id", "job")
        .annotate(last=Max("local_date"))
    )
    for program_id, job, last in done:
        progress[(program_id, job)].last_done = last
    unfinished = JobRun.objects.filter(job__in=names).exclude(status=JobRun.Status.DONE)
    for program_id, job, local_date in unfinished.values_list("program_id", "job", "local_date"):
        progress[(program_id, job)].open_dates.append(local_date)
    return dict(progress)


def program_timezones() -> list[tuple[int, str]]:
    """(id, IANA time zone) of every programme, in id order."""
    return list(Program.objects.order_by("id").values_list("id", "timezone"))


def program_by_public_id(*, public_id: str) -> Program | None:
    return Program.objects.filter(public_id=public_id).first()


def job_run_status(*, program_id: int | None = None) -> QuerySet[JobRun]:
    """For each programme and job, its newest run and every run that is not done, oldest day first."""
    newest = (
        JobRun.objects.filter(program_id=OuterRef("program_id"), job=OuterRef("job"))
        .order_by("-local_date")
        .values("local_date")[:1]
    )
    runs = JobRun.objects.select_related("program").filter(
        Q(local_date=Subquery(newest)) | ~Q(status=JobRun.Status.DONE)
    )
    runs = runs if program_id is None else runs.filter(program_id=program_id)
    return runs.order_by("program_id", "job", "local_date")
