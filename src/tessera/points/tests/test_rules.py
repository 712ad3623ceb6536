"""Expiry instants per policy, in the programme's zone, and the spending order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tessera.points.rules import ExpiryPolicy, consume_fifo, expiry_for


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("earned", "policy", "days", "months", "tz", "expires"),
    [
        # Valid through earning date + 30 days: earned 1 March local, gone at local midnight starting 1 April.
        (
            "2026-03-01T10:00:00+08:00",
            ExpiryPolicy.DAYS_AFTER_EARNING,
            30,
            None,
            "Asia/Shanghai",
            "2026-03-31T16:00:00+00:00",
        ),
        # Earned at 23:30 local on 31 Jan in Seoul (14:30 UTC): the local date is 31 Jan, not 30 Jan.
        (
            "2026-01-31T14:30:00+00:00",
            ExpiryPolicy.END_OF_MONTH_AFTER,
            None,
            12,
            "Asia/Seoul",
            "2027-01-31T15:00:00+00:00",
        ),
        # End of the year after 12 months: earned March 2026, valid through 31 Dec 2027 local.
        (
            "2026-03-15T09:00:00+08:00",
            ExpiryPolicy.END_OF_YEAR_AFTER,
            None,
            12,
            "Asia/Shanghai",
            "2027-12-31T16:00:00+00:00",
        ),
        # Berlin across DST: local midnight of 1 April is 22:00 UTC (CEST), of 1 Jan is 23:00 UTC (CET).
        (
            "2026-02-10T12:00:00+01:00",
            ExpiryPolicy.END_OF_MONTH_AFTER,
            None,
            1,
            "Europe/Berlin",
            "2026-03-31T22:00:00+00:00",
        ),
        (
            "2026-12-31T23:59:59-10:00",
            ExpiryPolicy.END_OF_MONTH_AFTER,
            None,
            0,
            "Pacific/Honolulu",
            "2027-01-01T10:00:00+00:00",
        ),
        (
            "2026-12-31T10:00:00+14:00",
            ExpiryPolicy.END_OF_MONTH_AFTER,
            None,
            0,
            "Pacific/Kiritimati",
            "2026-12-31T10:00:00+00:00",
        ),
    ],
)
def test_expiry_instants(earned, policy, days, months, tz, expires):
    got = expiry_for(earned_at=at(earned), policy=policy, timezone=tz, days=days, months=months)
    assert got == at(expires).astimezone(UTC)


def test_never_expires():
    assert (
        expiry_for(
            earned_at=at("2026-01-01T00:00:00+00:00"), policy=ExpiryPolicy.NEVER, timezone="UTC", days=None, months=None
        )
        is None
    )


def test_fifo_takes_in_the_order_given_and_never_more_than_a_lot_holds():
    assert consume_fifo([(1, 50), (2, 30), (3, 100)], 70) == [(1, 50), (2, 20)]
    assert consume_fifo([(1, 50)], 50) == [(1, 50)]
    with pytest.raises(AssertionError):
        consume_fifo([(1, 5)], 6)
