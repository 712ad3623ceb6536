"""Name the issuing store on points lots opened before lots recorded it.

A lot earned by a sale or a top-up takes that document's store; any other lot (opening balances, mall
cancellations) takes the member's enrolment store, which is what settlement assumes for them.
"""

from django.db import migrations


def backfill(apps, schema_editor):
    schema_editor.execute(
        "UPDATE points_pointslot SET store_id = COALESCE("
        " (SELECT d.store_id FROM checkout_document d WHERE d.public_id = points_pointslot.source_id),"
        " (SELECT m.enrolled_store_id FROM members_member m WHERE m.id = points_pointslot.member_id))"
        " WHERE store_id IS NULL",
        params=None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0003_lot_store"),
        ("checkout", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
