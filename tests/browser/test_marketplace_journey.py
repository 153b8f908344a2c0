"""A recipient buys, attends and completes a training in a real browser (headless Chromium), on a phone.

log in → catalog (filter by mode) → program → buy with the training balance → my trainings (voucher
and redeem codes) → attendance and completion by the institution (through prakerja.learning.actions,
the clock moved into each session's window) → certificate PDF link → rating and review → the public
certificate verification page. Also: the catalog after switching to English.

The frozen clock (``frozen_clock``) is module state, so the live server's thread reads it too.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from market import NAMED, approved_program, open_class, recipients_named
from prakerja.learning import actions
from prakerja.learning.certificate import masked_name
from prakerja.learning.models import Certificate, Purchase

SHOTS = Path(os.environ.get("PRAKERJA_HOME", ".")) / "var" / "screenshots"
PASSWORD = "Pelatihan#2026"  # generated population accounts have no usable password unless --password is given
START = NAMED + dt.timedelta(days=5)  # 15 July, 10:00 Jakarta

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, settings):
    settings.SITE_URL = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/akun/masuk/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_url(re.compile(r"/dasbor/"))


def test_recipient_buys_attends_completes_reviews_and_certificate_verifies(page, live_server, frozen_clock, provider):
    user = recipients_named(frozen_clock, 3, seed=61)[0]  # the clock now stands at NAMED
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    offline = approved_program(provider, mode="offline", price=1_500_000)
    webinar = approved_program(provider, mode="webinar", price=500_000)
    training_class = open_class(provider, offline, start=START, capacity=10)
    open_class(provider, webinar, start=START)
    base = live_server.url

    log_in(page, base, user.email)

    # The catalog, filtered by mode: only the offline program remains.
    page.goto(base + "/pelatihan/")
    assert page.locator("article.program").count() == 2
    page.get_by_label("Metode").select_option("offline")
    page.get_by_role("button", name="Cari", exact=True).click()
    page.wait_for_url(re.compile(r"/pelatihan/\?.*mode=offline"))
    programs = page.locator("article.program")
    assert programs.count() == 1
    assert "1 program ditemukan" in page.get_by_role("status").inner_text()
    assert webinar.title not in page.content()
    shot(page, "market-catalog")

    # The program page lists its open class; buy it with the training balance.
    programs.get_by_role("link", name=offline.title).click()
    page.wait_for_url(re.compile(rf"/pelatihan/{offline.public_id}/"))
    assert page.get_by_role("heading", level=1).inner_text() == offline.title
    card = page.locator(f"section.class[data-class-code='{training_class.code}']")
    assert card.locator("ol li").count() == 2
    shot(page, "market-program")
    card.get_by_role("button", name="Beli dengan saldo pelatihan").click()

    # My trainings: the voucher code and one redeem code per session, not yet valid.
    page.wait_for_url(re.compile(r"/pelatihan/saya/$"))
    page.get_by_text("Pelatihan berhasil dibeli.").wait_for()
    purchase = Purchase.objects.get(person__user=user)
    bought = page.locator("section.purchase")
    assert bought.count() == 1
    assert bought.get_attribute("data-status") == "active"
    assert bought.locator("code.voucher").inner_text() == purchase.voucher_code
    assert purchase.voucher_code.startswith("VCR")
    redeem = list(purchase.redeem_codes.select_related("session").order_by("session__sequence"))
    assert bought.locator("code.redeem").all_inner_texts() == [c.code for c in redeem]
    assert [r.get_attribute("data-state") for r in bought.locator("tbody tr").all()] == ["not_yet", "not_yet"]
    assert page.get_by_role("link", name="Unduh sertifikat (PDF)").count() == 0
    shot(page, "market-mine-bought")

    # The institution commits attendance inside each session's window, then reports completion.
    for code in redeem:
        frozen_clock(code.session.starts_at - dt.timedelta(minutes=30))
        actions.commit_redeem(provider.institution, code.code, code.session.sequence)
    actions.complete(provider.institution, purchase.voucher_code)
    certificate = Certificate.objects.get(purchase=purchase)

    # Reload: completed, every session attended, the certificate to download, the review form.
    page.reload()
    bought = page.locator("section.purchase")
    assert bought.get_attribute("data-status") == "completed"
    assert [r.get_attribute("data-state") for r in bought.locator("tbody tr").all()] == ["used", "used"]
    download = page.get_by_role("link", name="Unduh sertifikat (PDF)")
    href = download.get_attribute("href")
    assert href == f"/sertifikat/{certificate.verify_token}/pdf/"
    pdf = page.request.get(base + href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    shot(page, "market-mine-completed")

    page.get_by_label("4★").check()
    page.get_by_label("Ulasan").fill("Materinya jelas dan praktis, pelatihnya sabar.")
    page.get_by_role("button", name="Kirim rating dan ulasan").click()
    page.wait_for_url(re.compile(r"/pelatihan/saya/$"))
    page.get_by_text("Terima kasih atas rating dan ulasan Anda.").wait_for()
    confirmation = page.locator("section.purchase p.ok")
    assert "4/5" in confirmation.inner_text()
    assert "Materinya jelas dan praktis" in confirmation.inner_text()
    assert page.locator("form.review-form").count() == 0
    assert purchase.review.rating == 4
    shot(page, "market-reviewed")

    # The public verification page (what the certificate's QR code opens): number and masked name.
    page.goto(base + f"/sertifikat/{certificate.verify_token}/")
    page.get_by_role("heading", name="Sertifikat ini sah").wait_for()
    assert page.locator("dd.cert-number").inner_text() == certificate.number
    full_name = user.person.full_name
    masked = masked_name(full_name)
    assert masked != full_name and "*" in masked
    facts = page.locator("dl.facts").inner_text()
    assert masked in facts
    assert full_name not in page.content()
    assert offline.title in facts
    shot(page, "market-certificate")


def test_catalog_in_english(page, live_server, frozen_clock, provider):
    frozen_clock(NAMED)
    program = approved_program(provider, mode="offline")
    open_class(provider, program, start=START)
    base = live_server.url

    page.goto(base + "/pelatihan/")
    assert page.locator("html").get_attribute("lang") == "id"
    category = page.locator("#category option[value=fashion_beauty]")
    indonesian = category.inner_text()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_role("button", name="Bahasa Indonesia").count() == 1
    english = page.locator("#category option[value=fashion_beauty]").inner_text()
    assert english != indonesian and "and" in english.split()
    assert page.locator("article.program").count() == 1
    shot(page, "market-catalog-en")
