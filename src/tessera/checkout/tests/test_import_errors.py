"""Every check of an import: reported per row and column, in the caller's language, and nothing written."""

from __future__ import annotations

import pytest

from tessera.checkout.services.imports import ImportRequest, transactions_import
from tessera.checkout.tests.test_import_transactions import HISTORY, counts, run, write
from tessera.kit.clock import now
from tessera.kit.errors import DomainError
from tessera.testing import member_new, world_build

pytestmark = pytest.mark.django_db

HEAD = "invoice,customer,date,item,quantity,price\n"
GOOD = "G1,C1,02/01/2025 10:00,Mug,1,5.00\n"  # read with --date-format '%d/%m/%Y %H:%M'


@pytest.fixture
def world():
    return world_build()


# (file body after the header, options, expected errors as "row, column: message" texts)
CASES = {
    "date": (
        "A,C1,2025-13-45,Mug,1,5\n",
        {"date_format": None},
        [
            "row 2, column date: not a date; give its format, e.g. --date-format '%d/%m/%Y %H:%M'",
            "row 3, column date: not a date; give its format, e.g. --date-format '%d/%m/%Y %H:%M'",
        ],
    ),
    "date format": (
        "A,C1,2025-01-02 10:00,Mug,1,5\n",
        {},
        ["row 3, column date: not a date in the format %d/%m/%Y %H:%M"],
    ),
    "future": ("A,C1,02/01/2099 10:00,Mug,1,5\n", {}, ["row 3, column date: the date is in the future"]),
    "number": ("A,C1,02/01/2025 10:00,Mug,1,abc\n", {}, ["row 3, column price: not a number"]),
    "quantity zero": ("A,C1,02/01/2025 10:00,Mug,0,5\n", {}, ["row 3, column quantity: the quantity is 0"]),
    "quantity fraction": (
        "A,C1,02/01/2025 10:00,Mug,1.5,5\n",
        {},
        ["row 3, column quantity: the quantity must be a whole number"],
    ),
    "negative price": ("A,C1,02/01/2025 10:00,Mug,1,-5\n", {}, ["row 3, column price: the price is negative"]),
    "too many decimals": (
        "A,C1,02/01/2025 10:00,Mug,1,0.001\n",
        {},
        ["row 3, column price: more decimal places than CNY has (2); --round-prices rounds them"],
    ),
    "unknown member": (
        "A,C9,02/01/2025 10:00,Mug,1,5\nA,C9,02/01/2025 11:00,Tea,1,5\n",
        {"create_members": False},
        [
            "row 2, column customer: no member of the programme is C1; --create-members creates one",
            "row 3, column customer: no member of the programme is C9; --create-members creates one",
            "row 4, column customer: no member of the programme is C9; --create-members creates one",
        ],
    ),
    "customer disagrees": (
        "G1,C2,02/01/2025 11:00,Tea,1,5\n",
        {},
        ["row 3, column customer: invoice G1 is another customer's on row 2"],
    ),
    "date disagrees": (
        "G1,C1,03/01/2025 10:00,Tea,1,5\n",
        {},
        ["row 3, column date: invoice G1 has another date on row 2"],
    ),
    "sale and return": (
        "G1,C1,02/01/2025 10:00,Tea,-1,5\n",
        {},
        ["row 3, column quantity: invoice G1 is a sale on one row and a return on another (row 2)"],
    ),
    "missing invoice": (",C1,02/01/2025 10:00,Mug,1,5\n", {}, ["row 3, column invoice: the invoice number is missing"]),
}


@pytest.mark.parametrize("case", CASES)
def test_each_error_is_reported_on_its_row_and_nothing_is_written(world, tmp_path, case):
    body, options, expected = CASES[case]
    before = counts()
    options = {"date_format": "%d/%m/%Y %H:%M", **options}
    report = run(world, write(tmp_path, HEAD + GOOD + body), **options)
    assert [e.text() for e in report.errors] == expected
    assert not report.written
    assert counts() == before


def test_an_unknown_store_in_the_store_column(world, tmp_path):
    before = counts()
    report = run(
        world, write(tmp_path, "invoice,customer,date,item,quantity,price,store\nA,C1,2025-01-02,Mug,1,5,ZZ\n")
    )
    assert [e.text() for e in report.errors] == ["row 2, column store: no store with the code ZZ serves this programme"]
    assert counts() == before


def test_a_currency_column_must_say_the_programmes_currency(world, tmp_path):
    report = run(
        world, write(tmp_path, "invoice,customer,date,item,quantity,price,currency\nA,C1,2025-01-02,Mug,1,5,GBP\n")
    )
    assert [e.text() for e in report.errors] == [
        "row 2, column currency: this row is in GBP; the programme keeps its books in CNY"
    ]


def test_an_invalid_phone_for_a_new_member(world, tmp_path):
    report = run(world, write(tmp_path, "invoice,phone,date,item,quantity,price\nA,12,2025-01-02,Mug,1,5\n"))
    assert [e.text() for e in report.errors] == ["row 2, column phone: 12 is not a valid phone number"]


def test_two_customers_of_the_file_with_one_phone(world, tmp_path):
    text = "invoice,customer,phone,date,item,quantity,price\nA,C1,13800138000,2025-01-02,Mug,1,5\n" \
           "B,C2,13800138000,2025-01-02,Mug,1,5\n"  # fmt: skip
    report = run(world, write(tmp_path, text))
    assert [e.text() for e in report.errors] == ["row 3, column phone: customers C1 and C2 have the same phone number"]


def test_a_card_number_nobody_has(world, tmp_path):
    member_new(world)
    report = run(
        world, write(tmp_path, "invoice,card number,date,item,quantity,price\nA,8000000000000000,2025-01-02,M,1,5\n")
    )
    assert [e.text() for e in report.errors] == [
        "row 2, column card number: no member has the card number 8000000000000000"
    ]


def test_a_file_without_a_needed_column_is_refused_before_any_row(world, tmp_path):
    report = run(world, write(tmp_path, "invoice,customer,item,quantity\nA,C1,Mug,1\n"))
    assert [e.text() for e in report.errors] == [
        "row 1: No column holds event_at; name it with --map event_at=<column>.",
        "row 1: No column holds unit_price, amount; name it with --map unit_price=<column>.",
    ]
    assert report.rows == 0


def test_one_bad_row_among_many_leaves_the_database_as_it_was(world, tmp_path):
    before = counts()
    report = run(world, write(tmp_path, HISTORY + "Z1,SKU1,Mug,cups,1,someday,12.50,C1,CN\n"))
    assert [(e.row, e.column) for e in report.errors] == [(8, "InvoiceDate")]
    assert (report.invoices, report.members_created) == (4, 2)  # what it would have written
    assert counts() == before


@pytest.mark.parametrize(
    ("request_fields", "code"),
    [({"program": "prg_nobody"}, "import_program_not_found"), ({"store": "NOPE"}, "import_store_not_found")],
)
def test_an_import_that_cannot_start_says_why(world, tmp_path, request_fields, code):
    fields = {"path": write(tmp_path, HEAD + GOOD), "program": world.program.public_id, **request_fields}
    with pytest.raises(DomainError) as refused:
        transactions_import(request=ImportRequest(**fields), now=now())
    assert refused.value.code == code


def test_a_file_that_is_not_a_table(world, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\xff\xfe\x00\x81" * 10)
    with pytest.raises(DomainError) as refused:
        transactions_import(request=ImportRequest(path=path, program=world.program.public_id, encoding="ascii"),
                            now=now())  # fmt: skip
    assert refused.value.code == "import_file_unreadable"
