from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "prakerja.learning"
    label = "learning"
    verbose_name = "Purchases, attendance, completion and reviews"

    def ready(self) -> None:
        # Registers the learning lifecycle's error codes and messages in core.errors.MESSAGES.
        from prakerja.learning import errors  # noqa: F401
