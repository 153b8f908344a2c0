from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "prakerja.reports"
    verbose_name = "Laporan dan dasbor / Reports and dashboards"
    default_auto_field = "django.db.models.BigAutoField"
