from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "prakerja.helpdesk"
    verbose_name = "Layanan daerah / Regional help desks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from prakerja.helpdesk import checks, errors  # noqa: F401
