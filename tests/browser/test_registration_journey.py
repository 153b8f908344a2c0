"""A person registers in a real browser (headless Chromium), on a small phone's screen.

register → verify email (link from the outbox) and phone (SMS code) → identity
(cascading region lists) → profile → declaration → aptitude test → dashboard.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from prakerja.aptitude.models import Question
from prakerja.batches.actions import create_batch, open_batch
from prakerja.core import clock, outbox
from prakerja.registry.demo import RESIDENTS, seed_demo

SHOTS = Path(os.environ.get("PRAKERJA_HOME", ".")) / "var" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, settings):
    settings.SITE_URL = live_server.url
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def unlabeled_inputs(page) -> list[str]:
    """Names of visible form controls that no <label> names (an accessibility failure)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(el => el.offsetParent !== null && el.labels.length === 0 && !el.getAttribute('aria-label'))
              .map(el => el.name)"""
    )


def test_register_verify_identity_profile_test_dashboard(page, live_server):
    seed_demo()
    now = clock.now()
    create_batch(number=1, quota=100, opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=7))
    open_batch(1)
    siti = RESIDENTS[1]
    base = live_server.url

    page.goto(base + "/")
    page.get_by_role("link", name="Daftar sekarang").click()
    page.get_by_label("Nomor ponsel").wait_for()  # the form, not a page half loaded, is what is checked
    assert unlabeled_inputs(page) == []
    page.get_by_label("Email").fill("siti.rahayu@contoh.id")
    page.get_by_label("Nomor ponsel").fill("0813 1111 2222")
    page.get_by_label("Kata sandi").fill("Pelatihan#2024")
    page.get_by_role("button", name="Daftar").click()

    # Verify: the emailed link, then the SMS code, both from the outbox.
    page.wait_for_url(re.compile(r"/akun/verifikasi/"))
    email = outbox.messages_for("siti.rahayu@contoh.id", "email")[-1]
    page.goto(re.search(r"(http\S+/akun/verifikasi-email/\S+/)", email).group(1))
    page.get_by_text("Email terverifikasi.").first.wait_for()
    sms = outbox.messages_for("+6281311112222", "sms")[-1]
    page.get_by_label("Kode SMS (6 digit)").fill(re.search(r"\b(\d{6})\b", sms).group(1))
    page.get_by_role("button", name="Verifikasi", exact=True).click()

    # The dashboard names the next step.
    page.wait_for_url(re.compile(r"/dasbor/"))
    page.locator("[data-next-step=identity]").click()

    # Identity: typed exactly as the civil registry holds it; region lists fill in as you choose.
    assert unlabeled_inputs(page) == []
    page.get_by_label("NIK (16 digit, sesuai KTP)").fill(siti.nik)
    page.get_by_label("Nomor Kartu Keluarga (16 digit)").fill(siti.kk)
    page.get_by_label("Nama lengkap sesuai KTP").fill(siti.name)
    page.get_by_label("Tanggal lahir").fill(siti.birth_date.isoformat())
    page.get_by_label("Perempuan / Female").check()
    page.get_by_label("Nama ibu kandung").fill(siti.mother_name)
    page.get_by_label("Provinsi (alamat KTP)").select_option(siti.district[:2])
    page.locator(f"#id_ktp_regency option[value='{siti.district[:4]}']").wait_for(state="attached")
    page.get_by_label("Kabupaten/kota (alamat KTP)").select_option(siti.district[:4])
    page.locator(f"#id_district_code option[value='{siti.district}']").wait_for(state="attached")
    page.get_by_label("Kecamatan (alamat KTP)").select_option(siti.district)
    page.get_by_label("Alamat sesuai KTP").fill("Jl. Sukasari No. 5")
    shot(page, "identity")
    page.get_by_role("button", name="Simpan dan verifikasi").click()

    # Profile
    page.wait_for_url(re.compile(r"/peserta/profil/"))
    page.get_by_text("Identitas Anda cocok dengan data Dukcapil").wait_for()
    page.get_by_label("Pendidikan terakhir").select_option("sma")
    page.get_by_label("Status pekerjaan").select_option("unemployed")
    page.locator("#id_occupation").select_option("not_working")
    for group in ("in_formal_education", "disability", "former_migrant_worker", "prior_training"):
        page.locator(f"input[name={group}][value=false]").check()
    page.get_by_label("Status perkawinan").select_option("single")
    page.get_by_label("Jumlah tanggungan").fill("0")
    page.get_by_label("Topik pelatihan yang diminati").fill("Menjahit")
    assert unlabeled_inputs(page) == []
    page.get_by_role("button", name="Simpan profil").click()

    # Declaration
    page.wait_for_url(re.compile(r"/peserta/pernyataan/"))
    page.get_by_label("Saya telah membaca, menyatakan dan menyetujui hal di atas.").check()
    page.get_by_role("button", name="Setuju dan lanjutkan").click()

    # Aptitude test: answer every question correctly, then submit.
    page.wait_for_url(re.compile(r"/tes/"))
    page.get_by_role("button", name="Mulai tes").click()
    page.locator("fieldset.question").first.wait_for()
    key = dict(Question.objects.values_list("code", "answer"))
    radios = page.locator("fieldset.question input[type=radio]")
    names = sorted({radios.nth(i).get_attribute("name") for i in range(radios.count())})
    assert len(names) == 20
    for name in names:
        page.locator(f"input[name='{name}'][value='{key[name[2:]]}']").check()
    shot(page, "test")
    page.get_by_role("button", name="Selesai dan kirim jawaban").click()

    # Dashboard: eligible, score shown, next step is joining a batch.
    page.wait_for_url(re.compile(r"/dasbor/"))
    state = page.locator("section.state")
    assert state.get_attribute("data-state") == "eligible"
    assert "Memenuhi syarat" in state.inner_text()
    assert "skor 20/20" in page.locator("ol.checklist").inner_text()
    assert "3273********0002" in page.content()
    shot(page, "dashboard")

    # An open batch is offered on the dashboard; joining it shows the wait for the selection.
    page.get_by_role("button", name="Gabung gelombang ini").click()
    page.wait_for_url(re.compile(r"/dasbor/"))
    assert page.locator("section.state").get_attribute("data-state") == "applied"
    assert page.locator("[data-application=applied]").count() == 1
    shot(page, "dashboard-applied")

    # The English switch
    page.get_by_role("button", name="English").click()
    # The address stays /dasbor/, so wait for the new page's language rather than the URL.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_role("heading", level=1).inner_text() != "Dasbor peserta"


def test_identity_refusal_is_shown_per_field(page, live_server):
    seed_demo()
    base = live_server.url
    page.goto(base + "/akun/masuk/")
    page.get_by_label("Email").fill("baru@prakerja.test")
    page.get_by_label("Kata sandi").fill("Prakerja#2024")
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/dasbor/"))
    page.goto(base + "/peserta/identitas/")
    agus = RESIDENTS[2]
    page.get_by_label("NIK (16 digit, sesuai KTP)").fill("3599" + agus.nik[4:])  # regency 3599 never existed
    page.get_by_label("Nomor Kartu Keluarga (16 digit)").fill(agus.kk)
    page.get_by_label("Nama lengkap sesuai KTP").fill(agus.name)
    page.get_by_label("Tanggal lahir").fill(agus.birth_date.isoformat())
    page.get_by_label("Laki-laki / Male").check()
    page.get_by_label("Nama ibu kandung").fill(agus.mother_name)
    page.get_by_label("Provinsi (alamat KTP)").select_option(agus.district[:2])
    page.locator(f"#id_ktp_regency option[value='{agus.district[:4]}']").wait_for(state="attached")
    page.get_by_label("Kabupaten/kota (alamat KTP)").select_option(agus.district[:4])
    page.locator(f"#id_district_code option[value='{agus.district}']").wait_for(state="attached")
    page.get_by_label("Kecamatan (alamat KTP)").select_option(agus.district)
    page.get_by_label("Alamat sesuai KTP").fill("Jl. Karangpilang 3")
    page.get_by_role("button", name="Simpan dan verifikasi").click()
    nik = page.get_by_label("NIK (16 digit, sesuai KTP)")
    expect(nik).to_have_attribute("aria-invalid", "true")
    assert "NIK_UNKNOWN_REGENCY" in page.content()
    page.get_by_role("alert").first.wait_for()
    shot(page, "identity-errors")
