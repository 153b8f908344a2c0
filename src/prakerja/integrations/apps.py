from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "prakerja.integrations"
    label = "integrations"
    verbose_name = "Training institutions' integration API"
