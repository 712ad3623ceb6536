"""Affinities: members who bought X (a category or a SKU) went on to buy Y within ``within_days`` days.

One statement, pushed to the database, over the programme's sale lines of a recent window (``window_days``, at
most ``WINDOW_DAYS_MAX``), the same on SQLite and PostgreSQL. A member *bought* X on a local day (programme time
zone) when a sale or an imported sale of that day has a line of X that was not returned whole at the till.
For a rule X → Y:

- **support** is the number of members who bought Y on a later day, at most ``within_days`` after buying X;
- the **antecedent members** are those who bought X early enough to be watched for ``within_days`` inside the
  window (otherwise a purchase made yesterday would count as "did not go on to buy");
- **confidence** = support / antecedent members, the share of X's buyers who went on to Y;
- **lift** = confidence / (members who bought Y / members who bought anything): above 1, buying X makes Y more
  likely than it is for members at large.

Members are counted once per rule however often they repeat it. The programme-wide table is cached (Django's
cache, ``CACHE_SECONDS``); a precomputed table refreshed nightly would serve large programmes better (the
statement scans the window's lines: documents have no (programme, time) index yet).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext as _

from tessera.checkout.models import Document, DocumentLine
from tessera.programs.models import Program

WINDOW_DAYS = 365
WINDOW_DAYS_MAX = 730
WITHIN_DAYS = 90
MIN_SUPPORT = 3
LIMIT_MAX = 500
CACHE_SECONDS = 6 * 3600
EPOCH = date(1970, 1, 1)
LINES, DOCUMENTS = DocumentLine._meta.db_table, Document._meta.db_table


class Level(StrEnum):
    CATEGORY = "category"
    SKU = "sku"


@dataclass(frozen=True, slots=True)
class Affinity:
    level: Level
    antecedent: str
    consequent: str
    consequent_label: str  # the category, or the SKU's item name
    support: int
    antecedent_members: int
    consequent_members: int
    members: int
    within_days: int

    @property
    def confidence(self) -> float:
        return self.support / self.antecedent_members

    @property
    def lift(self) -> float:
        return self.confidence * self.members / self.consequent_members

    @property
    def percent(self) -> int:
        return round(100 * self.confidence)

    def reason(self, antecedent_label: str | None = None) -> str:
        return _("%(percent)s %% of members who bought %(x)s bought %(y)s within %(days)s days.") % {
            "percent": self.percent, "x": antecedent_label or self.antecedent, "y": self.consequent_label,
            "days": self.within_days,
        }  # fmt: skip


def _day_number(column: str, timezone: str) -> tuple[str, list[Any]]:
    """SQL for the local date of a timestamp column as whole days since 1970-01-01."""
    local, params = connection.ops.datetime_cast_date_sql(column, (), timezone)
    if connection.vendor == "postgresql":
        return f"({local} - DATE '1970-01-01')", list(params)
    return f"CAST(julianday({local}) - 2440587.5 AS INTEGER)", list(params)


def _statement(level: Level, timezone: str, antecedents: int) -> tuple[str, list[Any]]:
    item = "l.category" if level is Level.CATEGORY else "l.sku"
    label = "l.category" if level is Level.CATEGORY else "l.name"
    day, day_params = _day_number("d.event_at", timezone)
    only = f" AND a.item IN ({', '.join(['%s'] * antecedents)})" if antecedents else ""
    # Table and column names and placeholders only: every value is a parameter.
    text = (
        "WITH bought AS ("  # noqa: S608
        f" SELECT DISTINCT d.member_id AS m, {item} AS item, {label} AS label, {day} AS day"
        f" FROM {LINES} l JOIN {DOCUMENTS} d ON d.id = l.document_id"
        " WHERE d.program_id = %s AND d.kind IN ('sale', 'imported_sale') AND d.event_at >= %s AND d.event_at < %s"
        f" AND {item} <> '' AND l.quantity > COALESCE("
        f"  (SELECT SUM(r.quantity) FROM {LINES} r WHERE r.original_line_id = l.id), 0)"
        "), watched AS (SELECT * FROM bought WHERE day <= %s),"
        " buyers AS (SELECT item, COUNT(DISTINCT m) AS n, MAX(label) AS label FROM bought GROUP BY item),"
        " starters AS (SELECT item, COUNT(DISTINCT m) AS n FROM watched GROUP BY item),"
        " everyone AS (SELECT COUNT(DISTINCT m) AS n FROM bought),"
        " pairs AS (SELECT DISTINCT a.m, a.item AS x, b.item AS y FROM watched a JOIN bought b"
        f"  ON b.m = a.m AND b.day > a.day AND b.day <= a.day + %s AND b.item <> a.item{only})"
        " SELECT p.x, p.y, MAX(fy.label), COUNT(*), MAX(sx.n), MAX(fy.n), MAX(e.n)"
        " FROM pairs p JOIN starters sx ON sx.item = p.x JOIN buyers fy ON fy.item = p.y CROSS JOIN everyone e"
        " GROUP BY p.x, p.y HAVING COUNT(*) >= %s"
        " ORDER BY COUNT(*) DESC, p.x, p.y LIMIT %s"
    )
    return text, day_params


def affinities(
    *, program: Program, level: Level, now: datetime, window_days: int = WINDOW_DAYS, within_days: int = WITHIN_DAYS,
    min_support: int = MIN_SUPPORT, antecedents: list[str] | None = None, limit: int = 100,
) -> list[Affinity]:  # fmt: skip
    """The rules X → Y of the programme's last ``window_days`` days up to ``now``, most supported first (then by
    X and Y); only X in ``antecedents`` when given (a member's own purchases); at most ``limit``."""
    if not (1 <= within_days < window_days <= WINDOW_DAYS_MAX and min_support >= 1 and 1 <= limit <= LIMIT_MAX):
        raise ValueError("need 1 <= within_days < window_days <= 730, min_support >= 1 and limit 1-500")
    wanted = sorted(set(antecedents or []))[:200]
    text, day_params = _statement(level, program.timezone, len(wanted))
    start = now - timedelta(days=window_days)
    last_watched = _local_day_number(now, program.timezone) - within_days
    params = [*day_params, program.id, start, now, last_watched, within_days, *wanted, min_support, limit]
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        rows = cursor.fetchall()
    return [Affinity(level, x, y, label, support, nx, ny, n, within_days) for x, y, label, support, nx, ny, n in rows]


def _local_day_number(moment: datetime, timezone: str) -> int:
    return (moment.astimezone(ZoneInfo(timezone)).date() - EPOCH).days


def affinities_cached(*, program: Program, level: Level, now: datetime, antecedents: list[str]) -> list[Affinity]:
    """``affinities`` with the defaults, for a member's purchases, cached per programme, day and antecedents."""
    key_items = "\x1f".join(sorted(set(antecedents)))
    digest = hashlib.sha256(key_items.encode()).hexdigest()[:32]
    key = f"tessera:affinity:{program.id}:{level}:{_local_day_number(now, program.timezone)}:{digest}"
    found: list[Affinity] | None = cache.get(key)
    if found is None:
        found = affinities(program=program, level=level, now=now, antecedents=antecedents) if antecedents else []
        cache.set(key, found, CACHE_SECONDS)
    return found
