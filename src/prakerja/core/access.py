"""Access helpers: every staff page reaches data through these, which apply role and region scope.

A page asks for a *duty* (``core.roles``) with :func:`duty_required`; objects
that belong to a person, an institution or a region are fetched with the
``access_*`` helpers, which return only what the user may see and answer 404
for anything else, so a foreign object looks exactly like a missing one. A
regional officer's queries are narrowed with :func:`in_region`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from prakerja.core import roles


def duties(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.role == "regional" and not user.region_code:
        return frozenset()  # a regional officer without an area holds nothing, rather than everything
    return roles.duties_of(getattr(user, "role", ""), superuser=bool(user.is_superuser))


def has_duty(user: Any, *wanted: str) -> bool:
    """True when the user holds any of the wanted duties."""
    held = duties(user)
    return any(d in held for d in wanted)


def is_pmo(user: Any) -> bool:
    """Program-office staff (any PMO duty)."""
    return bool(duties(user) & (roles.PMO_DUTIES - {roles.AGGREGATES}))


def duty_required(*wanted: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """A page for holders of any of ``wanted``; anyone else logged in gets 403, visitors the log-in page."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_duty(request.user, *wanted):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_duties = wanted  # type: ignore[attr-defined]
        return wrapped

    return decorate


def institution_of(user: Any) -> Any:
    """The institution or digital platform a staff account works for, or None."""
    if not has_duty(user, roles.PORTAL):
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

    wrapped.required_duties = (roles.PORTAL,)  # type: ignore[attr-defined]
    return wrapped


def region_scope(user: Any) -> str | None:
    """A regional officer's area code (province or regency); None for everyone else.

    A regional officer without an area sees nothing: the empty string would mean "all".
    """
    if getattr(user, "is_authenticated", False) and getattr(user, "role", "") == "regional":
        return str(user.region_code or "-")
    return None


def regional_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Regional pages: the view receives the officer's area code; the program office sees all ("")."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        scope = region_scope(request.user)
        if (scope is None and not is_pmo(request.user)) or not has_duty(request.user, roles.REGIONAL, roles.SUPPORT):
            raise PermissionDenied
        return view(request, scope or "", *args, **kwargs)

    wrapped.required_duties = (roles.REGIONAL,)  # type: ignore[attr-defined]
    return wrapped


def in_region(queryset: QuerySet[Any], scope: str, regency_field: str) -> QuerySet[Any]:
    """Narrow ``queryset`` to an area: ``regency_field`` names a 4-digit regency code (or a path to one).

    ``scope`` is "" for the whole country, 2 digits for a province, 4 for a regency/city.
    """
    if not scope:
        return queryset
    if len(scope) == 2:
        return queryset.filter(**{f"{regency_field}__startswith": scope})
    return queryset.filter(**{regency_field: scope})


def regency_in_scope(regency_code: str, scope: str | None) -> bool:
    """Pure check for one code: is a regency inside an area (None or "" = everywhere)."""
    if not scope:
        return True
    return regency_code.startswith(scope) if len(scope) == 2 else regency_code == scope


def access_person(user: Any, public_id: Any) -> Any:
    """A participant's record for staff who may handle it: PMO support and selection nationally,
    a regional officer inside their area (by the KTP or domicile regency). 404 otherwise."""
    from prakerja.registry.models import Person

    people = Person.objects.all()
    scope = region_scope(user)
    if scope is not None:
        regency = Q()
        for field in ("ktp_district__regency__code", "domicile_district__regency__code"):
            regency |= Q(**{f"{field}__startswith": scope}) if len(scope) == 2 else Q(**{field: scope})
        people = people.filter(regency)
    elif not has_duty(user, roles.SUPPORT, roles.SELECTION):
        raise Http404
    person = people.filter(public_id=public_id).first()
    if person is None:
        raise Http404
    return person


def participant_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A participant's own pages: staff accounts get 403 (they are never turned into participants)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if roles.is_staff_role(getattr(request.user, "role", "")) or request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.required_duties = ()  # type: ignore[attr-defined]
    return wrapped
