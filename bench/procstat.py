"""CPU accounting from /proc: who used the two cores during a phase (app, database, load generator, others).

A process tree's CPU is the sum over its live members of utime + stime + cutime + cstime: a child that has
exited and been reaped is in its parent's cutime, a live one is counted by itself, so nothing counts twice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds including reaped children) of ``pid``, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is state (field 3); ppid is field 4; utime, stime, cutime, cstime are fields 14-17.
    ppid = int(fields[1])
    ticks = sum(int(x) for x in fields[11:15])
    return ppid, ticks / TICK


def _all() -> dict[int, tuple[int, float]]:
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            table[int(entry)] = stat
    return table


def tree_cpu(root: int, table: dict[int, tuple[int, float]] | None = None) -> float:
    """CPU seconds used so far by ``root`` and all its descendants."""
    table = table if table is not None else _all()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        if pid in table:
            total += table[pid][1]
        stack.extend(children.get(pid, []))
    return total


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (all cores) since boot."""
    parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(x) for x in parts]
    idle = values[3] + values[4]  # idle + iowait
    busy = sum(values[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / TICK


@dataclass
class Snapshot:
    trees: dict[str, float]
    busy: float


def snapshot(roots: dict[str, int | None]) -> Snapshot:
    table = _all()
    return Snapshot({name: tree_cpu(pid, table) if pid else 0.0 for name, pid in roots.items()}, machine_busy())


def delta(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """CPU seconds per named tree between two snapshots, plus ``other`` (everything else on the machine)."""
    used = {name: max(after.trees[name] - before.trees.get(name, 0.0), 0.0) for name in after.trees}
    used["other"] = max(after.busy - before.busy - sum(used.values()), 0.0)
    return used
