"""Access helpers: every staff page reaches data through these, which apply the role.

Roles today: the program office (role ``pmo`` or a superuser), training-institution staff
(their own institution only) and regional officers (their province or regency/city only).
The finer PMO duties arrive with the roles issue.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase


def is_pmo(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or getattr(user, "role", "") == "pmo"))


def pmo_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_pmo(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def institution_of(user: Any) -> Any:
    """The institution a staff account works for, or None."""
    if not user.is_authenticated:
        return None
    staff = getattr(user, "institution_staff", None)
    return staff.institution if staff is not None else None


def institution_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Institution portal pages: the view receives the user's institution; others get 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        institution = institution_of(request.user)
        if institution is None:
            raise PermissionDenied
        return view(request, institution, *args, **kwargs)

    return wrapped


def region_scope(user: Any) -> str | None:
    """A regional officer's area code (province or regency); None for everyone else."""
    if user.is_authenticated and getattr(user, "role", "") == "regional" and getattr(user, "region_code", ""):
        return str(user.region_code)
    return None


def regional_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Regional pages: the view receives the officer's area code; the program office sees all ("")."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        scope = region_scope(request.user)
        if scope is None and not is_pmo(request.user):
            raise PermissionDenied
        return view(request, scope or "", *args, **kwargs)

    return wrapped
