from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "prakerja.complaints"
    verbose_name = "Pengaduan / Complaints"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from prakerja.complaints import errors  # noqa: F401
