"""Demo staff accounts, one per role, each with a known authenticator secret (development only).

Staff log in with two factors. So that a person trying the demo can log in
without enrolling a phone, every demo staff account gets a confirmed TOTP
device whose secret is printed with the demo log-ins; ``prakerja totp-code
EMAIL`` prints the current code. Both are refused in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from prakerja.accounts.models import User
from prakerja.core import clock

# 20 bytes, hex: the same for every demo account, so one authenticator entry serves the whole demo.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"  # RFC 6238's test key "1234567890..."


@dataclass(frozen=True)
class DemoStaff:
    email: str
    phone: str
    role: str
    region_code: str
    note: str


STAFF = (
    DemoStaff("kurasi@prakerja.test", "+6281100000011", "pmo_curation", "", "PMO curation: reviews training programs"),
    DemoStaff("seleksi@prakerja.test", "+6281100000012", "pmo_selection", "", "PMO selection: batches and selection"),
    DemoStaff("layanan@prakerja.test", "+6281100000013", "pmo_support", "", "PMO support: complaints, purchase desk"),
    DemoStaff("daerah@prakerja.test", "+6281100000014", "regional", "31", "regional officer, DKI Jakarta (help desk)"),
    DemoStaff("bandung@prakerja.test", "+6281100000015", "regional", "3273", "regional officer, Kota Bandung"),
    DemoStaff("kementerian@prakerja.test", "+6281100000016", "ministry", "", "ministry viewer: aggregates only"),
    DemoStaff("auditor@prakerja.test", "+6281100000017", "auditor", "", "auditor: audit trail, read-only"),
)


def demo_device(user: User) -> TOTPDevice:
    """A confirmed authenticator with the demo key (idempotent)."""
    if settings.PRODUCTION:
        raise RuntimeError("demo authenticators are for development only")
    device = TOTPDevice.objects.filter(user=user, name="demo").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY_HEX, confirmed=True)
    return device


def seed_staff(password: str) -> list[User]:
    """The demo staff of every role (plus the authenticator for staff seeded elsewhere)."""
    users = []
    for s in STAFF:
        user = User.objects.filter(email=s.email).first()
        if user is None:
            user = User.objects.create_user(s.email, password, phone=s.phone, role=s.role, region_code=s.region_code)
            user.email_verified_at = user.phone_verified_at = clock.now()
            user.save(update_fields=["email_verified_at", "phone_verified_at"])
        users.append(user)
    staff = User.objects.exclude(role=User.Role.PARTICIPANT).filter(email__endswith="@prakerja.test")
    for user in staff:
        demo_device(user)
    return users


def demo_secret() -> str:
    """The demo key in base32, as authenticator apps take it."""
    import base64

    return base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()


def current_code(user: User) -> str:
    """The code an authenticator with the demo key shows now."""
    from django_otp.oath import TOTP

    device = demo_device(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = clock.now().timestamp()
    return f"{totp.token():0{device.digits}d}"
