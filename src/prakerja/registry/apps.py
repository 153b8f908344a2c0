from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def pii_keys_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The personal-data keys parse (32 bytes, base64) and differ (core.pii); checked at start-up."""
    from prakerja.core import pii

    try:
        pii.keys()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint="see docs/decisions/0006-personal-data.md", id="prakerja.E601")]
    return []


class RegistryConfig(AppConfig):
    name = "prakerja.registry"
    label = "registry"

    def ready(self) -> None:
        checks.register(pii_keys_configured, checks.Tags.security)
