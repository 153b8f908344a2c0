from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "prakerja.payments"
    label = "payments"
    verbose_name = "Payments and ledger"

    def ready(self) -> None:
        # Registers the ledger's error codes and messages in core.errors.MESSAGES.
        from prakerja.payments import errors  # noqa: F401
