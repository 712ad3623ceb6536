"""The first 20,000 lines of UCI Online Retail (../shared/datasets/) through the importer, checked against a recount
made here with the csv module alone."""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tessera.checkout.models import Document, DocumentLine
from tessera.checkout.services.imports import ImportRequest, transactions_import
from tessera.kit.clock import now
from tessera.ledger.models import Posting
from tessera.ledger.verify import ledger_verify
from tessera.members.models import Member, MemberStats
from tessera.testing import dataset, world_build

pytestmark = pytest.mark.django_db
LINES = 20_000  # the header and 19,999 invoice lines, December 2010
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    with gzip.open(dataset("online_retail.csv.gz"), "rt", encoding="utf-8", newline="") as full:
        text = "".join(line for _, line in zip(range(LINES), full, strict=False))
    path = tmp_path_factory.mktemp("online_retail") / "online_retail_20k.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    return path, text


def recount(text):
    """What the file says, counted the plain way: customers' rows only, a negative quantity a return."""
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["CustomerID"]]
    invoices = {r["InvoiceNo"]: r for r in rows}
    per = defaultdict(lambda: {"sales": set(), "returns": set(), "bought": 0, "returned": 0, "spend": 0, "refund": 0,
                               "first": None, "last": None})  # fmt: skip
    for r in rows:
        m = per[r["CustomerID"].removesuffix(".0")]
        quantity = int(Decimal(r["Quantity"]))
        pence = abs(quantity) * int(Decimal(r["UnitPrice"]) * 100)
        at = datetime.fromisoformat(r["InvoiceDate"]).replace(tzinfo=LONDON)
        if quantity > 0:
            m["sales"].add(r["InvoiceNo"])
            m["bought"] += quantity
            m["spend"] += pence
            m["first"] = min(m["first"] or at, at)
            m["last"] = max(m["last"] or at, at)
        else:
            m["returns"].add(r["InvoiceNo"])
            m["returned"] -= quantity
            m["refund"] += pence
    stats = {ref: (len(m["sales"]), len(m["returns"]), m["bought"], m["returned"], m["spend"], m["refund"],
                   m["first"], m["last"]) for ref, m in per.items()}  # fmt: skip
    return len(rows), len(invoices), sum(1 for n in invoices if n.startswith("C")), stats


def test_imports_the_first_20000_lines_as_the_recount_says(sample):
    path, text = sample
    world = world_build(country="GB", timezone="Europe/London", currency="GBP", stores=1, name="Online Retail")
    report = transactions_import(
        request=ImportRequest(path=path, program=world.program.public_id, create_members=True), now=now()
    )
    lines, invoices, returns, stats = recount(text)
    assert report.errors == []
    assert (report.rows, report.guest_rows) == (LINES - 1, LINES - 1 - lines)
    assert (report.invoices, report.returns, report.lines, report.members_created) == (
        invoices, returns, lines, len(stats),
    )  # fmt: skip
    assert (Document.objects.count(), DocumentLine.objects.count(), Member.objects.count()) == (
        invoices, lines, len(stats),
    )  # fmt: skip
    stored = {
        s.member.external_ref: (s.purchase_count, s.return_count, s.items_bought, s.items_returned, s.spend_minor,
                                s.refund_minor, s.first_purchase_at, s.last_purchase_at)
        for s in MemberStats.objects.select_related("member")
    }  # fmt: skip
    assert stored == stats
    assert Posting.objects.count() == 0
    assert ledger_verify() == []
