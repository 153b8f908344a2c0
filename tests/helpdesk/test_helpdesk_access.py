"""Who reaches which help-desk page: an officer sees only their area; the program office looks but never acts."""

from __future__ import annotations

import pytest
from django.test import Client
from helpdesk_support import (  # noqa: F401 - fixtures
    contact,
    desk_fixture,
    jpeg,
    make_desk,
    officer,
    photo_dir_fixture,
)

from prakerja.accounts.models import User
from prakerja.helpdesk.models import AssistedRegistration
from staff import log_in_staff, make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def registration_with_photo(desk) -> AssistedRegistration:
    from helpdesk_support import email_verify_path, sms_code

    email, phone, phone_e164 = contact()
    registration = desk.start()
    desk.account(registration, email, phone)
    desk.post(desk.url(registration, "kontak/"), {"action": "code", "code": sms_code(phone_e164)})
    Client().get(email_verify_path(email))
    desk.get(desk.url(registration, "kontak/"))
    assert desk.upload(registration, jpeg()).status_code == 302
    registration.refresh_from_db()
    assert registration.photo_file
    return registration


def pages(registration: AssistedRegistration, desk_id: str) -> list[tuple[str, str]]:
    base = f"/wilayah/layanan/daftar/{registration.public_id}/"
    steps = ["", "akun/", "kontak/", "identitas/", "foto/", "profil/"]
    return (
        [("get", base + s) for s in steps]
        + [("post", base + s) for s in [*steps, "tindakan/", "foto/unggah/", "foto/hapus/"]]
        + [("get", f"/wilayah/layanan/meja/{desk_id}/"), ("post", f"/wilayah/layanan/meja/{desk_id}/")]
    )


def test_an_officer_of_another_area_finds_nothing(desk):
    registration = registration_with_photo(desk)
    before = AssistedRegistration.objects.get(pk=registration.pk)
    _jatim, elsewhere = officer("35")
    _kab_bandung, next_door = officer("3204")  # a regency officer next door, same province
    for client in (elsewhere, next_door):
        for method, path in pages(registration, str(desk.desk.public_id)):
            data = {"action": "complete", "reason": "mismatch", "name": "X"} if method == "post" else None
            r = getattr(client, method)(path, data) if data else client.get(path)
            assert r.status_code == 404, (method, path, r.status_code)
        # Lists, the report and the directory of their own area show nothing of this one.
        for path in ("/wilayah/layanan/", "/wilayah/layanan/meja/", "/wilayah/layanan/laporan/"):
            body = client.get(path).content.decode()
            assert str(registration.public_id) not in body and desk.desk.name not in body, path
        csv = client.get("/wilayah/layanan/laporan.csv").content.decode()
        assert desk.user.email not in csv
        # Nor can they start a registration at the foreign desk.
        r = client.post(
            "/wilayah/layanan/daftar/baru/",
            {"desk": str(desk.desk.public_id), "read_aloud": "on", "method": "paper_form", "reference": "1"},
        )
        assert r.status_code in (404, 422)
    after = AssistedRegistration.objects.get(pk=registration.pk)
    assert (after.status, after.photo_file, after.cancelled_at) == (before.status, before.photo_file, None)
    assert AssistedRegistration.objects.count() == 1

    # A regency officer of the desk's own city, and the province's officer, see it.
    _kota, same_city = officer("3273")
    assert same_city.get(f"/wilayah/layanan/daftar/{registration.public_id}/").status_code == 200
    assert desk.get(f"/wilayah/layanan/daftar/{registration.public_id}/foto/").status_code == 200
    # An officer without an area holds no duty at all.
    _nowhere, nowhere = officer("")
    assert nowhere.get(f"/wilayah/layanan/daftar/{registration.public_id}/").status_code == 403


def test_the_program_office_looks_but_does_not_act(desk):
    registration = registration_with_photo(desk)
    pmo = log_in_staff(Client(), make_staff("pmo", "kantor.pmo@prakerja.test"))
    base = f"/wilayah/layanan/daftar/{registration.public_id}/"
    for path in ("/wilayah/layanan/", base, "/wilayah/layanan/meja/", "/wilayah/layanan/laporan/"):
        assert pmo.get(path).status_code == 200, path
    assert pmo.get("/wilayah/layanan/laporan.csv").status_code == 200
    for method, path in [
        ("get", "/wilayah/layanan/daftar/baru/"),
        ("get", base + "foto/"),  # ID photos are for the officer at the desk only
        ("get", "/wilayah/layanan/meja/baru/"),
        ("post", base + "tindakan/"),
        ("post", base + "foto/unggah/"),
        ("post", base + "foto/hapus/"),
        ("post", base + "identitas/"),
    ]:
        r = getattr(pmo, method)(path, {"action": "cancel"}) if method == "post" else pmo.get(path)
        assert r.status_code == 403, (method, path, r.status_code)
    registration.refresh_from_db()
    assert registration.status == "contacts_verified" and registration.photo_file


def test_participants_and_visitors_are_kept_out(desk):
    registration = registration_with_photo(desk)
    participant = User.objects.create_user("peserta.lain@contoh.id", "Rahasia#2024x")
    web = Client()
    web.force_login(participant)
    base = f"/wilayah/layanan/daftar/{registration.public_id}/"
    for path in ("/wilayah/layanan/", base, base + "foto/", "/wilayah/layanan/laporan.csv"):
        assert web.get(path).status_code == 403, path
        r = Client().get(path)
        assert r.status_code == 302 and "/akun/masuk/" in r["Location"], path
    # A staff session without its second factor is sent to the code prompt, not to the photo.
    half = Client()
    half.force_login(make_staff("regional", "setengah@prakerja.test", region_code="32"))
    r = half.get(base + "foto/")
    assert r.status_code == 302 and "/akun/masuk/" not in r["Location"] and "foto" not in r.content.decode()


def test_desks_are_kept_inside_the_officers_area(desk):
    _regency_officer, city = officer("3273")
    form = {
        "name": "Meja Layanan Kecamatan Coblong",
        "address": "Jl. Sangkuriang No. 1",
        "opening_hours": "Senin–Kamis 08.00–14.00 WIB",
        "phone": "022 2503333",
        "email": "",
        "active": "on",
    }
    # A city officer may keep desks of their city only.
    r = city.post("/wilayah/layanan/meja/baru/", form | {"regency": "3204"})
    assert r.status_code == 422
    r = city.post("/wilayah/layanan/meja/baru/", form | {"regency": "3273"})
    assert r.status_code == 302
    from prakerja.helpdesk.models import HelpDesk

    created = HelpDesk.objects.get(name="Meja Layanan Kecamatan Coblong")
    assert created.phone == "+62222503333" and created.phone_display.startswith("(022)")
    # A province officer may keep the desks of any regency in the province.
    r = desk.post(f"/wilayah/layanan/meja/{created.public_id}/", form | {"regency": "3204", "active": ""})
    assert r.status_code == 302
    created.refresh_from_db()
    assert created.regency_id == "3204" and not created.active
    # Now in Kabupaten Bandung: out of the city officer's reach.
    assert city.get(f"/wilayah/layanan/meja/{created.public_id}/").status_code == 404
    # A desk needs a way to be reached, and a real number.
    r = desk.post("/wilayah/layanan/meja/baru/", form | {"regency": "3273", "phone": "", "email": ""})
    assert r.status_code == 422 and "HELPDESK_CONTACT_REQUIRED" in r.content.decode()
    r = desk.post("/wilayah/layanan/meja/baru/", form | {"regency": "3273", "phone": "12"})
    assert "HELPDESK_PHONE_INVALID" in r.content.decode()
    from prakerja.core.models import AuditEvent

    events = AuditEvent.objects.filter(object_id=str(created.public_id)).order_by("id")
    assert [e.action for e in events] == ["helpdesk.desk_created", "helpdesk.desk_updated"]
    assert events[1].before == {"regency": "3273", "active": True}
    assert events[1].after == {"regency": "3204", "active": False}
