from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "prakerja.ops"
    label = "ops"
