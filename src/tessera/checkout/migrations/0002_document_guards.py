"""Documents, lines and tenders are append-only, like the journal they explain."""

from django.db import migrations

from tessera.ledger.guards import guards_migration

TABLES = ("checkout_document", "checkout_documentline", "checkout_tender")


class Migration(migrations.Migration):
    dependencies = [
        ("checkout", "0001_initial"),
        ("ledger", "0002_journal_guards"),
    ]

    operations = [guards_migration(TABLES)]
