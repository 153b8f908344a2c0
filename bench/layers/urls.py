"""The platform's URLs, with ``POST /api/v1/auth/register`` served by a view that does only the first
layers of a registration (``BENCH_LAYER``), for bench/registration_layers.py. ``registration`` keeps the
platform's own view."""

from __future__ import annotations

import json
import os

from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from layers import LAYERS
from prakerja.accounts.actions import check_registration
from prakerja.accounts.models import User
from prakerja.urls import urlpatterns as platform

LAYER = os.environ.get("BENCH_LAYER", "registration")
assert LAYER in LAYERS, LAYER


@csrf_exempt
def register(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body)
    if LAYER == "hash":
        make_password(body["password"])
        return JsonResponse({}, status=201)
    email, phone, problems = check_registration(body["email"], body["password"], body["phone"], taken=False)
    if problems:
        return JsonResponse({"errors": [p.code for p in problems]}, status=422)
    if LAYER == "account":
        User.objects.create_user(email=email, password=body["password"], phone=phone)  # hashes, one INSERT
    else:
        make_password(body["password"])
    return JsonResponse({}, status=201)


urlpatterns = platform if LAYER == "registration" else [path("api/v1/auth/register", register), *platform]
