"""Pure rules of the outbox relay and the programme jobs: back-off, dead letters and which local days are due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def retry_delay(*, attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """The wait after the ``attempts``-th failed delivery: base, 2 x base, 4 x base, ..., never above ``cap``."""
    if attempts < 1:
        return base
    # Capped before multiplying, so a message that failed a thousand times cannot overflow timedelta.
    doublings = min(attempts - 1, 32)
    delay: timedelta = base * (2**doublings)
    return min(delay, cap)


def is_dead_letter(*, attempts: int, processed: bool, attempts_max: int) -> bool:
    """A message nobody will try again: unprocessed after every attempt allowed."""
    return not processed and attempts >= attempts_max


def latest_due_date(*, now: datetime, timezone: str, at_local_time: time) -> date:
    """The newest local date whose run time (``at_local_time`` on that date, in ``timezone``) has passed.

    With the default 00:00 that is today's local date: the day's local midnight has passed as soon as it starts.
    Wall-clock comparison on purpose: on a daylight-saving day the run follows the clock on the wall.
    """
    local = now.astimezone(ZoneInfo(timezone))
    today = local.date()
    return today if local.time().replace(tzinfo=None) >= at_local_time else today - timedelta(days=1)


def local_dates_due(*, latest: date, last_done: date | None, open_dates: Iterable[date]) -> list[date]:
    """The local dates a job still has to run for, oldest first.

    Every day after the last completed one up to ``latest`` (a worker down for three days catches up three
    days), plus any earlier day whose run failed or was left running. A job that has never run starts at
    ``latest``: registering a job does not replay the programme's whole history.
    """
    opened = sorted({d for d in open_dates if d <= latest})
    if last_done is not None:
        start = last_done + timedelta(days=1)
    elif opened:
        start = opened[0]
    else:
        start = latest
    days = {start + timedelta(days=n) for n in range(max((latest - start).days + 1, 0))}
    return sorted(days.union(opened))
