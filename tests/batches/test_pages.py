"""Batch pages: the program office runs a batch from its console; participants join and read why."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client

from prakerja.accounts.models import User
from prakerja.batches.models import Application, Batch
from prakerja.core import clock
from staff import log_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


def staff() -> Client:
    admin = User.objects.create_user(email="pmo@prakerja.test", password="x", role=User.Role.PMO)
    client = Client()
    log_in_staff(client, admin)
    return client


def participant(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_program_office_runs_a_batch_and_participants_see_why():
    call_command("generate_population", people=60, seed=11, stdout=io.StringIO(), stderr=io.StringIO())
    pmo = staff()
    now = clock.now().astimezone(clock.JAKARTA)
    page = pmo.post(
        "/pmo/gelombang/",
        {
            "number": 70,
            "name": "Gelombang 70",
            "quota": 5,
            "opens_at": (now.replace(tzinfo=None) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now.replace(tzinfo=None) + dt.timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M"),
            "allocation": "national",
            "method": "proportional",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    assert pmo.post("/pmo/gelombang/70/", {"step": "open"}).status_code == 302
    assert Batch.objects.get(number=70).status == "open"

    # Participants join from their dashboard.
    emails = [f"p11-{i}@population.prakerja.test" for i in range(60)]
    joined = 0
    for email in emails:
        client = participant(email)
        client.post("/gelombang/70/gabung/")
        joined += Application.objects.filter(person__user__email=email).exists()
    assert joined >= 50
    dashboard = participant(emails[0]).get("/dasbor/").content.decode()
    assert "Menunggu hasil seleksi" in dashboard or "Belum memenuhi" in dashboard

    for step, status in (("close", "closed"), ("select", "selected"), ("announce", "announced")):
        assert pmo.post("/pmo/gelombang/70/", {"step": step}).status_code == 302
        assert Batch.objects.get(number=70).status == status
    console = pmo.get("/pmo/gelombang/70/").content.decode()
    assert "SELECTED" in console and "QUOTA_FILLED_IN_REGION" in console
    # Selecting again is refused with its code, shown on the console.
    follow = pmo.post("/pmo/gelombang/70/", {"step": "select"}, follow=True).content.decode()
    assert "BATCH_ALREADY_SELECTED" in follow

    export = pmo.get("/pmo/gelombang/70/ekspor.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert len(rows) == joined
    assert sum(r["selected"] == "true" for r in rows) == 5

    chosen = (
        Application.objects.filter(batch__number=70, result__status="selected").select_related("person__user").first()
    )
    left = (
        Application.objects.filter(batch__number=70, result__status="not_selected")
        .select_related("person__user")
        .first()
    )
    result = participant(chosen.person.user.email).get("/gelombang/70/hasil/").content.decode()
    assert 'data-result="selected"' in result and chosen.recipient.card_number in result
    result = participant(left.person.user.email).get("/gelombang/70/hasil/").content.decode()
    assert f'data-reason="{left.reason}"' in result and "gelombang berikutnya" in result
    # The public list shows the seed and digest after selection.
    public = Client().get("/gelombang/").content.decode()
    batch = Batch.objects.get(number=70)
    assert batch.seed in public and batch.selection_digest in public


def test_participants_cannot_reach_the_console():
    User.objects.create_user(email="biasa@contoh.id", password="x")
    client = participant("biasa@contoh.id")
    assert client.get("/pmo/gelombang/").status_code == 403
    assert client.post("/pmo/gelombang/1/", {"step": "open"}).status_code == 403
    assert client.get("/pmo/gelombang/1/ekspor.csv").status_code == 403
    assert Client().get("/pmo/gelombang/").status_code == 302  # to the log-in page


def test_console_refuses_a_quota_table_that_does_not_add_up():
    pmo = staff()
    page = pmo.post(
        "/pmo/gelombang/",
        {
            "number": 71,
            "quota": 100,
            "opens_at": "2030-01-01T08:00",
            "closes_at": "2030-01-08T08:00",
            "allocation": "regency",
            "method": "fixed",
            "quota_table": "3273,60\n3578,30",
        },
    )
    assert page.status_code == 200
    assert "QUOTA_TABLE_MISMATCH" in page.content.decode()
    assert not Batch.objects.filter(number=71).exists()
