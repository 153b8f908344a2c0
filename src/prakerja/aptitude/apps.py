from django.apps import AppConfig


class AptitudeConfig(AppConfig):
    name = "prakerja.aptitude"
    label = "aptitude"
