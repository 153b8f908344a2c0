"""Dashboard figures from the aggregate tables, checked against hand-computed values on a small program:
12 trained recipients placed by hand in three regencies of two provinces (plus the generated extras in
a third), with their profile, one revocation, one cancelled and one unfinished purchase, three paid
incentives, and one ineligible applicant in a second batch. Regional officers see only their area;
the public open data suppresses every cell under 10 people."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client

from market import CLOSES, OPENS
from payouts import trained_recipients
from prakerja.batches import actions as batches
from prakerja.batches.models import Application, Batch, Recipient, Result
from prakerja.learning.models import Purchase
from prakerja.payments.models import Entitlement
from prakerja.registry.models import Person
from prakerja.reports import aggregates
from prakerja.reports.models import Freshness, RegionBatchFigures

pytestmark = pytest.mark.django_db

BANDUNG, BANDUNG_KAB, SURABAYA, JAKARTA = "3273", "3204", "3578", "3171"


def person_ids(recipients: list) -> list[int]:
    return [r.person.pk for r in recipients]


@pytest.fixture
def program(frozen_clock, provider):
    trained = trained_recipients(frozen_clock, provider, 24, seed=9101)
    assert len(trained) >= 12, "the generated population should give at least 12 recipients"
    people = [t.person for t in trained]
    batch = Recipient.objects.get(person=people[0]).batch
    # Everyone outside the twelve goes to Jakarta; the twelve are placed by hand.
    Application.objects.filter(batch=batch).update(regency_code=JAKARTA)
    place = {BANDUNG: people[:10], BANDUNG_KAB: people[10:11], SURABAYA: people[11:12]}
    for regency, group in place.items():
        Application.objects.filter(batch=batch, person__in=group).update(regency_code=regency)
    # Profile of the ten in Kota Bandung (and plain values for the other two).
    twelve = [p.pk for p in people[:12]]
    Person.objects.filter(pk__in=twelve).update(
        gender="M",
        disability=False,
        former_migrant_worker=False,
        education="sma",
        employment_status="working",
        prior_training=True,
    )
    bandung = [p.pk for p in people[:10]]
    Person.objects.filter(pk__in=bandung[:6]).update(gender="F")
    Person.objects.filter(pk__in=bandung[:1]).update(disability=True)
    Person.objects.filter(pk__in=bandung[1:3]).update(former_migrant_worker=True)
    Person.objects.filter(pk__in=bandung[:3]).update(education="sd")
    Person.objects.filter(pk__in=bandung[3:4]).update(education="none")
    Person.objects.filter(pk__in=bandung[:5]).update(employment_status="unemployed")
    Person.objects.filter(pk__in=bandung[:7]).update(prior_training=False)
    Person.objects.filter(pk=people[11].pk).update(gender="F", prior_training=None)  # unknown is not "never"
    # One revoked in Bandung; one purchase cancelled (Bandung), one not finished (Surabaya).
    Recipient.objects.filter(person=people[1]).update(status="revoked")
    Purchase.objects.filter(person=people[2]).update(status="cancelled")
    Purchase.objects.filter(person=people[11]).update(status="active", completed_at=None)
    # Three incentives paid in Bandung (600,000 each); everyone else's is still waiting for an account.
    Entitlement.objects.update(status="awaiting_account")
    Entitlement.objects.filter(person__in=people[3:6]).update(status="paid", amount=600_000)
    # A second batch: one ineligible applicant in Kota Bandung.
    batches.create_batch(number=batch.number + 500, quota=1, opens_at=OPENS, closes_at=CLOSES)
    second = Batch.objects.get(number=batch.number + 500)
    first_app = Application.objects.get(batch=batch, person=people[0])
    ineligible = Application.objects.create(
        batch=second,
        person=people[0],
        applied_at=OPENS,
        regency_code=BANDUNG,
        kk_index=first_app.kk_index,
        birth_date=first_app.birth_date,
        gender="F",
        occupation=first_app.occupation,
        in_formal_education=False,
        employment_status="unemployed",
        prior_training=False,
        prior_recipient=True,
    )
    Result.objects.create(application=ineligible, status="not_selected", eligible=False, reason="ALREADY_RECIPIENT")
    frozen_clock(dt.datetime(2026, 8, 1, 2, 0, tzinfo=dt.UTC))
    out = io.StringIO()
    call_command("refresh_aggregates", stdout=out)
    assert "Done." in out.getvalue()
    extras_applicants = Application.objects.filter(regency_code=JAKARTA).count()
    return {
        "batch": batch.number,
        "second": second.number,
        "extras": len(trained) - 12,
        "extras_applicants": extras_applicants,
    }


def row(batch: int, regency: str) -> dict:
    return RegionBatchFigures.objects.filter(batch_number=batch, regency_code=regency).values().get()


def test_figures_per_batch_and_regency_match_hand_counts(program):
    b = program["batch"]
    counts = {k: v for k, v in row(b, BANDUNG).items() if k in aggregates.COUNTS}
    assert counts == {
        "applicants": 10,
        "eligible": 10,
        "recipients": 10,
        "revoked": 1,
        "purchases": 9,  # one cancelled
        "completions": 9,
        "incentives_paid": 1_800_000,
        "paid_people": 3,
        "women": 6,
        "disability": 1,
        "former_migrant_worker": 2,
        "primary_or_less": 4,
        "unemployed": 5,
        "never_trained": 7,
        **dict.fromkeys(("wave1_answers", "wave1_working", "wave1_business"), 0),
        **dict.fromkeys(("wave2_answers", "wave2_working", "wave2_business"), 0),
    }
    assert row(b, BANDUNG)["province_code"] == "32"
    surabaya = row(b, SURABAYA)
    assert (surabaya["recipients"], surabaya["purchases"], surabaya["completions"], surabaya["women"]) == (1, 1, 0, 1)
    assert surabaya["never_trained"] == 0
    assert row(b, BANDUNG_KAB)["recipients"] == 1
    second = row(program["second"], BANDUNG)
    assert (second["applicants"], second["eligible"], second["recipients"]) == (1, 0, 0)
    fresh = Freshness.objects.get(table=aggregates.TABLE)
    assert fresh.as_of == dt.datetime(2026, 8, 1, 2, 0, tzinfo=dt.UTC)


def test_refresh_replaces_the_figures(program, frozen_clock):
    Recipient.objects.filter(batch__number=program["batch"], application__regency_code=SURABAYA).update(
        status="revoked"
    )
    assert row(program["batch"], SURABAYA)["revoked"] == 0  # the pages read the tables, not live data
    frozen_clock(dt.datetime(2026, 8, 2, 2, 0, tzinfo=dt.UTC))
    from prakerja.reports.tasks import refresh_aggregates_task

    refresh_aggregates_task.call()
    assert row(program["batch"], SURABAYA)["revoked"] == 1
    assert aggregates.as_of() == dt.datetime(2026, 8, 2, 2, 0, tzinfo=dt.UTC)
    assert RegionBatchFigures.objects.filter(batch_number=program["batch"], regency_code=SURABAYA).count() == 1


def test_national_dashboard_totals_provinces_and_profile(program, staff_client):
    page = staff_client("ministry").get("/pemantauan/")
    assert page.status_code == 200
    ctx = page.context
    assert [r["code"] for r in ctx["areas"]] == (["31"] if program["extras"] else []) + ["32", "35"]
    west_java = next(r for r in ctx["areas"] if r["code"] == "32")
    assert (west_java["applicants"], west_java["recipients"], west_java["revoked"]) == (12, 11, 1)
    assert west_java["incentives_paid"] == 1_800_000
    assert ctx["total"]["recipients"] == 12 + program["extras"]
    html = page.content.decode()
    assert 'data-region="32"' in html and 'data-total="incentives_paid">1800000<' in html
    assert "01-08-2026" in html  # as of
    shares = {s.key: (s.count, s.of) for s in ctx["shares"]}
    assert shares["women"][0] >= 7 and shares["disability"][0] >= 1


def test_regional_officer_sees_only_their_province(program, staff_client):
    officer = staff_client("regional", "35")
    page = officer.get("/pemantauan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert [r["code"] for r in page.context["areas"]] == [SURABAYA]
    assert page.context["total"]["recipients"] == 1
    assert page.context["total"]["incentives_paid"] == 0
    assert 'data-region="3273"' not in html and 'data-region="32"' not in html
    assert 'data-total="recipients">1<' in html
    shares = {s.key: (s.count, s.of) for s in page.context["shares"]}
    assert shares["women"] == (1, 1)
    for table in ("areas", "batches", "profile"):
        exported = officer.get(f"/pemantauan/ekspor.csv?tabel={table}")
        assert exported.status_code == 200
        rows = list(csv.reader(io.StringIO(exported.content.decode())))
        body = exported.content.decode()
        assert "3273" not in body and "1800000" not in body
        if table == "areas":
            assert [r[0] for r in rows[1:]] == [SURABAYA]
        if table == "batches":
            assert [(r[0], r[3]) for r in rows[1:]] == [(str(program["batch"]), "1")]


def test_regency_officer_sees_only_their_regency(program, staff_client):
    page = staff_client("regional", BANDUNG_KAB).get("/pemantauan/")
    assert [r["code"] for r in page.context["areas"]] == [BANDUNG_KAB]
    assert page.context["total"]["recipients"] == 1 and page.context["total"]["applicants"] == 1


def test_national_csv_export(program, staff_client):
    client = staff_client("pmo")
    rows = list(csv.reader(io.StringIO(client.get("/pemantauan/ekspor.csv").content.decode())))
    assert rows[0][:9] == [
        "region_code",
        "region_name",
        "applicants",
        "eligible",
        "recipients",
        "revoked",
        "purchases",
        "completions",
        "incentives_paid",
    ]
    west_java = next(r for r in rows[1:] if r[0] == "32")
    assert west_java[2:9] == ["12", "11", "11", "1", "10", "10", "1800000"]
    profile = list(csv.reader(io.StringIO(client.get("/pemantauan/ekspor.csv?tabel=profile").content.decode())))
    assert profile[0] == ["trait", "recipients_with_trait", "recipients", "percent", "as_of"]
    assert client.get("/pemantauan/ekspor.csv?tabel=people").status_code == 400


def test_dashboard_needs_the_aggregates_duty(program, staff_client):
    assert Client().get("/pemantauan/").status_code == 302
    assert staff_client("pmo_support").get("/pemantauan/").status_code == 403
    assert staff_client("auditor").get("/pemantauan/ekspor.csv").status_code == 403


def test_open_data_suppresses_cells_under_ten_people(program):
    body = Client().get("/api/v1/open-data").json()
    assert body["suppressed_below"] == 10
    assert body["as_of"].startswith("2026-08-01T02:00")
    provinces = {p["province_code"]: p for p in body["provinces"]}
    west_java = provinces["32"]
    assert (west_java["applicants"], west_java["eligible"], west_java["recipients"]) == (12, 11, 11)
    assert (west_java["purchases"], west_java["completions"]) == (10, 10)
    assert west_java["revoked"] is None and west_java["women"] is None and west_java["disability"] is None
    assert west_java["incentives_paid"] is None  # paid to 3 people only
    assert all(v is None for k, v in provinces["35"].items() if k not in ("province_code", "province_name"))
    assert "paid_people" not in west_java
    page = Client().get("/data-terbuka/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-region="32"' in html and "&lt;10" in html
    assert "<td>12</td>" in html
    for p in body["provinces"]:
        for k, v in p.items():
            assert v is None or not isinstance(v, int) or v >= 10, (p["province_code"], k, v)


def test_figures_per_year(program, staff_client):
    # Both batches opened in July 2026 (Asia/Jakarta).
    assert set(RegionBatchFigures.objects.values_list("batch_year", flat=True)) == {2026}
    client = staff_client("ministry")
    page = client.get("/pemantauan/")
    years = page.context["years"]
    assert [(r["batch_year"], r["applicants"] - program["extras_applicants"]) for r in years] == [(2026, 13)]
    assert 'data-year="2026"' in page.content.decode()
    rows = list(csv.reader(io.StringIO(client.get("/pemantauan/ekspor.csv?tabel=years").content.decode())))
    assert rows[0][:2] == ["year", "applicants"] and rows[1][0] == "2026"


def test_program_office_refreshes_on_demand(program, staff_client, frozen_clock, django_capture_on_commit_callbacks):
    from prakerja.core.models import AuditEvent

    ministry = staff_client("ministry")
    assert "Hitung ulang sekarang" not in ministry.get("/pemantauan/").content.decode()
    assert ministry.post("/pemantauan/segarkan").status_code == 403
    assert staff_client("regional", "35").post("/pemantauan/segarkan").status_code == 403
    Recipient.objects.filter(batch__number=program["batch"], application__regency_code=SURABAYA).update(
        status="revoked"
    )
    frozen_clock(dt.datetime(2026, 8, 3, 2, 0, tzinfo=dt.UTC))
    pmo = staff_client("pmo_selection")
    assert "Hitung ulang sekarang" in pmo.get("/pemantauan/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = pmo.post("/pemantauan/segarkan")
    assert done.status_code == 302
    done = pmo.get(done["Location"])
    assert done.status_code == 200
    assert done.context["total"]["revoked"] == 2
    assert "03-08-2026" in done.content.decode()
    assert "Penghitungan ulang angka telah dijadwalkan" in done.content.decode()
    assert AuditEvent.objects.filter(action="reports.refresh_requested").count() == 1


def test_survey_outcomes_with_sample_size_and_confidence_interval(program, staff_client):
    from prakerja.surveys.models import SurveyInvitation

    bandung = Person.objects.filter(
        applications__batch__number=program["batch"], applications__regency_code=BANDUNG
    ).order_by("pk")
    answered = dt.datetime(2026, 8, 20, 2, 0, tzinfo=dt.UTC)
    for person, outcome in zip(bandung, ["working"] * 3 + ["business"] * 2 + ["looking"] * 3, strict=False):
        SurveyInvitation.objects.create(person=person, sequence=1, days_after=30, answered_at=answered, outcome=outcome)
    SurveyInvitation.objects.create(person=bandung[9], sequence=1, days_after=30)  # sent, not answered
    aggregates.refresh()
    client = staff_client("ministry")
    wave1, wave2 = client.get("/pemantauan/").context["outcomes"]
    # 5 of 8 working or running a business: 62.5%, Wilson 95% interval 30.6%–86.3% (by hand).
    assert (wave1.answers, wave1.working, wave1.business, wave1.either_pct, wave1.ci) == (8, 3, 2, 62.5, (30.6, 86.3))
    assert (wave2.answers, wave2.ci) == (0, None)
    rows = list(csv.reader(io.StringIO(client.get("/pemantauan/ekspor.csv?tabel=outcomes").content.decode())))
    assert rows[1][:7] == ["1", "8", "3", "2", "62.5", "30.6", "86.3"]
    assert rows[2][:7] == ["2", "0", "0", "0", "", "", ""]
    # Surabaya's officer sees none of Bandung's answers.
    assert staff_client("regional", "35").get("/pemantauan/").context["outcomes"][0].answers == 0


def test_wilson_interval_edges():
    assert aggregates.wilson(0, 0) is None
    low, high = aggregates.wilson(0, 10)
    assert low == 0.0 and 0.27 < high < 0.28  # none of ten: still up to ~28%
    low, high = aggregates.wilson(10, 10)
    assert 0.72 < low < 0.73 and high == 1.0


def test_dashboard_page_structure(program, staff_client):
    html = staff_client("ministry").get("/pemantauan/").content.decode()
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "Pemantauan program" in title and "<" not in title
    for heading in ("total-h", "area-h", "batch-h", "year-h", "profile-h", "outcome-h", "supply-h"):
        assert html.count(f'id="{heading}"') == 1, heading


def test_training_supply_by_mode(program, provider, staff_client):
    from market import approved_program, open_class
    from payouts import START

    # The fixture's class (offline, Kota Bandung) is full or closed by now; add open ones by hand.
    offline = approved_program(provider, mode="offline", price=1_000_000)
    open_class(provider, offline, start=START + dt.timedelta(days=30), capacity=12)
    open_class(provider, offline, start=START + dt.timedelta(days=40), capacity=8)
    webinar = approved_program(provider, mode="webinar", price=900_000)
    open_class(provider, webinar, start=START + dt.timedelta(days=30), capacity=25)
    aggregates.refresh()
    supply = {r["mode"]: r for r in staff_client("ministry").get("/pemantauan/").context["supply"]}
    assert (supply["offline"]["programs"], supply["offline"]["open_classes"], supply["offline"]["open_seats"]) == (
        1,
        2,
        20,
    )
    assert (supply["webinar"]["open_classes"], supply["webinar"]["open_seats"]) == (1, 25)
    # Surabaya's officer: no face-to-face classes there; the national online ones still show.
    east_java = {r["mode"]: r for r in staff_client("regional", "35").get("/pemantauan/").context["supply"]}
    assert set(east_java) == {"webinar"}
    west_java = staff_client("regional", "32").get("/pemantauan/ekspor.csv?tabel=supply").content.decode()
    assert "offline,1,2,20," in west_java
