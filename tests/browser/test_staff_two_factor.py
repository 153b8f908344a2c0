"""A program-office officer logs in on a phone-sized screen: password, then enrols an authenticator by
the secret shown under the QR code, enters its code, and lands on their duties' pages — with the
page's Content-Security-Policy blocking nothing the page itself needs."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP

from staff import STAFF_PASSWORD, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    context.close()


def code_from(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def test_officer_enrols_an_authenticator_and_reaches_the_curation_queue(page, live_server):
    make_staff("pmo_curation", "kurasi.browser@prakerja.test")
    page.goto(live_server.url + "/pmo/kurasi/")
    page.wait_for_url(re.compile(r"/akun/masuk/"))
    page.get_by_label("Email").fill("kurasi.browser@prakerja.test")
    page.get_by_label("Kata sandi").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()

    page.wait_for_url(re.compile(r"/akun/dua-faktor/"))
    assert page.get_by_role("img", name="Kode QR untuk aplikasi autentikator").is_visible()
    secret = page.locator("[data-secret]").inner_text().strip()
    page.get_by_label("Kode autentikator").fill("000000" if code_from(secret) != "000000" else "111111")
    page.get_by_role("button", name="Aktifkan").click()
    assert page.get_by_role("alert").inner_text().startswith("Kode autentikator salah")

    page.wait_for_timeout(1_200)  # a wrong code makes the next try wait a second
    page.get_by_label("Kode autentikator").fill(code_from(secret))
    page.get_by_role("button", name="Aktifkan").click()
    page.wait_for_url(re.compile(r"/pmo/kurasi/$"))
    page.get_by_role("link", name="Beranda petugas").click()
    links = page.locator("[data-staff-links] a").all_inner_texts()
    assert "Kurasi program pelatihan" in links and "Pencairan insentif" not in links
    assert not [p for p in page.problems if "Content Security Policy" in p]  # type: ignore[attr-defined]
