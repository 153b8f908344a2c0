"""Access helpers: every staff page reaches data through these, which apply the role.

Regional scope and the finer PMO duties arrive with the roles issue; today the
program office (role ``pmo`` or a superuser) is the only staff role.
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
