"""A keep-alive HTTP load generator for POST /api/v1/sales, in pure Python (the fallback when wrk is missing).

Run by checkout.py in its own process: ``loadgen.py SPEC.json URL --clients 8 --duration 20``. Each client is a
thread with one ``http.client`` connection kept alive for the whole run, sending a closed loop of 3-line sales
with a fresh Idempotency-Key and POS number each. Prints ``key: value`` lines (latencies in microseconds).

``py_requests`` and the latencies count only the requests sent and answered inside the window: the ramp-up's
requests (``--ramp``) and the one each client has in flight when the window closes are answered but left out.
The server commits those sales all the same, so for checking the database against the clients ``py_sent``
counts every request sent, ``py_created`` every 201 received (ramp-up and closing ones included) and
``py_unresolved`` the requests whose answer never arrived (a socket error or timeout: committed or not).
Any status but 201 outside the window is still an error: ``py_errors_outside_window``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import resource
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlparse

SHANGHAI = timezone(timedelta(hours=8))
TENDERS = ["cash", "bank_card", "wechat_pay", "alipay"]


def sale_body(
    spec: dict[str, Any],
    rng: random.Random,
    *,
    store: str,
    number: str,
    member: str,
    discount_bp: int,
    coupon: str | None = None,
) -> bytes:
    """The same document mix as sales.lua: 3 lines, a third paid partly from stored value (with --coupons:
    every sale uses one 5-yuan coupon and pays part from stored value)."""
    lines = []
    total = 0
    for line_no in (1, 2, 3):
        product = rng.choice(spec["products"])
        quantity = 1 if rng.random() < 0.8 else 2
        gross = quantity * product["price"]
        total += gross - gross * discount_bp // 10_000
        lines.append(
            {
                "line_no": line_no,
                "sku": product["sku"],
                "name": product["name"],
                "brand": product["brand"],
                "category": product["category"],
                "quantity": quantity,
                "unit_price_minor": product["price"],
            }
        )
    if coupon is not None:
        total -= min(total, spec["coupon_minor"])
    if rng.random() < spec["sv_share"]:
        sv = min(total, rng.choice(spec["sv_amounts"]))
        tenders = [{"kind": "stored_value", "amount_minor": sv}]
        if sv < total:
            tenders.append({"kind": rng.choice(TENDERS), "amount_minor": total - sv})
    else:
        tenders = [{"kind": rng.choice(TENDERS), "amount_minor": total}]
    body = {
        "store": store,
        "pos_number": number,
        "event_at": datetime.now(UTC).astimezone(SHANGHAI).isoformat(timespec="seconds"),
        "member": member,
        "currency": spec["currency"],
        "lines": lines,
        "tenders": tenders,
    }
    if coupon is not None:
        body["coupons"] = [coupon]
    return json.dumps(body, separators=(",", ":")).encode()


class Client(threading.Thread):
    def __init__(self, n: int, spec: dict[str, Any], url: str, start_at: float, stop_at: float) -> None:
        super().__init__(daemon=True)
        self.n, self.spec, self.start_at, self.stop_at = n, spec, start_at, stop_at
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.terminal = spec["terminals"][n % len(spec["terminals"])]
        self.rng = random.Random(spec["seed"] * 1000 + n)
        # Its own share of the members, whose tier moves it learns from the receipts (as sales.lua does).
        self.members = spec["members"][n :: spec["clients"]]
        self.discount: dict[str, int] = {}
        self.coupons = {m: list(spec["coupons"].get(m, [])) for m in self.members}
        self.latencies: list[int] = []
        self.errors = 0
        self.first_error = ""
        # Every request, whether counted in the window or not: what the server may have committed.
        self.sent = self.created = self.unresolved = self.ramp = self.late = self.errors_outside_window = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.terminal['key']}", "Content-Type": "application/json"}
        counter = 0
        while (now := time.perf_counter()) < self.stop_at:
            counter += 1
            number = f"{self.spec['prefix']}-{self.n}-{counter}"
            member = self.rng.choice(self.members)
            discount_bp = self.discount.get(member, self.spec["discount_bp"])
            left = self.coupons[member]
            body = sale_body(self.spec, self.rng, store=self.terminal["store"], number=number, member=member,
                             discount_bp=discount_bp, coupon=left.pop() if left else None)  # fmt: skip
            headers["Idempotency-Key"] = f"idem-{number}"
            began = time.perf_counter()
            self.sent += 1
            try:
                conn.request("POST", "/api/v1/sales", body, headers)
                response = conn.getresponse()
                payload = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                status, payload = 0, repr(exc).encode()
                self.unresolved += 1  # the server may or may not have committed it
            ended = time.perf_counter()
            self.created += status == 201
            if status == 201 and b'"tier_change":{' in payload:
                to_tier = json.loads(payload)["tier_change"]["to_tier"]
                self.discount[member] = self.spec["tier_discounts"][to_tier]
            if status != 201:
                self.first_error = self.first_error or f"{status} {payload[:300].decode(errors='replace')}"
            inside = now >= self.start_at and ended <= self.stop_at
            if inside:
                self.latencies.append(int((ended - began) * 1e6))
                self.errors += status != 201
            else:
                self.errors_outside_window += status != 201
            if now < self.start_at:
                self.ramp += 1  # ramp-up: connection set up, first requests of the worker; not counted
            elif ended > self.stop_at:
                self.late += 1
                break  # finished after the window closed: not counted
        conn.close()


def percentile(sorted_values: list[int], p: float) -> int:
    if not sorted_values:
        return 0
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("spec")
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--ramp", type=float, default=0.5, help="seconds sent but not counted at the start")
    args = parser.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    start_at = time.perf_counter() + args.ramp
    stop_at = start_at + args.duration
    clients = [Client(n, spec, args.url, start_at, stop_at) for n in range(args.clients)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    latencies = sorted(lat for c in clients for lat in c.latencies)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    first = next((c.first_error for c in clients if c.first_error), "")
    print(f"py_requests: {len(latencies)}")
    print(f"py_duration_us: {int(args.duration * 1e6)}")
    print(f"py_status_errors: {sum(c.errors for c in clients)}")
    for p in (50, 90, 99, 99.9):
        print(f"py_p{p}_us: {percentile(latencies, p)}")
    print(f"py_mean_us: {sum(latencies) / max(len(latencies), 1):.1f}")
    print(f"py_max_us: {latencies[-1] if latencies else 0}")
    print(f"py_cpu_s: {usage.ru_utime + usage.ru_stime:.3f}")
    for key in ("errors_outside_window", "sent", "created", "unresolved", "ramp", "late"):
        print(f"py_{key}: {sum(getattr(c, key) for c in clients)}")
    if first:
        print("py_first_error: " + first.replace("\n", " "))


if __name__ == "__main__":
    main()
