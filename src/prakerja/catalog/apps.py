from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "prakerja.catalog"
    label = "catalog"
    verbose_name = "Training institutions and catalog"

    def ready(self) -> None:
        # Registers the catalog's error codes and messages in core.errors.MESSAGES.
        from prakerja.catalog import errors  # noqa: F401
