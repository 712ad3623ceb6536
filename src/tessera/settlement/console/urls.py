from django.urls import path

from tessera.settlement.console import views

app_name = "settlement"
urlpatterns = [
    path("", views.index, name="index"),
    path("close/", views.close, name="close"),
    path("adjustments/", views.adjust, name="adjust"),
    path("<int:year>-<int:month>/", views.period, name="period"),
    path("<int:year>-<int:month>/export.csv", views.export, {"fmt": "csv"}, name="export-csv"),
    path("<int:year>-<int:month>/export.xlsx", views.export, {"fmt": "xlsx"}, name="export-xlsx"),
]
