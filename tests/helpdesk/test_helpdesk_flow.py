"""Assisted registration at a help desk, through the pages: consent → account (no password) → contacts →
KTP photo and identity → profile → done; then the resident sets their own password from the SMS link."""

from __future__ import annotations

import pytest
from django.test import Client
from helpdesk_support import (  # noqa: F401 - fixtures
    SURABAYA_DISTRICT,
    activation_path,
    big_jpeg,
    contact,
    desk_fixture,
    email_verify_path,
    jpeg,
    person_in,
    photo_dir_fixture,
    png,
    sms_code,
)

from prakerja.accounts.models import User
from prakerja.core import outbox
from prakerja.core.models import AuditEvent
from prakerja.helpdesk import consent
from prakerja.helpdesk.models import AssistedRegistration
from prakerja.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

PROFILE = {
    "education": "smp",
    "employment_status": "unemployed",
    "occupation": "not_working",
    "in_formal_education": "false",
    "disability": "false",
    "former_migrant_worker": "false",
    "prior_training": "false",
    "marital_status": "married",
    "dependents": "2",
    "desired_topic": "Menjahit",
}
RESIDENT_PASSWORD = "Sendiri#Rahasia2025"


def audit_actions(registration: AssistedRegistration) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="helpdesk.assistedregistration", object_id=str(registration.public_id))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_officer_registers_a_resident_who_then_sets_their_own_password(desk, photo_dir):
    email, phone, phone_e164 = contact()
    person = person_in("327301")

    # 1. Consent, read aloud; the text's version and hash are kept.
    page = desk.get("/wilayah/layanan/daftar/baru/")
    assert page.status_code == 200
    assert consent.text_of(consent.CURRENT).splitlines()[0] in page.content.decode()
    registration = desk.start()
    assert registration.consent_version == consent.CURRENT
    assert registration.consent_sha256 == consent.digest(consent.CURRENT)
    assert registration.consent_method == "paper_form" and registration.consent_reference == "F-2025-0001"
    assert registration.officer == desk.user and registration.regency_code == "3273"

    # 2. The account: no password anyone knows; the resident gets the code, the email link and the set-password link.
    r = desk.account(registration, email, phone)
    assert r.status_code == 302 and r["Location"].endswith("/kontak/")
    resident = User.objects.get(email=email)
    assert resident.phone == phone_e164 and resident.role == "participant"
    assert not resident.has_usable_password()
    sms_link = activation_path(phone_e164, "sms")
    email_link = activation_path(email, "email")
    assert sms_link == email_link
    assert len(outbox.messages_for(phone_e164, "sms")) == 2  # the verification code and the link

    # Contacts: the resident types the SMS code; opens the email link themselves.
    desk.verify_contacts(registration, email, phone_e164)

    # 3. KTP photo, kept privately, then the identity; verifying deletes the photo.
    r = desk.upload(registration, jpeg())
    assert r.status_code == 302
    registration.refresh_from_db()
    stored = photo_dir / registration.photo_file
    assert stored.exists() and oct(stored.stat().st_mode & 0o777) == "0o600"
    page = desk.get(desk.url(registration, "identitas/"))
    assert f'src="/wilayah/layanan/daftar/{registration.public_id}/foto/"' in page.content.decode()
    image = desk.get(desk.url(registration, "foto/"))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image["Cache-Control"].startswith("no-store") and image.content == stored.read_bytes()
    digest = registration.photo_sha256

    r = desk.identity(registration, person)
    assert r.status_code == 302 and r["Location"].endswith("/profil/"), r.content.decode()[:3000]
    registration.refresh_from_db()
    assert not stored.exists() and list(photo_dir.iterdir()) == []
    assert registration.photo_file == "" and registration.photo_sha256 == digest
    assert registration.photo_verified_by == desk.user and registration.photo_deleted_reason == "verified"
    assert registration.photo_verified_at == registration.photo_deleted_at or registration.photo_deleted_at
    assert desk.get(desk.url(registration, "foto/")).status_code == 404
    record = Person.objects.get(user=resident)
    assert record.identity_verified_at is not None and record.full_name == person["full_name"]

    # 4. Profile (optional), then done.
    r = desk.post(desk.url(registration, "profil/"), PROFILE)
    assert r.status_code == 302
    assert Person.objects.get(user=resident).profile_completed_at is not None
    r = desk.post(desk.url(registration, "tindakan/"), {"action": "complete"})
    assert r.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "completed" and registration.activated_at is None
    summary = desk.get(desk.url(registration)).content.decode()
    assert "data-photo-deleted" in summary and digest in summary

    # Every step is in the audit trail, with nothing secret in it.
    assert audit_actions(registration) == [
        "helpdesk.consent_recorded",
        "helpdesk.account_created",
        "helpdesk.phone_verified",
        "helpdesk.contacts_verified",
        "helpdesk.photo_uploaded",
        "personal_data.view",
        "helpdesk.identity_verified",
        "helpdesk.photo_deleted",
        "helpdesk.profile_saved",
        "helpdesk.completed",
    ]
    trail = str(list(AuditEvent.objects.values_list("before", "after")))
    token = sms_link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in trail and sms_code(phone_e164) not in trail and resident.password not in trail

    # The officer never saw the link, the code or a password on any page.
    officer_pages = b"".join(r.content for r in desk.responses)
    assert token.encode() not in officer_pages and resident.password.encode() not in officer_pages

    # The resident opens the SMS link on their own device, sets a password, and logs in.
    tampered = sms_link.rstrip("/")[:-1] + ("0" if sms_link.rstrip("/")[-1] != "0" else "1") + "/"
    assert Client().get(tampered).status_code == 400
    web = Client()
    r = web.get(sms_link)
    assert r.status_code == 302
    form_url = r["Location"]
    assert token not in form_url and form_url.endswith("/atur-sandi/")
    page = web.get(form_url)
    assert page.status_code == 200 and email in page.content.decode()
    r = web.post(form_url, {"new_password1": "pendek", "new_password2": "pendek"})
    assert r.status_code == 422 and not User.objects.get(pk=resident.pk).has_usable_password()
    r = web.post(form_url, {"new_password1": RESIDENT_PASSWORD, "new_password2": RESIDENT_PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/akun/masuk/"
    resident.refresh_from_db()
    assert resident.check_password(RESIDENT_PASSWORD)
    registration.refresh_from_db()
    assert registration.activated_at is not None
    assert audit_actions(registration)[-1] == "helpdesk.password_set"
    assert RESIDENT_PASSWORD.encode() not in officer_pages
    # The link works once; the placeholder address without the token opens nothing.
    again = Client().get(sms_link)
    assert again.status_code == 400 and "HELPDESK_ACTIVATION_INVALID" in again.content.decode()
    assert Client().get(form_url).status_code == 400
    r = web.post("/akun/masuk/", {"email": email, "password": RESIDENT_PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/dasbor/"
    dashboard = web.get("/dasbor/")
    assert dashboard.status_code == 200
    assert 'data-next-step="declaration"' in dashboard.content.decode()
    # The officer's summary shows the resident set their password (never what it is).
    assert "data-activated" in desk.get(desk.url(registration)).content.decode()


def test_consent_is_required_before_anything(desk):
    before = AssistedRegistration.objects.count()
    base = {"desk": str(desk.desk.public_id), "method": "paper_form", "reference": "F-1", "version": consent.CURRENT}
    r = desk.post("/wilayah/layanan/daftar/baru/", base)
    assert r.status_code == 422 and "HELPDESK_CONSENT_REQUIRED" in r.content.decode()
    r = desk.post("/wilayah/layanan/daftar/baru/", base | {"read_aloud": "on", "reference": " "})
    assert r.status_code == 422 and "HELPDESK_CONSENT_REFERENCE_REQUIRED" in r.content.decode()
    r = desk.post("/wilayah/layanan/daftar/baru/", base | {"read_aloud": "on", "version": "1999.1"})
    assert r.status_code == 422 and "HELPDESK_CONSENT_OUTDATED" in r.content.decode()
    r = desk.post("/wilayah/layanan/daftar/baru/", base | {"read_aloud": "on", "method": "nod"})
    assert r.status_code == 422
    assert AssistedRegistration.objects.count() == before
    # Spoken consent names its witness.
    registration = desk.start(method="spoken_witnessed", reference="Dewi Lestari (staf Disnaker)")
    assert registration.consent_method == "spoken_witnessed"
    # No step can be skipped: the identity page waits for the account and contacts.
    assert desk.get(desk.url(registration, "identitas/"))["Location"].endswith("/akun/")
    r = desk.upload(registration, jpeg())
    assert r.status_code == 302
    assert not AssistedRegistration.objects.get(pk=registration.pk).photo_file


def test_taken_contacts_and_bad_numbers_are_refused(desk):
    email, phone, _ = contact()
    first = desk.start()
    assert desk.account(first, email, phone).status_code == 302
    second = desk.start()
    r = desk.account(second, email.upper(), phone)
    body = r.content.decode()
    assert r.status_code == 422 and "EMAIL_TAKEN" in body and "PHONE_TAKEN" in body
    r = desk.account(second, "bukan-email", "12345")
    assert "EMAIL_INVALID" in r.content.decode() and "PHONE_INVALID" in r.content.decode()
    # The first registration's account cannot be made twice.
    assert desk.account(first, *contact()[:2]).status_code == 302  # redirected to the next step
    assert User.objects.filter(assisted_registration=first).count() == 1


def contacts_done(desk) -> tuple[AssistedRegistration, str, str]:
    email, phone, phone_e164 = contact()
    registration = desk.start()
    assert desk.account(registration, email, phone).status_code == 302
    desk.verify_contacts(registration, email, phone_e164)
    return registration, email, phone_e164


def test_photo_type_size_and_content_are_checked(desk, photo_dir, settings):
    registration, _email, _phone = contacts_done(desk)
    # Not an image, whatever the name and declared type say.
    r = desk.upload(registration, b"GIF89a" + b"\x00" * 200, name="ktp.jpg")
    assert r.status_code == 422 and "HELPDESK_PHOTO_TYPE" in r.content.decode()
    r = desk.upload(registration, b"%PDF-1.7 not a photo", name="ktp.png", content_type="image/png")
    assert "HELPDESK_PHOTO_TYPE" in r.content.decode()
    # A JPEG header on garbage.
    r = desk.upload(registration, b"\xff\xd8\xff\xe0" + b"\x13" * 500)
    assert r.status_code == 422 and "HELPDESK_PHOTO_INVALID" in r.content.decode()
    # Too large: refused while being read, nothing kept.
    settings.HELPDESK_PHOTO_MAX_BYTES = 20_000
    big = jpeg(size=(600, 400), quality=95, noise=True)
    assert len(big) > 20_000
    r = desk.upload(registration, big)
    assert r.status_code == 413 and "HELPDESK_PHOTO_TOO_LARGE" in r.content.decode()
    # Nothing uploaded at all.
    r = desk.post(desk.url(registration, "foto/unggah/"), {})
    assert r.status_code == 422 and "HELPDESK_PHOTO_REQUIRED" in r.content.decode()
    assert not photo_dir.exists() or list(photo_dir.iterdir()) == []
    registration.refresh_from_db()
    assert registration.photo_file == ""
    # A PNG is fine; uploading again replaces (and deletes) the first.
    assert desk.upload(registration, png(), name="ktp.png", content_type="image/png").status_code == 302
    registration.refresh_from_db()
    first = registration.photo_file
    assert first.endswith(".png")
    settings.HELPDESK_PHOTO_MAX_BYTES = 5 * 1024 * 1024
    photo = big_jpeg()
    assert 2_621_440 < len(photo) < 5 * 1024 * 1024
    assert desk.upload(registration, photo).status_code == 302
    registration.refresh_from_db()
    assert registration.photo_file != first and [p.name for p in photo_dir.iterdir()] == [registration.photo_file]
    assert (photo_dir / registration.photo_file).read_bytes() == photo


def test_identity_needs_the_photo_compared_and_a_resident_of_the_area(desk, photo_dir):
    registration, _email, _phone = contacts_done(desk)
    local = person_in("327301")
    # No photo yet.
    r = desk.identity(registration, local)
    assert r.status_code == 409 and "HELPDESK_PHOTO_REQUIRED" in r.content.decode()
    desk.upload(registration, jpeg())
    # The officer must attest the photo shows the person at the desk.
    r = desk.identity(registration, local, matches=False)
    assert r.status_code == 422 and "HELPDESK_PHOTO_NOT_COMPARED" in r.content.decode()
    # A resident of Surabaya (Jawa Timur) cannot be registered by a Jawa Barat officer.
    outsider = person_in(SURABAYA_DISTRICT, name="Sri Wulandari")
    r = desk.identity(registration, outsider)
    assert r.status_code == 403 and "HELPDESK_OUT_OF_AREA" in r.content.decode()
    resident = User.objects.get(assisted_registration=registration)
    assert Person.objects.filter(user=resident, identity_verified_at__isnull=False).count() == 0
    # ... unless they live in the area (domicile).
    living_here = outsider | {"domicile_province": "32", "domicile_regency": "3273", "domicile_district_code": "327301"}
    # The civil registry still has the last word: a wrong name is refused, the photo kept for the retry.
    r = desk.identity(registration, living_here | {"full_name": "Sri Wulan"})
    assert r.status_code == 422 and "REGISTRY_NAME_MISMATCH" in r.content.decode()
    registration.refresh_from_db()
    assert registration.photo_file and (photo_dir / registration.photo_file).exists()
    r = desk.identity(registration, living_here)
    assert r.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "identity_verified" and list(photo_dir.iterdir()) == []
    refused = AuditEvent.objects.filter(action="helpdesk.identity_refused", object_id=str(registration.public_id))
    assert sorted(e.after["codes"][0] for e in refused) == ["HELPDESK_OUT_OF_AREA", "REGISTRY_NAME_MISMATCH"]


def test_a_photo_of_someone_else_ends_the_registration(desk, photo_dir):
    registration, _email, _phone = contacts_done(desk)
    desk.upload(registration, jpeg())
    r = desk.post(desk.url(registration, "foto/hapus/"), {"reason": "mismatch"})
    assert r.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled" and registration.photo_deleted_reason == "rejected"
    assert list(photo_dir.iterdir()) == []
    r = desk.identity(registration, person_in("327301"))
    assert r.status_code == 302 and r["Location"].endswith(f"/daftar/{registration.public_id}/")
    assert "helpdesk.cancelled" in audit_actions(registration)


def test_a_lost_link_is_sent_again_with_a_limit(desk, frozen_clock):
    import datetime as dt

    from prakerja.core import clock

    email, phone, phone_e164 = contact()
    registration = desk.start()
    desk.account(registration, email, phone)
    url = desk.url(registration, "tindakan/")
    desk.post(url, {"action": "resend-activation"})
    assert len([m for m in outbox.messages_for(phone_e164, "sms") if "/akun/aktivasi/" in m]) == 1  # too soon
    frozen_clock(clock.now() + dt.timedelta(minutes=2))
    desk.post(url, {"action": "resend-activation"})
    links = [m for m in outbox.messages_for(phone_e164, "sms") if "/akun/aktivasi/" in m]
    assert len(links) == 2
    assert "helpdesk.activation_resent" in audit_actions(registration)
