# Admin access (is_staff) only for platform admins and the operations centre. Accounts of other roles that had
# the flag lose it first, so the constraint can be added; the reverse keeps everyone as they are then.

from django.db import migrations, models

ADMIN_ROLES = ["hq_admin"]  # frozen here: the matrix in tessera.access.rules may move on


def revoke_admin_of_other_roles(apps, schema_editor):
    StaffUser = apps.get_model("access", "StaffUser")
    StaffUser.objects.filter(is_staff=True, is_superuser=False).exclude(role__in=ADMIN_ROLES).update(is_staff=False)


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0004_more_staff_roles'),
    ]

    operations = [
        migrations.RunPython(revoke_admin_of_other_roles, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='staffuser',
            constraint=models.CheckConstraint(condition=models.Q(('is_staff', False), ('is_superuser', True), ('role__in', ['hq_admin']), _connector='OR'), name='staff_admin_only_platform_or_operations'),
        ),
    ]
