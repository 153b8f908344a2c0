"""``core.rows.update_each``: the disbursement workers' way of writing a chunk of payouts (in place of
``bulk_update``). Each row gets its own values for exactly the fields named, converted as ``save()`` would
convert them; other fields and other rows stay as they were. On both databases."""

from __future__ import annotations

import datetime as dt

import pytest

from prakerja.accounts.models import User
from prakerja.core.rows import update_each

pytestmark = pytest.mark.django_db


def make(email: str, phone: str) -> User:
    return User.objects.create_user(email=email, phone=phone, password="Rahasia#2024x")


def test_each_row_gets_its_own_values_for_the_fields_named_only() -> None:
    siti, agus, dewi = (
        make("siti@contoh.id", "+6281311112222"),
        make("agus@contoh.id", "+6281311113333"),
        make("dewi@contoh.id", "+6281311114444"),
    )
    jakarta = dt.timezone(dt.timedelta(hours=7))
    siti.email_verified_at = dt.datetime(2026, 3, 1, 9, 30, tzinfo=jakarta)
    siti.region_code = "3273"
    agus.email_verified_at = None
    agus.region_code = "3578"
    siti.phone = agus.phone = "+620000000000"  # changed in memory but not named: must not be written

    update_each(User, [siti, agus], ["email_verified_at", "region_code"])

    siti_row, agus_row, dewi_row = (User.objects.get(pk=u.pk) for u in (siti, agus, dewi))
    # the same instant, whatever the zone it was given in
    assert siti_row.email_verified_at == dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC)
    assert siti_row.region_code == "3273"
    assert agus_row.email_verified_at is None and agus_row.region_code == "3578"
    assert (siti_row.phone, agus_row.phone) == ("+6281311112222", "+6281311113333")
    assert dewi_row.region_code == "" and dewi_row.email_verified_at is None


def test_nothing_to_write_sends_nothing(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        update_each(User, [], ["region_code"])
