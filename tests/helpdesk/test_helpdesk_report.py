"""The desk report: registrations per officer, desk and day (Jakarta) in the officer's area, as a page and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from helpdesk_support import (  # noqa: F401 - fixtures
    Desk,
    contact,
    desk_fixture,
    make_desk,
    officer,
    photo_dir_fixture,
)

from prakerja.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

# Days are Jakarta's: 16:30 UTC on 5 May is 23:30 WIB on 5 May, and 17:30 UTC on 5 May is already
# 00:30 WIB on 6 May, so the second counts on 6 May although its UTC date is the 5th.
LATE_ON_5_MAY = dt.datetime(2030, 5, 5, 16, 30, tzinfo=dt.UTC)
EARLY_ON_6_MAY = dt.datetime(2030, 5, 5, 17, 30, tzinfo=dt.UTC)


def rows_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_counts_per_officer_desk_and_day(desk, frozen_clock):
    second_desk = make_desk(desk.user, regency="3204", name="Meja Layanan Kabupaten Bandung")
    colleague_user, colleague_client = officer("3204", "rekan@prakerja.test")
    colleague = Desk(colleague_user, colleague_client, second_desk, [])
    far_user, far_client = officer("35", "jatim@prakerja.test")
    far = Desk(far_user, far_client, make_desk(far_user, regency="3578", name="Meja Layanan Surabaya"), [])

    frozen_clock(LATE_ON_5_MAY)
    a = desk.start()
    desk.account(a, *contact()[:2])
    desk.start()
    colleague.start()
    far.start()
    frozen_clock(EARLY_ON_6_MAY)
    c = desk.start()
    desk.post(desk.url(c, "tindakan/"), {"action": "cancel"})

    query = "?start=2030-05-01&end=2030-05-31"
    rows = rows_of(desk.get("/wilayah/layanan/laporan.csv" + query))
    assert [(r["day"], r["officer"], r["desk"], r["started"], r["accounts"], r["cancelled"]) for r in rows] == [
        ("2030-05-06", desk.user.email, desk.desk.name, "1", "0", "1"),
        ("2030-05-05", desk.user.email, desk.desk.name, "2", "1", "0"),
        ("2030-05-05", "rekan@prakerja.test", "Meja Layanan Kabupaten Bandung", "1", "0", "0"),
    ]
    assert list(rows[0]) == [
        "day", "officer", "desk", "desk_id", "regency_code",
        "started", "accounts", "identities", "completed", "activated", "cancelled",
    ]  # fmt: skip
    export = AuditEvent.objects.filter(action="personal_data.export", actor=desk.user).get()
    assert export.after["rows"] == 3 and "2030-05-01..2030-05-31" in export.after["purpose"]

    # The page: totals per officer and per desk for the area.
    page = desk.get("/wilayah/layanan/laporan/" + query).content.decode()
    per_officer = page.split('id="per-officer"')[1].split("</table>")[0]
    assert f'<td class="wrap">{desk.user.email}</td><td>3</td><td>1</td>' in per_officer
    assert "jatim@prakerja.test" not in page and "Meja Layanan Surabaya" not in page

    # A regency officer sees their regency only; the program office sees every area.
    mine = rows_of(colleague.client.get("/wilayah/layanan/laporan.csv" + query))
    assert [(r["officer"], r["started"]) for r in mine] == [("rekan@prakerja.test", "1")]
    from staff import log_in_staff, make_staff

    pmo = log_in_staff(Client(), make_staff("pmo", "kantor@prakerja.test"))
    everything = rows_of(pmo.get("/wilayah/layanan/laporan.csv" + query))
    assert sum(int(r["started"]) for r in everything) == 5

    # A day outside the range is not counted; a reversed range is refused.
    assert rows_of(desk.get("/wilayah/layanan/laporan.csv?start=2030-05-06&end=2030-05-06")) == rows[:1]
    r = desk.get("/wilayah/layanan/laporan.csv?start=2030-05-09&end=2030-05-01")
    assert r.status_code == 422
    r = desk.get("/wilayah/layanan/laporan/?start=kemarin")
    assert r.status_code == 422 and "INVALID_DATE" in r.content.decode()
