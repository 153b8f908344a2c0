"""Requests seen by the partner API, kept while their timestamp is acceptable: the same signed
request arriving twice is a replay (a captured request sent again) and is refused."""

from __future__ import annotations

from django.db import models


class SeenRequest(models.Model):
    client_code = models.CharField(max_length=20)
    signature = models.CharField(max_length=40)
    timestamp = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client_code", "signature"], name="one_use_per_signature")]

    def __str__(self) -> str:
        return f"{self.client_code} {self.timestamp}"
