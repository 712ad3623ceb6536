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


# ---------------------------------------------------------------- memory


def _private_kib(pid: int) -> tuple[int, int]:
    """(RssAnon, VmHWM) of ``pid`` in KiB: its private resident memory now, and its peak resident set (which
    counts the shared-memory pages it has touched too); zeros if it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0, 0
    fields = dict(line.split(":", 1) for line in lines if ":" in line)

    def kib(name: str) -> int:
        return int(fields[name].split()[0]) if name in fields else 0

    return kib("RssAnon"), kib("VmHWM")


def tree_pids(root: int) -> list[int]:
    table = _all()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


class MemoryPeak:
    """Samples a process tree's private memory (the sum of its processes' RssAnon) every ``every`` seconds on a
    thread, between ``start()`` and ``stop()``; ``peak_kib`` is the highest sum seen, ``hwm_kib`` the highest
    VmHWM of any one process. A short allocation between two samples can be missed."""

    def __init__(self, root: int, every: float = 0.02) -> None:
        import threading

        self.root, self.every = root, every
        self.peak_kib = self.hwm_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        pids = tree_pids(self.root)
        rounds = 0
        while not self._stop.is_set():
            rounds += 1
            if rounds % 25 == 0:
                pids = tree_pids(self.root)  # parallel workers come and go
            sample = [_private_kib(pid) for pid in pids]
            self.peak_kib = max(self.peak_kib, sum(anon for anon, _ in sample))
            self.hwm_kib = max(self.hwm_kib, *(hwm for _, hwm in sample), 0)
            self._stop.wait(self.every)

    def start(self) -> MemoryPeak:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
