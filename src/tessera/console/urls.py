from django.urls import include, path
from django.views.i18n import set_language

from tessera.console import progress, smart_tags, views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("store/", views.store_select, name="store-select"),
    path("language/", set_language, name="set-language"),
    path("members/<str:member_id>/progress/", progress.member_progress, name="member-progress"),
    path("members/<str:member_id>/smart-tags/", smart_tags.member_smart_tags_fragment, name="member-smart-tags"),
    path("members/", include("tessera.members.console.urls")),
    # Pages about one member from the areas above members, under the member's own URL.
    path("members/", include("tessera.crm.console.urls")),
    path("members/", include("tessera.analytics.console.urls_cycles")),
    path("members/", include("tessera.analytics.console.urls_statements")),
    path("segments/", include("tessera.segments.console.urls")),
    path("analytics/value/", include("tessera.analytics.console.urls_clv")),
    path("analytics/", include("tessera.analytics.console.urls")),
    path("tiers/", include("tessera.tiers.console.urls")),
    path("checkout/", include("tessera.checkout.console.urls")),
    path("settlement/", include("tessera.settlement.console.urls")),
]
