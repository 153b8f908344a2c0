"""Finding a row by the opaque public id that appears in URLs and the API."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet

from prakerja.core.errors import fail

M = TypeVar("M", bound=Model)


def get_by_public_id(queryset: QuerySet[M], public_id: Any, not_found: str) -> M:
    """The row, or a 404 with the ``not_found`` code — for an unknown id and for text that is no UUID at all."""
    try:
        return queryset.get(public_id=public_id)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
        raise fail(not_found, status=404) from None
