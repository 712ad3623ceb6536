"""Counting a member's points per calendar month and unlocking or revoking gifts as the month's count moves.

Called by checkout inside its transaction, after it has locked the member's accounts: those locks serialise
every sale and return of one member, so the read-modify-write of the month's counter needs no lock of its own.

The rules, in order:

* A sale's points count toward the programme-local calendar month of its ``event_at``. A return passes the
  original sale's ``event_at`` and negative points, so it comes off the month the sale was in, even when the
  return happens months later. One month's points never count toward another's.
* A month's counter never goes below zero (see ``_counter_sql``).
* After a sale, every step the month has reached and for which the member holds no live gift that month is
  unlocked: each step at most once per month. A step added to a ladder mid-month unlocks at the next sale.
* After a return, every still-unclaimed gift of that month whose step is now above the counter is revoked.
  A claimed gift stays claimed: it was handed over at the counter (its coupon may be spent already), and the
  return's refund is where the merchant recovers value, not the gift. A lost gift stays lost. A revoked gift
  frees its step, so buying back over the threshold in the same month unlocks it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection

from tessera.kit.db import (
    Read,
    assert_in_transaction,
    columns_of,
    db_datetime,
    db_json,
    models_from_row,
    sql_reads,
    sql_rows,
    sql_run,
)
from tessera.programs.config_cache import config_cached
from tessera.programs.models import Program
from tessera.rewards.models import GiftLadder, GiftStep, MemberPeriodPoints, RewardGrant, grant_public_id
from tessera.rewards.rules import (
    ClaimWindow,
    Step,
    is_active,
    local_date,
    month_start,
    steps_above,
    steps_to_unlock,
)

_COUNTERS = MemberPeriodPoints._meta.db_table
_GRANTS = RewardGrant._meta.db_table


@dataclass(frozen=True, slots=True)
class _Ladder:
    ladder: GiftLadder
    steps: list[GiftStep]
    timezone: str
    currency: str

    def step_rules(self) -> list[Step]:
        return [Step(step_id=s.id, threshold_points=s.threshold_points) for s in self.steps]


@dataclass(frozen=True, slots=True)
class GiftMonth:
    """A member's month on the programme's gift ladders, read under their lock: counters and live steps."""

    day: date  # the programme-local day of the fact
    counters: dict[int, int]  # ladder id -> the month's points so far
    live: frozenset[int]  # steps with a gift this month that is not revoked (unlocked, claimed or lost)

    @property
    def month(self) -> date:
        return month_start(self.day)


def gift_month_read(*, member_id: int, program: Program, event_at: datetime) -> Read[GiftMonth] | None:
    """The member's month of ``event_at`` on the programme's gift ladders, to send with the account lock.

    None: the programme has no gift ladder, so there is nothing to read.
    """
    if not _ladders_for(program):
        return None
    day = local_date(event_at, program.timezone)
    month = connection.ops.adapt_datefield_value(month_start(day))
    return Read(
        f"SELECT ladder_id, points, NULL FROM {_COUNTERS} WHERE member_id = %s AND month = %s"  # noqa: S608
        f" UNION ALL SELECT NULL, NULL, step_id FROM {_GRANTS}"
        " WHERE member_id = %s AND month = %s AND NOT (state = 'revoked')",
        [member_id, month, member_id, month],
        lambda rows: GiftMonth(
            day=day,
            counters={int(r[0]): int(r[1]) for r in rows if r[0] is not None},
            live=frozenset(int(r[2]) for r in rows if r[2] is not None),
        ),
    )


def gift_ladder_record(
    *, member_id: int, program: Program, points: int, event_at: datetime, now: datetime, seen: GiftMonth | None = None
) -> list[str]:
    """Add ``points`` (negative for a return) to the member's month on every active ladder of the programme.

    The caller holds the member's account locks. ``event_at`` is the sale's till time; for a return, pass the
    original sale's ``event_at`` so the points come off the month they were earned in. ``now`` is when Tessera
    records it (claim windows start then). ``seen`` is the month as checkout read it with the lock
    (``gift_month_read``); without it the month is read here. A sale's writes wait for no answer; a return
    reads back the gifts it revoked.

    Returns the public ids of the gifts this call changed, oldest first: newly unlocked ones (after a sale) or
    newly revoked ones (after a return). The member's points balance on the ledger is not touched.
    """
    assert_in_transaction()
    ladders = _ladders_for(program)
    if points == 0 or not ladders:
        return []
    if seen is None or seen.day != local_date(event_at, program.timezone):
        seen = sql_reads([gift_month_read(member_id=member_id, program=program, event_at=event_at)])[0]
        assert seen is not None
    changed: list[str] = []
    for config in ladders:
        if not is_active(seen.day, active_from=config.ladder.active_from, active_to=config.ladder.active_to):
            continue
        before = seen.counters.get(config.ladder.id)
        if points < 0 and before is None:
            continue  # a return into a month with no counter has nothing to take back
        total = max(0, (before or 0) + points)
        _counter_add(member_id=member_id, ladder_id=config.ladder.id, month=seen.month, points=points, now=now)
        if points > 0:
            fresh = {s.step_id for s in steps_to_unlock(config.step_rules(), total, seen.live)}
            steps = [s for s in config.steps if s.id in fresh]
            changed += _unlock(config, steps, member_id=member_id, program_id=program.id, month=seen.month, now=now)
        else:
            changed += _revoke(config, member_id=member_id, month=seen.month, total=total, now=now)
    return changed


def _ladders_for(program: Program) -> tuple[_Ladder, ...]:
    program_id = program.id
    ladders: tuple[_Ladder, ...] = config_cached("rewards.ladders", program, lambda: _ladders(program_id))
    return ladders


def _ladders(program_id: int) -> tuple[_Ladder, ...]:
    # One statement for every ladder and step of the programme; checkout caches it per configuration version.
    rows = sql_rows(
        f"SELECT {columns_of(GiftLadder, 'l')}, {columns_of(GiftStep, 's')}, p.timezone, p.currency"  # noqa: S608
        f" FROM {GiftLadder._meta.db_table} l JOIN {Program._meta.db_table} p ON p.id = l.program_id"
        f" JOIN {GiftStep._meta.db_table} s ON s.ladder_id = l.id"
        " WHERE l.program_id = %s ORDER BY l.id, s.threshold_points",
        [program_id],
    )
    by_ladder: dict[int, _Ladder] = {}
    for row in rows:
        ladder, step = models_from_row(row[:-2], GiftLadder, GiftStep)
        assert isinstance(ladder, GiftLadder)
        assert isinstance(step, GiftStep)
        config = by_ladder.setdefault(ladder.id, _Ladder(ladder, [], timezone=row[-2], currency=row[-1]))
        config.steps.append(step)
    return tuple(by_ladder.values())


def _counter_sql(*, positive: bool) -> str:
    if positive:
        return (
            f"INSERT INTO {_COUNTERS} (member_id, ladder_id, month, points, updated_at)"  # noqa: S608
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (member_id, ladder_id, month)"
            f" DO UPDATE SET points = {_COUNTERS}.points + excluded.points, updated_at = excluded.updated_at"
        )
    # Floor at zero: a return can only take back points its sale put in, but a sale made before the ladder
    # began was never counted, and its return must not leave the month negative. A return into a month with
    # no counter has nothing to take back, so it updates nothing.
    return (
        f"UPDATE {_COUNTERS} SET points = CASE WHEN points + %s < 0 THEN 0 ELSE points + %s END,"  # noqa: S608
        " updated_at = %s WHERE member_id = %s AND ladder_id = %s AND month = %s"
    )


def _counter_add(*, member_id: int, ladder_id: int, month: date, points: int, now: datetime) -> None:
    day = connection.ops.adapt_datefield_value(month)
    if points > 0:
        params: list[Any] = [member_id, ladder_id, day, points, db_datetime(now)]
    else:
        params = [points, points, db_datetime(now), member_id, ladder_id, day]
    sql_run(_counter_sql(positive=points > 0), params)


def _unlock(
    config: _Ladder, steps: list[GiftStep], *, member_id: int, program_id: int, month: date, now: datetime
) -> list[str]:
    """Unlock ``steps``: reached this month, with no live gift yet (known from the month read under the lock)."""
    if not steps:
        return []
    ladder = config.ladder
    window = ClaimWindow(policy=ladder.claim_policy, days=ladder.claim_days)
    # Windows run from when Tessera records the crossing (a till syncing late does not shorten them).
    claim_until = window.closes_at(month=month, unlocked_at=now, timezone=config.timezone)
    day, at = connection.ops.adapt_datefield_value(month), db_datetime(now)
    values = [
        (grant_public_id(), program_id, member_id, step.id, day, db_json(_reward(step, config.currency)),
         RewardGrant.State.UNLOCKED.value, at, db_datetime(claim_until), at)
        for step in steps
    ]  # fmt: skip
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(values))
    # The partial unique index (live gifts only) keeps "each step once per month" even for a caller that forgot
    # the lock; under the lock nothing else inserts this member's gifts, so every row here is new.
    sql_run(
        f"INSERT INTO {_GRANTS} (public_id, program_id, member_id, step_id, month, reward, state,"  # noqa: S608
        " unlocked_at, claim_until, created_at) VALUES " + placeholders +
        " ON CONFLICT (member_id, step_id, month) WHERE NOT (state = 'revoked') DO NOTHING",
        [value for row in values for value in row],
    )  # fmt: skip
    return [row[0] for row in values]


def _revoke(config: _Ladder, *, member_id: int, month: date, total: int, now: datetime) -> list[str]:
    above = [s.step_id for s in steps_above(config.step_rules(), total)]
    if not above:
        return []
    marks = ", ".join(["%s"] * len(above))
    rows = sql_rows(
        f"UPDATE {_GRANTS} SET state = 'revoked', revoked_at = %s"  # noqa: S608
        f" WHERE member_id = %s AND month = %s AND state = 'unlocked' AND step_id IN ({marks})"
        " RETURNING id, public_id",
        [db_datetime(now), member_id, connection.ops.adapt_datefield_value(month), *above],
    )
    return [public_id for _, public_id in sorted(rows)]


def _reward(step: GiftStep, currency: str) -> dict[str, Any]:
    """The step's reward as the coupon capability will read it; frozen on the grant at unlock."""
    return {
        "kind": step.reward_kind,
        "amount_minor": step.amount_minor,
        "currency": currency,
        "categories": list(step.categories),
        "usable_at_once": step.usable_at_once,
        "valid_days": step.valid_days,
    }
