"""Closed settlement periods and their rows never change: the database refuses UPDATE and DELETE on them."""

from django.db import migrations

from tessera.ledger.guards import guard_drop_statements, guard_statements

TABLES = ("settlement_settlementperiod", "settlement_storestatement", "settlement_obligation", "settlement_transfer")


def install(apps, schema_editor):
    for sql in guard_statements(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
    for sql in guard_drop_statements(vendor, TABLES):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("settlement", "0001_initial"),
        ("ledger", "0007_settlement_adjustments_and_month_index"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
