"""Merchant statements and transfers of a closed period never change either."""

from django.db import migrations

from tessera.ledger.guards import guards_migration

TABLES = ("settlement_merchantstatement", "settlement_merchanttransfer")


class Migration(migrations.Migration):
    dependencies = [("settlement", "0003_merchant_statements")]

    operations = [guards_migration(TABLES)]
