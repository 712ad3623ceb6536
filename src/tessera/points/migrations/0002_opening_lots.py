"""Give every member who already holds points one never-expiring lot of that balance.

Installations from before points lots kept no lots; without this the ledger and the lots would disagree.
"""

from django.db import migrations


def open_lots(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO points_pointslot (program_id, member_id, source_type, source_id, earned_at, expires_at,"
        " points, remaining, expired, created_at)"
        " SELECT a.program_id, a.member_id, 'opening_balance', '', CURRENT_TIMESTAMP, NULL, a.balance, a.balance,"
        " 0, CURRENT_TIMESTAMP FROM ledger_account a WHERE a.kind = 'member_points' AND a.balance > 0",
        params=None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0001_initial"),
        ("ledger", "0005_alter_account_kind"),
    ]

    operations = [migrations.RunPython(open_lots, migrations.RunPython.noop)]
