from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "prakerja.batches"
    label = "batches"
