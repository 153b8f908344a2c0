"""Help-desk test helpers: officers of two areas, a desk, photos, and walking a registration to a step.

Not a conftest.py: the suite imports names from the top conftest as a module (``from conftest import
…``), and a second conftest.py would shadow it. Test modules import the fixtures below by name.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from prakerja.accounts.models import User
from prakerja.core import outbox
from prakerja.helpdesk.models import AssistedRegistration, HelpDesk
from prakerja.regions.nik import make_nik
from prakerja.registry.residents import add_resident
from staff import log_in_staff, make_staff

BANDUNG = "3273"  # Kota Bandung, Jawa Barat (32)
SURABAYA_DISTRICT = "357801"  # Jawa Timur: outside a Jawa Barat officer's area


def jpeg(size: tuple[int, int] = (64, 40), quality: int = 80, noise: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    if noise:
        image = Image.effect_noise(size, 100).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def big_jpeg() -> bytes:
    """About 3 MB: above Django's 2.5 MB in-memory threshold, below the 5 MB limit."""
    import os

    out = io.BytesIO()
    Image.frombytes("RGB", (1600, 1200), os.urandom(1600 * 1200 * 3)).save(out, "JPEG", quality=98)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 80, 160)).save(out, "PNG")
    return out.getvalue()


def upload(data: bytes, name: str = "ktp.jpg", content_type: str = "image/jpeg") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def officer(region_code: str, email: str | None = None) -> tuple[User, Client]:
    user = make_staff(
        "regional", email or f"petugas.{region_code}.{User.objects.count()}@prakerja.test", region_code=region_code
    )
    return user, log_in_staff(Client(), user)


_serial = iter(range(100, 9999))


def person_in(district: str, *, name: str = "Rina Marlina", gender: str = "F") -> dict[str, str]:
    """A resident in the civil-registry double, as the identity form's fields."""
    birth = dt.date(1994, 3, 9)
    n = next(_serial)
    nik = make_nik(district, birth, gender, n)
    kk = f"{district}1203150{n:03d}"[:16]
    add_resident(nik=nik, kk=kk, name=name, birth_date=birth, gender=gender, mother_name="Ani Suryani")
    return {
        "nik": nik,
        "kk_number": kk,
        "full_name": name,
        "birth_date": birth.isoformat(),
        "gender": gender,
        "mother_name": "Ani Suryani",
        "ktp_province": district[:2],
        "ktp_regency": district[:4],
        "district_code": district,
        "address": "Jl. Cihampelas No. 12",
    }


def sms_code(phone: str) -> str:
    """The newest verification code sent to ``phone`` (other SMS carry the set-password link)."""
    for message in reversed(outbox.messages_for(phone, "sms")):
        found = re.search(r"Kode verifikasi Kartu Prakerja: (\d{6})", message)
        if found:
            return found.group(1)
    raise AssertionError("no verification code")


def email_verify_path(email: str) -> str:
    for message in reversed(outbox.messages_for(email, "email")):
        found = re.search(r"https?://[^/\s]+(/akun/verifikasi-email/\S+/)", message)
        if found:
            return found.group(1)
    raise AssertionError("no verification email")


def activation_path(recipient: str, kind: str) -> str:
    for message in reversed(outbox.messages_for(recipient, kind)):
        found = re.search(r"https?://[^/\s]+(/akun/aktivasi/\S+/)", message)
        if found:
            return found.group(1)
    raise AssertionError(f"no activation link by {kind}")


@dataclass
class Desk:
    """An officer at a desk in Kota Bandung, walking one resident through the flow."""

    user: User
    client: Client
    desk: HelpDesk
    responses: list[Any]

    def record(self, response: Any) -> Any:
        self.responses.append(response)
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.record(self.client.get(path, **kw))

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.record(self.client.post(path, data or {}, **kw))

    def start(self, **overrides: Any) -> AssistedRegistration:
        from prakerja.helpdesk import consent

        data = {
            "desk": str(self.desk.public_id),
            "read_aloud": "on",
            "method": "paper_form",
            "reference": "F-2025-0001",
            "version": consent.CURRENT,
        } | overrides
        r = self.post("/wilayah/layanan/daftar/baru/", data)
        assert r.status_code == 302, r.content.decode()[:3000]
        return AssistedRegistration.objects.order_by("-id").first()  # type: ignore[return-value]

    def url(self, registration: AssistedRegistration, step: str = "") -> str:
        return f"/wilayah/layanan/daftar/{registration.public_id}/{step}"

    def account(self, registration: AssistedRegistration, email: str, phone: str) -> Any:
        return self.post(self.url(registration, "akun/"), {"email": email, "phone": phone})

    def verify_contacts(self, registration: AssistedRegistration, email: str, phone_e164: str) -> None:
        r = self.post(self.url(registration, "kontak/"), {"action": "code", "code": sms_code(phone_e164)})
        assert r.status_code == 302, r.content.decode()[:3000]
        # The resident opens the emailed link on a device of their own (or the desk's public computer).
        assert Client().get(email_verify_path(email)).status_code == 302
        r = self.get(self.url(registration, "kontak/"))
        assert r.status_code == 302 and r["Location"].endswith("/identitas/")

    def upload(self, registration: AssistedRegistration, data: bytes, **kw: Any) -> Any:
        return self.post(self.url(registration, "foto/unggah/"), {"photo": upload(data, **kw)})

    def identity(self, registration: AssistedRegistration, person: dict[str, str], matches: bool = True) -> Any:
        data = dict(person)
        if matches:
            data["photo_matches"] = "on"
        return self.post(self.url(registration, "identitas/"), data)


_phones = iter(range(20_000_000, 99_999_999))


def contact() -> tuple[str, str, str]:
    """(email, phone as typed, phone E.164) for a new resident."""
    n = next(_phones)
    return f"warga{n}@contoh.id", f"0813{n}", f"+62813{n}"


@pytest.fixture(name="photo_dir", autouse=True)
def photo_dir_fixture(settings, tmp_path):
    settings.HELPDESK_PHOTO_DIR = tmp_path / "id-photos"
    settings.SITE_URL = "http://testserver"
    return settings.HELPDESK_PHOTO_DIR


def make_desk(by: User, regency: str = BANDUNG, name: str = "Meja Layanan Disnaker Kota Bandung", **extra: Any):
    from prakerja.core import clock

    now = clock.now()
    defaults = {
        "address": "Jl. Martanegara No. 4, Bandung",
        "opening_hours": "Senin–Jumat 08.00–15.00 WIB",
        "phone": "+62227312345",
        "email": "disnaker@bandung.example",
        "active": True,
    } | extra
    return HelpDesk.objects.create(
        regency_id=regency, name=name, created_at=now, updated_at=now, created_by=by, updated_by=by, **defaults
    )


@pytest.fixture(name="desk")
def desk_fixture() -> Desk:
    user, client = officer("32")
    return Desk(user=user, client=client, desk=make_desk(user), responses=[])
