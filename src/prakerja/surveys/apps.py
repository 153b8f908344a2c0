from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "prakerja.surveys"
    label = "surveys"
    verbose_name = "Evaluation surveys"

    def ready(self) -> None:
        from prakerja.surveys import errors  # noqa: F401
