"""Give every member who holds stored value one lot per kind of that balance, from their enrolment store.

Installations from before stored-value lots kept no lots; without this the ledger and the lots would disagree.
Where the money was really taken is not known for those balances, so settlement treats them as the enrolment
store's.
"""

from django.db import migrations


def open_lots(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO wallet_storedvaluelot (program_id, member_id, kind, store_id, source_type, source_id,"
        " amount_minor, remaining_minor, created_at)"
        " SELECT a.program_id, a.member_id,"
        " CASE a.kind WHEN 'member_sv_principal' THEN 'principal' ELSE 'bonus' END,"
        " m.enrolled_store_id, 'opening_balance', '', a.balance, a.balance, CURRENT_TIMESTAMP"
        " FROM ledger_account a JOIN members_member m ON m.id = a.member_id"
        " WHERE a.kind IN ('member_sv_principal', 'member_sv_bonus') AND a.balance > 0",
        params=None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("wallet", "0004_stored_value_lots"),
        ("ledger", "0006_entry_origin_store"),
    ]

    operations = [migrations.RunPython(open_lots, migrations.RunPython.noop)]
