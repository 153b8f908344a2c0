from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "prakerja.regions"
    label = "regions"
