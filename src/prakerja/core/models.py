"""Program settings (versioned) and the audit log (append-only)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class ProgramSettingVersion(models.Model):
    """One value of a program setting; the newest row per key is in force.

    Rows are never updated: changing a setting appends a version, so any past
    decision can be explained with the values it used.
    """

    key = models.CharField(max_length=80)
    value = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["key", "-id"], name="setting_key_latest")]

    def __str__(self) -> str:
        return f"{self.key}={self.value!r}"


class AuditEvent(models.Model):
    """Who did what to which object, with the state before and after."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
