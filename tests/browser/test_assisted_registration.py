"""Assisted registration at a help desk, end to end in a real browser (headless Chromium).

A regional officer (already logged in with both factors) adds their desk to the directory, records a
resident's consent, makes the account (no password), has the resident type the SMS code and open the
email link, uploads the KTP photo, compares it, enters the identity (checked by the civil registry),
fills the profile and finishes. Then the resident, on their own phone, opens the set-password link
from the SMS, chooses a password the officer never saw, and logs in as a participant.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from prakerja.accounts.models import User
from prakerja.core import outbox
from prakerja.helpdesk.models import AssistedRegistration
from prakerja.regions.nik import make_nik
from prakerja.registry.residents import add_resident
from staff import log_in_staff, make_staff

SHOTS = Path(os.environ.get("PRAKERJA_HOME", ".")) / "var" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "ujang.suherman@contoh.id"
PHONE = "+6281398765432"
PASSWORD = "Pilihan#Saya2025"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"helpdesk-{name}.png"), full_page=True)


def unlabeled_inputs(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(el => el.offsetParent !== null && el.labels.length === 0 && !el.getAttribute('aria-label'))
              .map(el => el.name)"""
    )


def outbox_link(recipient: str, kind: str, pattern: str) -> str:
    for message in reversed(outbox.messages_for(recipient, kind)):
        found = re.search(pattern, message)
        if found:
            return found.group(1)
    raise AssertionError(f"no {pattern} for {recipient}")


def ktp_photo(path: Path) -> Path:
    Image.new("RGB", (320, 200), (30, 90, 160)).save(path, "JPEG", quality=85)
    return path


@pytest.fixture
def officer_page(browser, live_server, settings, tmp_path):
    settings.SITE_URL = live_server.url
    settings.HELPDESK_PHOTO_DIR = tmp_path / "id-photos"
    officer = make_staff("regional", "petugas.bandung@prakerja.test", region_code="32")
    session = log_in_staff(Client(), officer).cookies["sessionid"].value
    context = browser.new_context(viewport={"width": 800, "height": 900}, locale="id-ID")
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """The resident's own phone (or the desk's public computer): a separate browser, no staff session."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_officer_registers_a_resident_who_sets_their_own_password(officer_page, phone_page, live_server, tmp_path):
    page, base = officer_page, live_server.url
    birth = dt.date(1992, 11, 3)
    nik = make_nik("327301", birth, "M", 4521)
    kk = "3273011506140009"
    add_resident(nik=nik, kk=kk, name="Ujang Suherman", birth_date=birth, gender="M", mother_name="Enok Kartika")

    # The officer's help-desk home, reached from the staff home page.
    page.goto(base + "/wilayah/layanan/")
    page.get_by_role("link", name="Meja layanan", exact=True).click()
    page.get_by_role("link", name="Tambah meja layanan").click()
    page.get_by_label("Nama meja layanan").wait_for()  # the form, not a page half loaded, is what is checked
    assert unlabeled_inputs(page) == []
    page.get_by_label("Kabupaten/kota").select_option("3273")
    page.get_by_label("Nama meja layanan").fill("Meja Layanan Disnaker Kota Bandung")
    page.get_by_label("Alamat").fill("Jl. Martanegara No. 4, Bandung")
    page.get_by_label("Jam layanan").fill("Senin–Jumat 08.00–15.00 WIB")
    page.get_by_label("Telepon").fill("022 7312345")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(re.compile(r"/wilayah/layanan/meja/$"))
    assert "Meja Layanan Disnaker Kota Bandung" in page.content()

    # 1. Consent, read aloud.
    page.get_by_role("link", name="Pendaftaran berbantuan", exact=True).click()
    page.get_by_role("link", name="Daftarkan warga").click()
    assert "Petugas tidak pernah mengetahui atau membuat kata sandi saya" in page.locator(".consent-text").inner_text()
    assert unlabeled_inputs(page) == []
    page.get_by_label("Formulir kertas bertanda tangan / Signed paper form").check()
    page.get_by_label("Nomor formulir bertanda tangan, atau nama saksi (persetujuan lisan)").fill("F-3273-0042")
    # Forgetting to confirm the reading is refused, with its code.
    page.get_by_role("button", name="Catat persetujuan dan lanjutkan").click()
    page.get_by_text("HELPDESK_CONSENT_REQUIRED").wait_for()
    page.get_by_label("Saya sudah membacakan teks persetujuan di atas kepada warga, dan warga menyetujuinya.").check()
    page.get_by_label("Formulir kertas bertanda tangan / Signed paper form").check()
    page.get_by_label("Nomor formulir bertanda tangan, atau nama saksi (persetujuan lisan)").fill("F-3273-0042")
    shot(page, "consent")
    page.get_by_role("button", name="Catat persetujuan dan lanjutkan").click()

    # 2. The account: email and phone only; no password field anywhere.
    page.wait_for_url(re.compile(r"/akun/$"))
    assert page.locator("input[type=password]").count() == 0
    assert unlabeled_inputs(page) == []
    page.get_by_label("Email warga").fill(EMAIL)
    page.get_by_label("Nomor ponsel warga").fill("0813 9876 5432")
    page.get_by_role("button", name="Buat akun").click()
    page.wait_for_url(re.compile(r"/kontak/$"))
    assert not User.objects.get(email=EMAIL).has_usable_password()

    # 3. Contacts: the resident types the SMS code on the officer's screen; opens the email link on the
    # desk's public computer.
    sms = outbox_link(PHONE, "sms", r"Kode verifikasi Kartu Prakerja: (\d{6})")
    page.get_by_label("Kode SMS (6 digit, diketik oleh warga)").fill(sms)
    page.get_by_role("button", name="Verifikasi ponsel").click()
    page.locator("[data-phone-verified]").wait_for()
    phone_page.goto(base + outbox_link(EMAIL, "email", r"https?://[^/\s]+(/akun/verifikasi-email/\S+/)"))
    phone_page.get_by_text("Email terverifikasi.").wait_for()
    page.get_by_role("button", name="Periksa lagi").click()

    # 4. The KTP photo, compared with the person at the desk, then the identity.
    page.wait_for_url(re.compile(r"/identitas/$"))
    page.get_by_label("Foto KTP (JPEG atau PNG)").set_input_files(str(ktp_photo(tmp_path / "ktp.jpg")))
    page.get_by_role("button", name="Unggah foto").click()
    page.wait_for_url(re.compile(r"/identitas/$"))
    photo = page.get_by_role("img", name="Foto KTP warga")
    photo.wait_for()
    assert page.evaluate("img => img.naturalWidth", photo.element_handle()) == 320
    registration = AssistedRegistration.objects.get()
    stored = tmp_path / "id-photos" / registration.photo_file
    assert stored.exists()
    assert unlabeled_inputs(page) == []
    page.get_by_label("NIK (16 digit, sesuai KTP)").fill(nik)
    page.get_by_label("Nomor Kartu Keluarga (16 digit)").fill(kk)
    page.get_by_label("Nama lengkap sesuai KTP").fill("Ujang Suherman")
    page.get_by_label("Tanggal lahir").fill(birth.isoformat())
    page.get_by_label("Laki-laki / Male").check()
    page.get_by_label("Nama ibu kandung").fill("Enok Kartika")
    page.get_by_label("Provinsi (alamat KTP)").select_option("32")
    page.locator("#id_ktp_regency option[value='3273']").wait_for(state="attached")
    page.get_by_label("Kabupaten/kota (alamat KTP)").select_option("3273")
    page.locator("#id_district_code option[value='327301']").wait_for(state="attached")
    page.get_by_label("Kecamatan (alamat KTP)").select_option("327301")
    page.get_by_label("Alamat sesuai KTP").fill("Jl. Sukajadi No. 7")
    page.get_by_label("Saya sudah mencocokkan foto KTP dengan warga yang hadir di meja layanan: orangnya sama.").check()
    shot(page, "identity")
    page.get_by_role("button", name="Verifikasi identitas").click()

    # 5. Profile (optional at the desk), then done. The photo is gone already.
    page.wait_for_url(re.compile(r"/profil/$"))
    page.get_by_text("Foto KTP sudah dihapus").wait_for()
    assert not stored.exists()
    page.get_by_label("Pendidikan terakhir").select_option("smp")
    page.get_by_label("Status pekerjaan").select_option("laid_off")
    page.locator("#id_occupation").select_option("laborer")
    for group in ("in_formal_education", "disability", "former_migrant_worker", "prior_training"):
        page.locator(f"input[name={group}][value=false]").check()
    page.get_by_label("Status perkawinan").select_option("married")
    page.get_by_label("Jumlah tanggungan").fill("3")
    page.get_by_label("Topik pelatihan yang diminati").fill("Servis sepeda motor")
    assert unlabeled_inputs(page) == []
    page.get_by_role("button", name="Simpan profil").click()
    page.wait_for_url(re.compile(r"/daftar/[0-9a-f-]+/$"))
    page.get_by_role("button", name="Selesai di meja layanan").click()
    page.locator("[data-status=completed]").wait_for()
    assert page.locator("[data-photo-deleted]").count() == 1
    shot(page, "done")

    # The desk now shows in the public directory.
    phone_page.goto(base + "/layanan/?province=32")
    assert "Meja Layanan Disnaker Kota Bandung" in phone_page.content()

    # The resident, on their own phone, opens the link from the SMS and sets a password.
    link = outbox_link(PHONE, "sms", r"(https?://\S+/akun/aktivasi/\S+/)")
    assert link.startswith(base)
    phone_page.goto(link)
    assert EMAIL in phone_page.content()
    phone_page.locator("#id_new_password1").fill(PASSWORD)
    phone_page.locator("#id_new_password2").fill(PASSWORD)
    assert unlabeled_inputs(phone_page) == []
    phone_page.get_by_role("button", name="Simpan kata sandi").click()
    phone_page.wait_for_url(re.compile(r"/akun/masuk/"))
    phone_page.get_by_text("Kata sandi tersimpan.").wait_for()
    phone_page.get_by_label("Email").fill(EMAIL)
    phone_page.get_by_label("Kata sandi").fill(PASSWORD)
    phone_page.get_by_role("button", name="Masuk").click()
    phone_page.wait_for_url(re.compile(r"/dasbor/"))
    assert phone_page.locator("[data-next-step=declaration]").count() >= 1
    shot(phone_page, "resident-dashboard")

    # The officer's summary shows the password was set — never what it is.
    page.reload()
    page.locator("[data-activated]").wait_for()
    assert PASSWORD not in page.content()
    registration.refresh_from_db()
    assert registration.activated_at is not None and registration.photo_deleted_reason == "verified"
