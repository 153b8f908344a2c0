"""A disbursement worker runs for hours (``prakerja disburse --until-done``): between chunks it replaces a
database connection that is past ``CONN_MAX_AGE`` or broken, as Django does between requests, and pays on.
A worker that kept one connection for a whole 100,000-payout run slowed from about 480 to 45 payouts/s: the
session had planned a foreign-key check while the journal was nearly empty and kept that plan (bench/README.md);
one whose database restarted would fail every chunk after."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from market import client_for
from payouts import book_account, trained_recipients
from prakerja.payments import disbursement
from prakerja.payments.models import Payout

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_replaces_an_expired_connection_between_chunks_and_pays(
    frozen_clock, provider, gateway_sim, quick_payouts, officers
):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database lives and dies with its one connection")
    trained = trained_recipients(frozen_clock, provider, 2, seed=517)
    for one in trained:
        saved = client_for(one.user).put("/me/payout-account", book_account(gateway_sim, one.person))
        assert saved.status_code == 200, saved.content
    maker, checker = officers
    batch = disbursement.prepare_batch(actor=maker)
    disbursement.approve_batch(batch.public_id, actor=checker)

    connection.ensure_connection()
    old = connection.connection
    connection.close_at = time.monotonic() - 1  # past CONN_MAX_AGE, as after an hour of work
    summary = disbursement.disburse(until_done=True, max_seconds=10)

    assert connection.connection is not old and old.closed
    assert summary.by_status == {"confirmed": 2}
    assert sorted(Payout.objects.values_list("status", flat=True)) == ["confirmed", "confirmed"]
