"""The operator's admin: staff accounts with their role and area, changes audited, authenticators reset
without their secret ever being shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from prakerja.accounts.models import User
from prakerja.core.models import AuditEvent
from staff import log_in_staff, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> Client:
    user = User.objects.create_superuser("operator.admin@prakerja.test", "Operator#2024x")
    return log_in_staff(Client(), user)


def test_operator_creates_a_regional_officer_and_the_change_is_audited(operator):
    response = operator.post(
        "/admin/accounts/user/add/",
        {
            "email": "daerah.baru@prakerja.test",
            "role": "regional",
            "region_code": "3273",
            "password1": "Petugas#Baru2024",
            "password2": "Petugas#Baru2024",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    officer = User.objects.get(email="daerah.baru@prakerja.test")
    assert officer.role == "regional" and officer.region_code == "3273"
    event = AuditEvent.objects.get(action="accounts.user_saved_in_admin", object_id=str(officer.public_id))
    assert event.before is None and event.after["role"] == "regional"
    assert operator.get("/admin/accounts/user/").status_code == 200


def test_authenticators_can_be_reset_but_their_secret_is_never_shown(operator):
    staff = make_staff("auditor", "auditor.reset@prakerja.test")
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    page = operator.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page
    assert operator.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in (302, 404)
    operator.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.two_factor.reset", object_id=str(staff.public_id)).exists()
