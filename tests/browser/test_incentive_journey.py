"""A recipient who completed and rated the first training names a bank account on a phone, in a real
browser, and later sees the incentive arrive; then reads the page in English.

The bank is the gateway simulator on loopback (a real HTTP server); the finance officers' two steps
and the worker run through prakerja.payments.disbursement, as the pages for them are tested elsewhere.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from payouts import book_account, trained_recipients
from prakerja.payments import disbursement

PASSWORD = "Insentif#2026"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, settings):
    settings.SITE_URL = live_server.url
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_recipient_names_an_account_and_sees_the_incentive_paid(
    page, live_server, frozen_clock, provider, gateway_sim, quick_payouts, officers
):
    trained = trained_recipients(frozen_clock, provider, 1, seed=531)[0]
    trained.user.set_password(PASSWORD)
    trained.user.save(update_fields=["password"])
    body = book_account(gateway_sim, trained.person, provider="bni", number="0123456789")
    base = live_server.url

    page.goto(base + "/akun/masuk/")
    page.get_by_label("Email").fill(trained.user.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_url(re.compile(r"/dasbor/"))
    page.get_by_role("link", name="Insentif dan rekening").click()
    page.wait_for_url(re.compile(r"/insentif/"))
    assert page.locator('[data-entitlement="training"]').get_attribute("data-status") == "awaiting_account"

    # A typo in the name is caught by the bank check, with the code a help desk can quote.
    page.get_by_label("Bank atau dompet digital").select_option("bni")
    page.get_by_label("Nomor rekening / nomor ponsel dompet digital").fill("0123 4567 89")
    page.get_by_label("Nama pemilik (sesuai KTP)").fill(body["holder_name"] + "x")
    page.get_by_role("button", name="Simpan rekening").click()
    # expect() retries until the answer to the form has replaced the page; content() would race it.
    expect(page.locator("body")).to_contain_text("HOLDER_NAME_MISMATCH")
    page.get_by_label("Nama pemilik (sesuai KTP)").fill(body["holder_name"])
    page.get_by_role("button", name="Simpan rekening").click()
    page.wait_for_selector('[data-account-status="verified"]')
    assert "******6789" in page.content() and "0123456789" not in page.content()
    assert page.locator('[data-entitlement="training"]').get_attribute("data-status") == "due"

    maker, checker = officers
    batch = disbursement.prepare_batch(actor=maker)
    disbursement.approve_batch(batch.public_id, actor=checker)
    disbursement.disburse(until_done=True, max_seconds=10)
    page.reload()
    assert page.locator("[data-total-paid]").first.get_attribute("data-total-paid") == "600000"
    assert page.locator('[data-payout="confirmed"]').count() == 1
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.get_by_role("button", name=re.compile("English")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert "Payout account" in page.content() and "Post-training incentive" in page.content()
