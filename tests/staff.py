"""Staff log-ins for tests: staff pages need a second factor (TOTP), so tests log staff in with one.

``log_in_staff(client, user)`` gives ``user`` a confirmed TOTP device and a session that has passed
both factors, as the log-in page would leave it; ``staff(role, ...)`` makes a staff account.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from prakerja.accounts.models import User

STAFF_PASSWORD = "Petugas#2024x"


def totp_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def log_in_staff(client: Client, user: User) -> Client:
    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def make_staff(role: str, email: str | None = None, *, region_code: str = "", **extra: Any) -> User:
    email = email or f"{role}.{region_code or 'pusat'}@prakerja.test"
    return User.objects.create_user(email, STAFF_PASSWORD, role=role, region_code=region_code, **extra)


@pytest.fixture
def staff_client():
    """``staff_client(role, region_code="")`` → a Client logged in (both factors) as a new staff account."""

    def make(role: str, region_code: str = "", **extra: Any) -> Client:
        return log_in_staff(Client(), make_staff(role, region_code=region_code, **extra))

    return make
