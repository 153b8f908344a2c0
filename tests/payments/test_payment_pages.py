"""The pages of payments: a participant names an account and sees the incentive; two officers
prepare and approve a batch and watch its progress; finance imports a statement and resolves."""

from __future__ import annotations

import pytest
from django.test import Client

from payouts import book_account, trained_recipients
from prakerja.payments import disbursement
from prakerja.payments.models import DisbursementBatch, Mismatch, Payout
from staff import log_in_staff

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    log_in_staff(client, user)
    return client


def test_participant_names_an_account_and_sees_the_incentive_paid(
    frozen_clock, provider, gateway_sim, quick_payouts, officers
):
    trained = trained_recipients(frozen_clock, provider, 1, seed=521)[0]
    page = logged_in(trained.user)
    shown = page.get("/insentif/")
    assert shown.status_code == 200
    assert b'data-status="awaiting_account"' in shown.content and b"Rp 600.000" in shown.content
    body = book_account(gateway_sim, trained.person)
    refused = page.post("/insentif/", body | {"holder_name": "Orang Lain"})
    assert refused.status_code == 200 and b"HOLDER_NAME_MISMATCH" in refused.content
    saved = page.post("/insentif/", body, follow=True)
    assert b'data-account-status="verified"' in saved.content and b"******7890" in saved.content
    assert b"1234567890" not in saved.content

    maker, checker = officers
    batch = disbursement.prepare_batch(actor=maker)
    busy = page.get("/insentif/")
    assert b'<form method="post" novalidate>' not in busy.content  # no account change while in flight
    disbursement.approve_batch(batch.public_id, actor=checker)
    disbursement.disburse(until_done=True, max_seconds=10)
    paid = page.get("/insentif/")
    assert b'data-total-paid="600000"' in paid.content and b'data-payout="confirmed"' in paid.content
    assert b'data-total-paid="600000"' in page.get("/dasbor/").content

    assert page.get("/pmo/pencairan/").status_code == 403  # participants never reach the program office


def test_maker_prepares_checker_approves_and_progress_shows(
    frozen_clock, provider, gateway_sim, quick_payouts, officers
):
    people = trained_recipients(frozen_clock, provider, 2, seed=522)
    for n, trained in enumerate(people):
        logged_in(trained.user).post("/insentif/", book_account(gateway_sim, trained.person, number=f"200000000{n}"))
    maker, checker = (logged_in(officer) for officer in officers)
    listing = maker.get("/pmo/pencairan/")
    assert f'data-due="{len(people)}"'.encode() in listing.content
    created = maker.post("/pmo/pencairan/", follow=True)
    batch = DisbursementBatch.objects.get()
    assert created.status_code == 200 and b'data-status="awaiting_approval"' in created.content
    refused = maker.post(f"/pmo/pencairan/{batch.public_id}/", follow=True)
    assert b"SELF_APPROVAL" in refused.content
    assert DisbursementBatch.objects.get().status == "awaiting_approval"
    checker.post(f"/pmo/pencairan/{batch.public_id}/")
    disbursement.disburse(until_done=True, max_seconds=10)
    done = checker.get(f"/pmo/pencairan/{batch.public_id}/")
    assert b'data-status="done"' in done.content and f'data-count-confirmed="{len(people)}"'.encode() in done.content
    assert checker.get("/pmo/pencairan/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert maker.post("/pmo/pencairan/", follow=True).content.count(b"NOTHING_DUE") == 1


def test_finance_imports_a_statement_and_resolves_a_mismatch(
    frozen_clock, provider, gateway_sim, quick_payouts, officers
):
    trained = trained_recipients(frozen_clock, provider, 1, seed=523)[0]
    logged_in(trained.user).post("/insentif/", book_account(gateway_sim, trained.person))
    batch = disbursement.prepare_batch(actor=officers[0])
    disbursement.approve_batch(batch.public_id, actor=officers[1])
    disbursement.disburse(until_done=True, max_seconds=10)
    payout = Payout.objects.get()
    finance = logged_in(officers[0])
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = (
        b"transfer_id,idempotency_key,amount,status,settled_at\nT9,PKJ-stranger-1,600000,success,2026-07-20T03:00:00Z\n"
    )
    imported = finance.post(
        "/pmo/rekonsiliasi/",
        {"date": "2026-07-20", "file": SimpleUploadedFile("s.csv", csv, content_type="text/csv")},
        follow=True,
    )
    assert b'data-kind="unknown_transfer"' in imported.content
    mismatch = Mismatch.objects.get()
    assert (
        b"RESOLUTION_REQUIRED"
        in finance.post(
            "/pmo/rekonsiliasi/", {"mismatch": str(mismatch.public_id), "resolution": "ok"}, follow=True
        ).content
    )
    finance.post(
        "/pmo/rekonsiliasi/", {"mismatch": str(mismatch.public_id), "resolution": "Bukan transfer program; lapor bank."}
    )
    assert Mismatch.objects.get().resolved_at is not None
    assert b'data-open="0"' in finance.get("/pmo/rekonsiliasi/").content
    bad = finance.post("/pmo/rekonsiliasi/", {"date": "kemarin"}, follow=True)
    assert b"INVALID_DATE" in bad.content
    assert payout.status == "confirmed"
