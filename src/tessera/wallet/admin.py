from django.contrib import admin

from tessera.wallet.models import StoredValueProfile


@admin.register(StoredValueProfile)
class StoredValueProfileAdmin(admin.ModelAdmin):
    list_display = ["program", "jurisdiction", "named_balance_max_minor", "anonymous_balance_max_minor",
                    "top_up_max_minor", "custody_ratio_bp"]  # fmt: skip
