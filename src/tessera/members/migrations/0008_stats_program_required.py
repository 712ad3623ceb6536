# The programme is now copied when the statistics row is made at enrolment, so every row has one: the rows of
# members who had not bought yet get theirs here, and the column becomes required.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_stats_for_rfm"),
        ("programs", "0010_partner_benefits"),
    ]

    operations = [
        migrations.RunSQL(
            "UPDATE members_memberstats SET program_id = (SELECT m.program_id FROM members_member m"
            " WHERE m.id = members_memberstats.member_id) WHERE program_id IS NULL",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="memberstats",
            name="program",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programs.program",
                verbose_name="programme",
            ),
        ),
    ]
