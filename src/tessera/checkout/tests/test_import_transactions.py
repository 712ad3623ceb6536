"""``tessera import transactions`` through its service: what it records, what it refuses, what it never does."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import pytest
from openpyxl import Workbook

from tessera.audit.models import AuditRecord
from tessera.checkout.models import Document, DocumentLine
from tessera.checkout.selectors import store_report
from tessera.checkout.services.imports import ImportRequest, transactions_import
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.ledger.models import Account, Posting
from tessera.ledger.verify import ledger_verify
from tessera.members.models import Member, MemberCategoryStats, MemberStats
from tessera.testing import give_back, member_new, sell, world_build

pytestmark = pytest.mark.django_db

HISTORY = """InvoiceNo,StockCode,Description,Category,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
A100,SKU1,Mug,cups,2,2025-03-01 10:00:00,12.50,C1,CN
A100,SKU2,Green tea,tea,1,2025-03-01 10:01:00,30.00,C1,CN
A101,SKU1,Mug,cups,1,2025-03-05 09:00:00,12.50,C2,CN
A102,SKU2,Green tea,tea,3,2025-04-02 18:30:00,30.00,C1,CN
CA100,SKU1,Mug,cups,-1,2025-03-06 09:00:00,12.50,C1,CN
G1,SKU3,Gift card,,1,2025-03-06 09:00:00,5.00,,CN
"""


@pytest.fixture
def world():
    return world_build()


def write(tmp_path, text, name="history.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(world, path, **options):
    options.setdefault("create_members", True)
    return transactions_import(request=ImportRequest(path=path, program=world.program.public_id, **options), now=now())


def counts():
    return (Document.objects.count(), DocumentLine.objects.count(), Member.objects.count(),
            MemberStats.objects.count(), MemberCategoryStats.objects.count(), Account.objects.count(),
            AuditRecord.objects.count(), Posting.objects.count())  # fmt: skip


def shanghai(text):
    return datetime.fromisoformat(text + "+08:00")


class TestImport:
    def test_records_invoices_as_imported_documents_without_postings(self, world, tmp_path):
        report = run(world, write(tmp_path, HISTORY))
        assert report.errors == []
        assert report.counts() == {"rows": 6, "guest_rows_skipped": 1, "invoices": 4, "sales": 3, "returns": 1,
                                   "lines": 5, "already_imported": 0, "members_matched": 0, "members_created": 2,
                                   "prices_rounded": 0, "errors": 0}  # fmt: skip
        assert report.written
        assert report.columns_ignored == ["Country"]
        docs = {d.pos_number: d for d in Document.objects.all()}
        kinds = {n: d.kind for n, d in docs.items()}
        assert kinds == {"A100": "imported_sale", "A101": "imported_sale", "A102": "imported_sale",
                         "CA100": "imported_return"}  # fmt: skip
        a100 = docs["A100"]
        assert (a100.total_minor, a100.posting_id, a100.points, a100.currency) == (5500, None, 0, "CNY")
        assert a100.event_at == shanghai("2025-03-01T10:00:00")  # naive times are the store's (Shanghai) time
        assert a100.store.kind == "headquarters"
        assert a100.receipt["import"] == {"batch_id": report.batch_id, "source": "history.csv", "rows": [[2, 3]]}
        lines = list(a100.lines.values_list("line_no", "sku", "name", "category", "quantity", "unit_price_minor",
                                            "amount_minor"))  # fmt: skip
        assert lines == [(1, "SKU1", "Mug", "cups", 2, 1250, 2500), (2, "SKU2", "Green tea", "tea", 1, 3000, 3000)]
        assert Posting.objects.count() == 0
        assert ledger_verify() == []

    def test_creates_members_with_their_previous_id_no_phone_and_empty_accounts(self, world, tmp_path):
        run(world, write(tmp_path, HISTORY))
        member = Member.objects.get(external_ref="C1")
        assert (member.phone, member.name, member.status) == ("", "Customer C1", "active")
        assert len(member.card_number) == 16
        assert sorted(member.accounts.values_list("kind", "balance")) == [
            ("member_points", 0),
            ("member_points_debt", 0),
            ("member_sv_bonus", 0),
            ("member_sv_principal", 0),
        ]
        audit = AuditRecord.objects.get(action="import.transactions")
        assert (audit.object_id, audit.system, audit.details["members_created"], audit.details["lines"]) == (
            audit.object_id, "import", 2, 5,
        )  # fmt: skip

    def test_statistics_are_those_of_the_imported_lines(self, world, tmp_path):
        run(world, write(tmp_path, HISTORY))
        c1 = MemberStats.objects.get(member__external_ref="C1")
        # Sales A100 (2 x 12.50 + 30.00) and A102 (3 x 30.00); return CA100 of one mug.
        assert (c1.purchase_count, c1.items_bought, c1.spend_minor) == (2, 6, 14500)
        assert (c1.return_count, c1.items_returned, c1.refund_minor) == (1, 1, 1250)
        assert (c1.first_purchase_at, c1.last_purchase_at) == (shanghai("2025-03-01T10:00:00"),
                                                               shanghai("2025-04-02T18:30:00"))  # fmt: skip
        assert (c1.points_earned, c1.top_up_count) == (0, 0)
        cups = MemberCategoryStats.objects.get(member__external_ref="C1", category="cups")
        assert (cups.purchase_count, cups.quantity, cups.spend_minor) == (1, 1, 1250)  # net of the returned mug
        assert _recomputed() == _stored()

    def test_a_member_matched_by_phone_keeps_their_till_history_and_gains_the_import(self, world, tmp_path):
        member = member_new(world, phone="13800138000")
        sell(world.a, member, [(1, 10000)], category="tops")
        report = run(world, write(tmp_path, "单号,手机号,日期,商品,类别,数量,单价\n"
                                            "X1,138 0013 8000,2025-01-02 10:00,Mug,tops,1,20.00\n"))  # fmt: skip
        assert (report.members_matched, report.members_created) == (1, 0)
        stats = MemberStats.objects.get(member=member)
        assert (stats.purchase_count, stats.spend_minor, stats.points_earned) == (2, 12000, 100)
        tops = MemberCategoryStats.objects.get(member=member, category="tops")
        assert (tops.purchase_count, tops.spend_minor, tops.first_purchase_at) == (
            2, 12000, shanghai("2025-01-02T10:00:00"),
        )  # fmt: skip

    def test_a_member_matched_by_card_number(self, world, tmp_path):
        member = member_new(world)
        card = f"{member.card_number[:4]}-{member.card_number[4:]}"
        report = run(
            world, write(tmp_path, f"invoice,card number,date,item,quantity,price\nK1,{card},2025-01-02,Mug,1,5\n")
        )
        assert (report.errors, report.members_matched) == ([], 1)
        assert Document.objects.get(pos_number="K1").member_id == member.id

    def test_a_member_can_buy_at_the_till_after_being_imported(self, world, tmp_path):
        run(world, write(tmp_path, HISTORY))
        member = Member.objects.select_related("program").get(external_ref="C2")
        receipt = sell(world.a, member, [(1, 10000)])
        assert receipt["points"]["earned"] == 100
        assert MemberStats.objects.get(member=member).purchase_count == 2

    def test_reads_an_xlsx_with_chinese_headers(self, world, tmp_path):
        book = Workbook()
        sheet = book.active
        sheet.append(["单号", "会员卡号", "会员姓名", "日期", "商品", "品牌", "类别", "数量", "单价"])
        sheet.append(["XS-1", 80001, "王小明", datetime(2025, 5, 1, 14, 0), "连衣裙", "Ava", "女装", 1, 399.5])  # noqa: DTZ001
        sheet.append(["XS-1", 80001, "王小明", datetime(2025, 5, 1, 14, 0), "腰带", "Ava", "配饰", 2, 59])  # noqa: DTZ001
        sheet.append(["XS-2", 80002, "", datetime(2025, 5, 3, 11, 0), "衬衫", "", "女装", 1, 199])  # noqa: DTZ001
        book.save(tmp_path / "销售.xlsx")
        report = run(world, tmp_path / "销售.xlsx")
        assert report.errors == []
        assert (report.invoices, report.lines, report.members_created) == (2, 3, 2)
        xs1 = Document.objects.get(pos_number="XS-1")
        assert (xs1.total_minor, xs1.member.name, xs1.member.external_ref) == (51750, "王小明", "80001")
        assert list(xs1.lines.values_list("brand", "category")) == [("Ava", "女装"), ("Ava", "配饰")]

    def test_reads_a_korean_file_in_won(self, tmp_path):
        world = world_build(country="KR", timezone="Asia/Seoul", currency="KRW")
        report = run(
            world, write(tmp_path, '영수증번호,회원번호,날짜,상품,수량,단가\nR-1,M7,2025-02-01 19:00,커피,2,"4,500"\n')
        )
        assert report.errors == []
        doc = Document.objects.get(pos_number="R-1")
        seoul = datetime.fromisoformat("2025-02-01T19:00:00+09:00")
        assert (doc.total_minor, doc.currency, doc.event_at) == (9000, "KRW", seoul)

    def test_a_gb18030_file_with_a_decimal_comma_and_semicolons(self, world, tmp_path):
        text = "单号;会员卡号;日期;商品;数量;单价\nB1;V9;2025.06.01 08:00;茶;1;1.234,50\n"
        report = run(world, write(tmp_path, text, encoding="gb18030"), decimal_comma=True)
        assert report.errors == []
        assert Document.objects.get(pos_number="B1").total_minor == 123450

    def test_the_store_column_and_the_store_option_place_invoices(self, world, tmp_path):
        text = (
            "invoice,customer,date,item,quantity,price,store\n"
            "S1,C1,2025-01-02,Mug,1,5,S002\nS2,C1,2025-01-02,Mug,1,5,\n"
        )
        run(world, write(tmp_path, text), store=world.a.store.code)
        placed = dict(Document.objects.values_list("pos_number", "store__code"))
        assert placed == {"S1": "S002", "S2": "S001"}


def _recomputed():
    """Each member's totals from the imported documents and lines, the slow way."""
    totals = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for d in Document.objects.prefetch_related("lines"):
        items = sum(line.quantity for line in d.lines.all())
        t = totals[d.member_id]
        offset = 0 if d.kind == "imported_sale" else 3
        t[offset] += 1
        t[offset + 1] += items
        t[offset + 2] += d.total_minor
    return {member: tuple(t) for member, t in totals.items()}


def _stored():
    return {s.member_id: (s.purchase_count, s.items_bought, s.spend_minor, s.return_count, s.items_returned,
                          s.refund_minor) for s in MemberStats.objects.all()}  # fmt: skip


class TestDryRunAndReruns:
    def test_a_dry_run_checks_and_counts_but_writes_nothing(self, world, tmp_path):
        before = counts()
        report = run(world, write(tmp_path, HISTORY), dry_run=True)
        assert (report.errors, report.invoices, report.members_created, report.written) == ([], 4, 2, False)
        assert counts() == before

    def test_running_the_same_file_again_imports_nothing_twice(self, world, tmp_path):
        path = write(tmp_path, HISTORY)
        run(world, path)
        before, stats = counts(), _stored()
        again = run(world, path)
        assert (again.errors, again.invoices, again.already_imported, again.members_matched) == ([], 0, 4, 2)
        assert (again.members_created, again.written) == (0, False)
        assert (counts(), _stored()) == (before, stats)

    def test_a_file_that_adds_to_an_earlier_import_imports_only_the_new_invoices(self, world, tmp_path):
        run(world, write(tmp_path, HISTORY))
        more = HISTORY + "A103,SKU1,Mug,cups,1,2025-05-01 10:00:00,12.50,C2,CN\n"
        report = run(world, write(tmp_path, more, name="more.csv"))
        assert (report.invoices, report.already_imported, report.members_created) == (1, 4, 0)
        assert MemberStats.objects.get(member__external_ref="C2").purchase_count == 2

    def test_an_invoice_imported_before_with_other_contents_is_refused(self, world, tmp_path):
        run(world, write(tmp_path, HISTORY))
        before = counts()
        changed = HISTORY.replace("A101,SKU1,Mug,cups,1,", "A101,SKU1,Mug,cups,2,")
        report = run(world, write(tmp_path, changed, name="changed.csv"))
        assert [e.text() for e in report.errors] == [
            "row 4: invoice A101 was imported before at store HQ with other contents"
        ]
        assert counts() == before


class TestNeverMovesValue:
    def test_a_pos_return_never_finds_an_imported_invoice(self, world, tmp_path):
        run(world, write(tmp_path, HISTORY), store=world.a.store.code)
        with pytest.raises(DomainError) as refused:
            give_back(world.a, "A100")
        assert refused.value.code == "document_not_found"

    def test_the_till_may_reuse_an_imported_invoice_number(self, world, tmp_path):
        run(world, write(tmp_path, HISTORY), store=world.a.store.code)
        member = member_new(world)
        receipt = sell(world.a, member, [(1, 10000)], pos_number="A100")
        assert receipt["pos_number"] == "A100"
        assert give_back(world.a, "A100")["value_minor"] == 10000

    def test_the_store_report_leaves_imported_history_out(self, world, tmp_path):
        today = now().astimezone().strftime("%Y-%m-%d %H:%M")
        run(world, write(tmp_path, f"invoice,customer,date,item,quantity,price\nT1,C1,{today},Mug,1,5\n"),
            store=world.a.store.code)  # fmt: skip
        figures = store_report(store=world.a.store, now=now())
        assert (figures.today.sales_count, figures.month.sales_minor) == (0, 0)

    @pytest.mark.ledger_violations_expected("imported history moves nothing")
    def test_ledger_verify_notices_an_imported_document_that_gave_a_member_discount(self, world, tmp_path):
        run(world, write(tmp_path, HISTORY))
        a100 = Document.objects.get(pos_number="A100")
        # Documents are append-only, so the broken one is a new one, as a faulty importer would write it.
        broken = Document.objects.create(
            kind="imported_sale", program=a100.program, store=a100.store, member=a100.member, pos_number="BAD",
            currency="CNY", total_minor=900, fingerprint="x", receipt={}, event_at=a100.event_at, created_at=now(),
        )  # fmt: skip
        DocumentLine.objects.create(document=broken, line_no=1, sku="S", name="N", quantity=1, unit_price_minor=1000,
                                    amount_minor=900, member_discount_minor=100)  # fmt: skip
        assert [v.check for v in ledger_verify()] == ["imported history moves nothing"]
