from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouponsConfig(AppConfig):
    name = "tessera.coupons"
    verbose_name = _("E-coupons")

    def ready(self) -> None:
        # Checkout caches a programme's coupon templates per configuration version (never their usage counters).
        from tessera.coupons import jobs  # noqa: F401  (registers the expiry job in every process)
        from tessera.coupons.checks import register
        from tessera.programs.config_cache import config_table_register

        register()
        from tessera.coupons.services.triggers import welcome_coupons
        from tessera.members.hooks import on_enrolled

        on_enrolled("coupons.welcome", welcome_coupons)

        config_table_register("coupons_coupontemplate")
        template_of = "(SELECT program_id FROM coupons_coupontemplate WHERE id = {row}.%s)"
        config_table_register("coupons_coupontemplate_stores", template_of % "coupontemplate_id")
        config_table_register("coupons_coupontemplatetranslation", template_of % "template_id")
