from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "prakerja.core"
    label = "core"

    def ready(self) -> None:
        from prakerja.core.audit_guard import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="prakerja-audit-guard")
