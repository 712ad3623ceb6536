"""Merchant statements and transfers of a closed period never change either."""

from django.db import migrations

from tessera.ledger.guards import guard_drop_statements, guard_statements

TABLES = ("settlement_merchantstatement", "settlement_merchanttransfer")


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
    dependencies = [("settlement", "0003_merchant_statements")]

    operations = [migrations.RunPython(install, uninstall)]
