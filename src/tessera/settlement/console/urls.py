from django.urls import path

from tessera.settlement.console import alliance, views

_ALLIANCE = "alliances/<str:alliance_id>/"
_ALLIANCE_MONTH = f"{_ALLIANCE}<int:year>-<int:month>/"

app_name = "settlement"
urlpatterns = [
    path("", views.index, name="index"),
    path("close/", views.close, name="close"),
    path("adjustments/", views.adjust, name="adjust"),
    path("<int:year>-<int:month>/", views.period, name="period"),
    path("<int:year>-<int:month>/export.csv", views.export, {"fmt": "csv"}, name="export-csv"),
    path("<int:year>-<int:month>/export.xlsx", views.export, {"fmt": "xlsx"}, name="export-xlsx"),
    # An alliance's settlement, above any store (an alliance administrator has none).
    path("alliances/", alliance.index, name="alliances"),
    path(_ALLIANCE, alliance.overview, name="alliance"),
    path(_ALLIANCE_MONTH, alliance.month, name="alliance-month"),
    path(f"{_ALLIANCE_MONTH}export.csv", alliance.export, {"fmt": "csv"}, name="alliance-export-csv"),
    path(f"{_ALLIANCE_MONTH}export.xlsx", alliance.export, {"fmt": "xlsx"}, name="alliance-export-xlsx"),
]
