import hashlib

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_md5(value: object) -> str | None:
    return None if value is None else hashlib.md5(str(value).encode(), usedforsecurity=False).hexdigest()


def add_sqlite_functions(sender, connection, **kwargs) -> None:
    """SQLite lacks md5(); the seeded draw must be the same text on SQLite and PostgreSQL."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("md5", 1, _sqlite_md5, deterministic=True)


class BatchesConfig(AppConfig):
    name = "prakerja.batches"
    label = "batches"

    def ready(self) -> None:
        connection_created.connect(add_sqlite_functions, dispatch_uid="prakerja-sqlite-md5")
