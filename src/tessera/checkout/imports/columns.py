"""Which column of a merchant's file holds which field: header names recognised by default, and ``--map``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Every field an import reads, and the headers that name it without a --map: English (Online Retail's among
# them), Chinese and Korean, as point-of-sale and e-commerce exports write them. Headers compare without case,
# spaces, underscores, hyphens and dots, so "Invoice No", "invoice_no" and "InvoiceNo" are one header.
DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "invoice": ("invoice", "invoiceno", "invoicenumber", "receipt", "receiptno", "documentno", "ordernumber",
                "单号", "单据号", "小票号", "销售单号", "订单号", "영수증번호", "전표번호", "주문번호"),
    "customer": ("customerid", "customer", "customerno", "memberid", "memberno", "会员卡号", "会员号",
                 "会员编号", "客户编号", "회원번호", "고객번호", "회원id"),
    "customer_name": ("customername", "membername", "会员姓名", "会员名称", "客户名称", "姓名", "회원명",
                      "고객명", "이름"),
    "phone": ("phone", "mobile", "phonenumber", "手机号", "手机", "电话", "휴대폰", "휴대폰번호", "전화번호"),
    "card": ("cardnumber", "tesseracard"),
    "event_at": ("invoicedate", "date", "datetime", "time", "eventat", "日期", "时间", "交易时间", "销售日期",
                 "销售时间", "날짜", "일시", "거래일시", "판매일자", "판매일시"),
    "sku": ("stockcode", "sku", "itemcode", "productcode", "商品编码", "商品编号", "货号", "상품코드", "품번"),
    "name": ("description", "item", "product", "itemname", "productname", "商品", "商品名称", "品名", "상품",
             "상품명", "품명"),
    "brand": ("brand", "品牌", "브랜드"),
    "category": ("category", "类别", "品类", "分类", "카테고리", "분류"),
    "quantity": ("quantity", "qty", "数量", "수량"),
    "unit_price": ("unitprice", "price", "单价", "단가"),
    "amount": ("amount", "lineamount", "linetotal", "金额", "금액"),
    "store": ("store", "storecode", "门店", "门店编号", "매장", "매장코드"),
    "kind": ("kind", "documentkind"),
    "currency": ("currency", "币种", "통화"),
}  # fmt: skip
FIELDS = tuple(DEFAULT_HEADERS)
# What a file must have, each as "one of these fields".
REQUIRED: tuple[tuple[str, ...], ...] = (
    ("invoice",), ("event_at",), ("quantity",), ("unit_price", "amount"), ("sku", "name"),
    ("customer", "phone", "card"),
)  # fmt: skip


def header_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch not in " _-.\u3000")


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Field name to the index of its column; ``headers`` as the file spells them, for error messages."""

    index: dict[str, int]
    headers: list[str]

    def header(self, field: str) -> str:
        return self.headers[self.index[field]]

    @property
    def unmapped(self) -> list[str]:
        used = set(self.index.values())
        return [h for i, h in enumerate(self.headers) if i not in used and h]


def columns_map(headers: list[str], overrides: Mapping[str, str]) -> tuple[ColumnMap, list[str]]:
    """Map fields to columns: ``overrides`` (field -> header, from --map) first, then ``DEFAULT_HEADERS`` for the
    columns left. Returns the map and the problems found, as translated sentences."""
    by_key: dict[str, int] = {}
    for i, header in enumerate(headers):
        by_key.setdefault(header_key(header), i)
    problems: list[str] = []
    index: dict[str, int] = {}
    for field, header in overrides.items():
        if field not in DEFAULT_HEADERS:
            problems.append(_("--map names an unknown field %(field)s.") % {"field": field})
        elif header_key(header) not in by_key:
            problems.append(_("--map %(field)s: the file has no column %(column)s.") % {"field": field,
                                                                                         "column": header})  # fmt: skip
        else:
            index[field] = by_key[header_key(header)]
    taken = set(index.values())
    for field, names in DEFAULT_HEADERS.items():
        found = next((by_key[n] for n in names if n in by_key and by_key[n] not in taken), None)
        if field not in index and field not in overrides and found is not None:
            index[field] = found
            taken.add(found)
    problems += [_missing(group) for group in REQUIRED if not any(f in index for f in group)]
    return ColumnMap(index, headers), problems


def _missing(group: tuple[str, ...]) -> str:
    names = ", ".join(group)
    return _("No column holds %(fields)s; name it with --map %(field)s=<column>.") % {"fields": names,
                                                                                     "field": group[0]}  # fmt: skip
