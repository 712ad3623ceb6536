"""``tessera wallet liability``: stored value outstanding per store and per merchant, with the custody deposit."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand

from tessera.wallet.selectors import stored_value_liability_list


class Command(BaseCommand):
    help = "Stored-value tools. 'liability' prints principal and bonus outstanding per store and per merchant."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["liability"])

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("program\tmerchant\tstore\tunit\tprincipal_minor\tbonus_minor\tcustody_minor")
        for r in stored_value_liability_list():
            custody = "" if r.custody_minor is None else str(r.custody_minor)
            store = r.store_code or "*"
            self.stdout.write(
                f"{r.program_id}\t{r.merchant_id}\t{store}\t{r.unit}\t{r.principal_minor}\t{r.bonus_minor}\t{custody}"
            )
