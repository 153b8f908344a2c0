from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "prakerja.registry"
    label = "registry"
