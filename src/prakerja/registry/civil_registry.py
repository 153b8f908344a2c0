"""Civil-registry (Dukcapil) adapters: one interface, a local table and an HTTP service.

``LocalRegistryAdapter`` reads :class:`CivilRegistryRecord` (filled by
``seed-demo``, ``generate-population`` and ``add-resident``).
``HttpRegistryAdapter`` posts to ``CIVIL_REGISTRY_URL`` and speaks the protocol
of :mod:`prakerja.registry.simulator`, which a deployment can point at a real
gateway. Both answer with mismatch codes; neither ever says more about a NIK
than whether what was typed matches.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from prakerja.registry.matching import RegistryEntry, Submitted, mismatch_codes
from prakerja.registry.models import CivilRegistryRecord

logger = logging.getLogger(__name__)


class RegistryUnavailable(Exception):
    """The registry could not answer; nothing may be concluded about the person."""


class CivilRegistry(Protocol):
    def check(self, submitted: Submitted) -> list[str]:
        """Mismatch codes; an empty list means the identity matches."""
        ...


class LocalRegistryAdapter:
    def check(self, submitted: Submitted) -> list[str]:
        row = CivilRegistryRecord.objects.filter(nik=submitted.nik).first()
        entry = RegistryEntry(row.nik, row.kk_number, row.full_name, row.birth_date) if row else None
        return mismatch_codes(entry, submitted)


class HttpRegistryAdapter:
    def __init__(self, url: str | None = None, timeout: float | None = None) -> None:
        self.url = url or settings.CIVIL_REGISTRY_URL
        self.timeout = timeout if timeout is not None else settings.CIVIL_REGISTRY_TIMEOUT

    def check(self, submitted: Submitted) -> list[str]:
        body = json.dumps(
            {
                "nik": submitted.nik,
                "kk_number": submitted.kk_number,
                "full_name": submitted.full_name,
                "birth_date": submitted.birth_date.isoformat(),
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - URL comes from settings, http(s) only
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read(64 * 1024))
        except (urllib.error.URLError, TimeoutError, ValueError, OSError) as exc:
            logger.warning("civil registry unavailable: %s", type(exc).__name__)
            raise RegistryUnavailable from exc
        codes = answer.get("mismatches") if isinstance(answer, dict) else None
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise RegistryUnavailable("malformed answer")
        return codes


def registry() -> CivilRegistry:
    return import_string(settings.CIVIL_REGISTRY_ADAPTER)()
