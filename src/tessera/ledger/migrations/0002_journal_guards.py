"""Make the journal append-only in the database itself, and check each entries INSERT balances (PostgreSQL)."""

from django.db import migrations

from tessera.ledger.guards import guard_drop_statements, guard_statements


TABLES = ("ledger_posting", "ledger_entry", "audit_auditrecord")


def install(apps, schema_editor):
    for sql in guard_statements(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_balance ON ledger_entry")
    for sql in guard_drop_statements(vendor, TABLES):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
