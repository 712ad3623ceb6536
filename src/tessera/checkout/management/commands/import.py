# ruff: noqa: N999  (Django names a command after its module, and the command is ``tessera import``)
"""``tessera import transactions FILE --program prg_…``: a merchant's purchase history from another system.

Prints a summary as ``key: value`` lines, then the errors, one per row and column; exits 1 if there were any,
in which case nothing was written. docs/imports.md describes the fields, the default headers and the checks.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from tessera.checkout.imports.columns import FIELDS
from tessera.checkout.services.imports import ImportReport, ImportRequest, transactions_import
from tessera.kit.clock import now as clock_now
from tessera.kit.errors import DomainError

ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Import data from another system. 'transactions' imports a merchant's purchase history from CSV (also"
        " gzip-compressed) or XLSX: no points, no balances, no postings (docs/imports.md)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("what", choices=["transactions"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--program", required=True, help="public id of the programme (prg_…)")
        parser.add_argument("--store", help="code of the store rows without a store column belong to (default: HQ)")
        parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                            help=f"which column holds a field; fields: {', '.join(FIELDS)}")  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="check every row and print the summary only")
        parser.add_argument("--create-members", action="store_true",
                            help="create the members the file names that the programme does not have")  # fmt: skip
        parser.add_argument("--date-format", help="strptime format of the date column, e.g. '%%d/%%m/%%Y %%H:%%M'")
        parser.add_argument("--decimal-comma", action="store_true", help="numbers are written 1.234,56")
        parser.add_argument("--round-prices", action="store_true",
                            help="round prices with more decimals than the currency has, half up")  # fmt: skip
        parser.add_argument("--encoding", help="the CSV file's encoding (default: UTF-8, else GB18030)")
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES],
                            default=settings.LANGUAGE_CODE, help="language of the messages")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(options["language"])
        request = ImportRequest(
            path=options["file"], program=options["program"], store=options["store"], mapping=_mapping(options["map"]),
            dry_run=options["dry_run"], create_members=options["create_members"], date_format=options["date_format"],
            decimal_comma=options["decimal_comma"], round_prices=options["round_prices"], encoding=options["encoding"],
        )  # fmt: skip
        try:
            report = transactions_import(request=request, now=clock_now())
        except DomainError as exc:
            raise CommandError(exc.text(), returncode=2) from exc
        for key, value in _summary(report, dry_run=request.dry_run):
            self.stdout.write(f"{key}: {value}")
        for error in report.errors[:ERRORS_SHOWN]:
            self.stderr.write(error.text())
        if len(report.errors) > ERRORS_SHOWN:
            self.stderr.write(_("… and %(count)s more errors.") % {"count": len(report.errors) - ERRORS_SHOWN})
        if report.errors:
            raise CommandError(_("Nothing was imported: correct the rows above and run the import again."),
                               returncode=1)  # fmt: skip


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise CommandError(_("--map takes FIELD=COLUMN, not %(given)s.") % {"given": pair}, returncode=2)
        mapping[field.strip()] = column.strip()
    return mapping


def _summary(report: ImportReport, *, dry_run: bool) -> list[tuple[str, object]]:
    if report.errors:
        result = _("refused: nothing was written")
    elif dry_run:
        result = _("dry run: nothing was written")
    elif not report.written:
        result = _("nothing new: every invoice in the file was imported before")
    else:
        result = _("imported")
    counts = report.counts()
    return [
        ("file", report.file), ("batch", report.batch_id if report.written else "-"), ("programme", report.program),
        ("currency", _("%(currency)s: amounts in the file are read in the programme's currency")
         % {"currency": report.currency}),
        ("store", report.store),
        *((key.replace("_", " "), counts[key]) for key in counts),
        ("columns ignored", ", ".join(report.columns_ignored) or "-"), ("result", result),
    ]  # fmt: skip
