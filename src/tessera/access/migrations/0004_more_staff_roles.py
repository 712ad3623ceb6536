# Choices only: the stored codes of the first three roles are unchanged, so no row moves.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0003_staff_api_tokens'),
    ]

    operations = [
        migrations.AlterField(
            model_name='staffuser',
            name='role',
            field=models.CharField(choices=[('cashier', 'Shop guide or cashier'), ('customer_service', 'Customer service'), ('store_manager', 'Store manager'), ('hq_admin', 'Operations centre (headquarters)'), ('alliance_admin', 'Alliance administrator'), ('auditor', 'Auditor (read-only)')], default='cashier', max_length=32, verbose_name='role'),
        ),
    ]
