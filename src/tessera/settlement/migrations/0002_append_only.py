"""Closed settlement periods and their rows never change: the database refuses UPDATE and DELETE on them."""

from django.db import migrations

from tessera.ledger.guards import guards_migration

TABLES = ("settlement_settlementperiod", "settlement_storestatement", "settlement_obligation", "settlement_transfer")


class Migration(migrations.Migration):
    dependencies = [
        ("settlement", "0001_initial"),
        ("ledger", "0007_settlement_adjustments_and_month_index"),
    ]

    operations = [guards_migration(TABLES)]
