"""Marketplace pages as their users see them: an institution's portal (programs through curation,
classes, completion by CSV, its statement), the program office's curation queue and coverage, a
regional officer's institutions, the catalog API's cost and filters, and the public certificate."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from market import DISTRICT, NAMED, Provider, approved_program, open_class, recipients_named
from prakerja.accounts.actions import issue_token
from prakerja.accounts.models import User
from prakerja.catalog import actions as catalog
from prakerja.catalog.models import Institution, Program, TrainingClass
from prakerja.core import clock
from prakerja.learning import actions as learning
from prakerja.learning.models import Certificate, Purchase
from prakerja.regions.models import District, Province
from prakerja.registry.models import Person
from staff import log_in_staff

pytestmark = pytest.mark.django_db

START = NAMED + dt.timedelta(days=5)  # 15 July 2026, 10:00 Jakarta
PASSWORD = "Rahasia#2024x"

_n = iter(range(1, 99_999))


# --- helpers ---------------------------------------------------------------------------------------------
def person_with(role: str = User.Role.PARTICIPANT, **extra) -> User:
    return User.objects.create_user(f"{role}{next(_n)}@contoh.id", PASSWORD, role=role, **extra)


def browser(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    log_in_staff(client, user) if user.role != User.Role.PARTICIPANT else client.force_login(user)
    return client


def staff_of(institution: Institution) -> Client:
    user = person_with()
    catalog.add_staff(institution, user)
    return browser(User.objects.get(pk=user.pk))


def text(response, status: int = 200) -> str:
    assert response.status_code == status, response.content.decode()[:3000]
    return html.unescape(response.content.decode())


def jakarta_district() -> str:
    return District.objects.filter(code__startswith="31").order_by("code").values_list("code", flat=True)[0]


def other_provider(name: str = "LPK Jaya Ibukota") -> Provider:
    """A second institution, in DKI Jakarta (province 31)."""
    district = jakarta_district()
    institution = catalog.create_institution(
        legal_name=name, licence_number="LPK/31/0009", district_code=district, email="jaya@contoh.id"
    )
    trainers = [
        catalog.add_trainer(institution, full_name=n, certificate_number=f"BNSP-9{i}")
        for i, n in enumerate(("Rina Wati", "Bayu Aji"))
    ]
    venue = catalog.add_venue(institution, name="Aula Jaya", district_code=district, capacity=30)
    return Provider(institution, trainers, venue)


def program_form(**changes) -> dict:
    form = {
        "title": "Barista Kopi Nusantara",
        "category": "food_beverage",
        "mode": "offline",
        "hours": "20",
        "price": "2.000.000",
        "district_code": DISTRICT,
        "description": "Menyeduh kopi manual dan mesin espresso untuk kedai.",
        "competencies": "Menyangrai\nMenyeduh manual\nEspresso",
    }
    return form | changes


def status_cell(page: str, title: str) -> tuple[str, str]:
    """The (status, curation notes) cells of a program's row in the portal."""
    found = re.search(rf'<tr data-status="(\w+)"><td>{re.escape(title)}</td><td>[^<]*</td><td>([^<]*)</td></tr>', page)
    assert found, f"{title!r} is not in the portal's program table"
    return found.group(1), found.group(2)


def bought(user: User, training_class: TrainingClass) -> Purchase:
    return learning.buy(Person.objects.get(user=user), training_class.code)


def attend_all(frozen_clock, provider: Provider, purchase: Purchase) -> None:
    for code in purchase.redeem_codes.select_related("session").order_by("session__sequence"):
        frozen_clock(code.session.starts_at - dt.timedelta(minutes=10))
        learning.commit_redeem(provider.institution, code.code, code.session.sequence)


# --- 1. institution portal and curation -------------------------------------------------------------------
def test_portal_shows_only_the_staff_members_own_institution(frozen_clock, provider):
    frozen_clock(NAMED)
    program = approved_program(provider)
    other = other_provider()
    mine = text(staff_of(provider.institution).get("/lembaga/"))
    assert "LPK Maju Bersama" in mine
    assert provider.institution.client_code in mine
    assert status_cell(mine, program.title) == ("approved", "")

    theirs = text(staff_of(other.institution).get("/lembaga/"))
    assert "LPK Jaya Ibukota" in theirs
    assert provider.institution.client_code not in theirs and program.title not in theirs
    assert "Belum ada program." in theirs

    participant = browser(person_with())
    assert participant.get("/lembaga/").status_code == 403
    assert participant.post("/lembaga/program/", program_form()).status_code == 403
    assert participant.get("/lembaga/penyelesaian/").status_code == 403
    assert participant.get("/lembaga/laporan/").status_code == 403
    # Not logged in: sent to the log-in page, not shown anything.
    anonymous = Client().get("/lembaga/")
    assert anonymous.status_code == 302 and "/akun/masuk/" in anonymous["Location"]


def test_another_institution_cannot_open_a_class_of_my_program_nor_curate(frozen_clock, provider):
    frozen_clock(NAMED)
    program = approved_program(provider)
    other = other_provider()
    intruder = staff_of(other.institution)
    page = text(
        intruder.post(
            "/lembaga/kelas/",
            {
                "program": str(program.public_id),
                "first_start": "2026-07-20T08:00",
                "sessions": "2",
                "hours_per_session": "8",
                "capacity": "10",
                "venue": str(provider.venue.pk),
                "trainers": [str(t.pk) for t in provider.trainers],
            },
            follow=True,
        )
    )
    assert "(FIELD_REQUIRED)" in page
    assert not TrainingClass.objects.filter(program=program).exists()
    assert intruder.get("/pmo/kurasi/").status_code == 403
    assert intruder.get("/pmo/cakupan/").status_code == 403


def test_program_submitted_in_the_portal_is_curated_by_the_program_office(frozen_clock, provider):
    frozen_clock(NAMED)
    portal = staff_of(provider.institution)
    pmo = browser(person_with(User.Role.PMO))

    first = text(portal.post("/lembaga/program/", program_form(), follow=True))
    assert "Program diajukan untuk kurasi." in first
    assert status_cell(first, "Barista Kopi Nusantara")[0] == "submitted"
    text(
        portal.post("/lembaga/program/", program_form(title="Servis Motor Injeksi", category="automotive"), follow=True)
    )

    barista = Program.objects.get(title="Barista Kopi Nusantara")
    assert (barista.price, barista.hours, barista.province_code) == (2_000_000, 20, "32")
    queue = text(pmo.get("/pmo/kurasi/"))
    assert "Barista Kopi Nusantara" in queue and "Servis Motor Injeksi" in queue
    assert f'/pmo/kurasi/{barista.public_id}/"' in queue

    approved = text(pmo.post(f"/pmo/kurasi/{barista.public_id}/", {"decision": "approve"}, follow=True))
    assert "Program disetujui: Barista Kopi Nusantara" in approved
    assert f"/pmo/kurasi/{barista.public_id}/" not in approved  # gone from the queue

    motor = Program.objects.get(title="Servis Motor Injeksi")
    # Rejecting needs a reason; without one nothing changes.
    refused = text(pmo.post(f"/pmo/kurasi/{motor.public_id}/", {"decision": "reject", "reasons": " \n"}, follow=True))
    assert "(REJECTION_REASON_REQUIRED)" in refused
    assert Program.objects.get(pk=motor.pk).status == "submitted"
    rejected = text(
        pmo.post(
            f"/pmo/kurasi/{motor.public_id}/",
            {"decision": "reject", "reasons": "Silabus belum rinci\r\nHarga alat praktik tidak dijelaskan"},
            follow=True,
        )
    )
    assert "Program ditolak: Servis Motor Injeksi" in rejected
    assert "Antrean kosong." in rejected

    home = text(portal.get("/lembaga/"))
    assert status_cell(home, "Barista Kopi Nusantara") == ("approved", "")
    assert status_cell(home, "Servis Motor Injeksi") == (
        "rejected",
        "Silabus belum rinci; Harga alat praktik tidak dijelaskan",
    )
    # The approved program is offered in the class form and the catalog.
    assert f'<option value="{barista.public_id}">' in home
    assert "Barista Kopi Nusantara" in text(Client().get("/pelatihan/"))
    # The portal and its staff cannot curate.
    assert portal.post(f"/pmo/kurasi/{motor.public_id}/", {"decision": "approve"}).status_code == 403


def test_program_below_the_hours_or_above_the_balance_is_refused_and_nothing_saved(frozen_clock, provider):
    frozen_clock(NAMED)
    portal = staff_of(provider.institution)
    page = text(portal.post("/lembaga/program/", program_form(hours="10", price="3.500.001"), follow=True))
    assert "(HOURS_TOO_FEW)" in page and "(PRICE_ABOVE_BALANCE)" in page
    assert "15 jam" in page and "Rp 3.500.000" in page
    assert "Program diajukan" not in page
    assert not Program.objects.exists()

    # Each limit on its own; the exact balance is allowed.
    assert "(HOURS_TOO_FEW)" in text(portal.post("/lembaga/program/", program_form(hours="14"), follow=True))
    price_only = text(portal.post("/lembaga/program/", program_form(price="3600000"), follow=True))
    assert "(PRICE_ABOVE_BALANCE)" in price_only and "(HOURS_TOO_FEW)" not in price_only
    assert not Program.objects.exists()
    text(portal.post("/lembaga/program/", program_form(hours="15", price="3.500.000"), follow=True))
    assert Program.objects.get().status == "submitted"


# --- 2. classes through the portal ---------------------------------------------------------------------------
def test_class_form_applies_the_delivery_standards(frozen_clock, provider):
    frozen_clock(NAMED)
    program = approved_program(provider, hours=16)
    hall = catalog.add_venue(provider.institution, name="Aula Besar", district_code=DISTRICT, capacity=100)
    portal = staff_of(provider.institution)

    def open_with(**changes):
        form = {
            "program": str(program.public_id),
            "first_start": "2026-07-20T08:00",
            "sessions": "2",
            "hours_per_session": "8",
            "capacity": "40",
            "venue": str(hall.pk),
            "trainers": [str(t.pk) for t in provider.trainers],
        }
        return text(portal.post("/lembaga/kelas/", form | changes, follow=True))

    too_many = open_with(capacity="41")
    assert "(CAPACITY_ABOVE_LIMIT)" in too_many and "40 peserta" in too_many
    one_trainer = open_with(trainers=[str(provider.trainers[0].pk)])
    assert "(TRAINERS_TOO_FEW)" in one_trainer
    assert "(VENUE_REQUIRED)" in open_with(venue="")
    assert "(SESSIONS_TOO_SHORT)" in open_with(hours_per_session="7")
    assert "(CLASS_IN_PAST)" in open_with(first_start="2026-07-01T08:00")
    assert not TrainingClass.objects.exists()

    made = open_with()
    created = TrainingClass.objects.get()
    assert f"Kelas {created.code} dibuka." in made
    assert f"<td>{created.code}</td><td>{program.title}</td><td>20-07-2026 08:00</td><td>0/40</td>" in made
    assert created.starts_at == dt.datetime(2026, 7, 20, 8, 0, tzinfo=clock.JAKARTA)
    assert created.enrollment_closes_at == dt.datetime(2026, 7, 18, 0, 0, tzinfo=clock.JAKARTA)
    assert [
        (s.starts_at.astimezone(clock.JAKARTA).hour, s.ends_at.astimezone(clock.JAKARTA).hour)
        for s in created.sessions.order_by("sequence")
    ] == [(8, 16), (8, 16)]
    assert sorted(created.trainers.values_list("pk", flat=True)) == sorted(t.pk for t in provider.trainers)


def test_class_form_with_a_tampered_venue_or_trainer_answers_with_a_reason_not_a_crash(frozen_clock, provider):
    frozen_clock(NAMED)
    program = approved_program(provider)
    user = person_with()
    catalog.add_staff(provider.institution, user)
    portal = Client(raise_request_exception=False)
    log_in_staff(portal, user)
    form = {
        "program": str(program.public_id),
        "first_start": "2026-07-20T08:00",
        "sessions": "2",
        "hours_per_session": "8",
        "capacity": "10",
        "venue": str(provider.venue.pk),
        "trainers": [str(t.pk) for t in provider.trainers],
    }
    assert portal.post("/lembaga/kelas/", form | {"venue": "abc"}).status_code == 302
    assert portal.post("/lembaga/kelas/", form | {"trainers": ["x"]}).status_code == 302
    assert not TrainingClass.objects.exists()


# --- 3. completion by CSV and the statement ------------------------------------------------------------------
def upload(client: Client, content: str, name: str = "selesai.csv"):
    return client.post(
        "/lembaga/penyelesaian/",
        {"file": SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")},
        follow=True,
    )


def result_rows(page: str) -> list[tuple[int, str, str]]:
    """(line, voucher, code) of each row of the upload's result table; code "OK" when recorded."""
    found = re.findall(r'<tr class="(?:ok|error)" data-code="(\w+)"><td>(\d+)</td><td>([^<]*)</td>', page)
    return [(int(line), voucher, code) for code, line, voucher in found]


def amount(page: str, label: str) -> int:
    """The rupiah amount shown next to a label ("Rp 1500000" or "Rp 1.500.000" alike)."""
    found = re.search(rf"{re.escape(label)}</dt>\s*<dd>([^<]*)</dd>", page)
    assert found, f"{label!r} is not on the page"
    return int(re.sub(r"\D", "", found.group(1)))


def test_completion_csv_records_valid_rows_and_reports_broken_ones(frozen_clock, provider):
    users = recipients_named(frozen_clock, 4, seed=68)
    assert len(users) >= 3
    other = other_provider()
    mine = open_class(provider, approved_program(provider, price=1_500_000), start=START)
    theirs = open_class(other, approved_program(other, price=1_000_000), start=START)
    done = bought(users[0], mine)
    absent = bought(users[1], mine)
    elsewhere = bought(users[2], theirs)
    attend_all(frozen_clock, provider, done)
    attend_all(frozen_clock, other, elsewhere)
    frozen_clock(START + dt.timedelta(days=3))

    portal = staff_of(provider.institution)
    assert "voucher_code" in text(portal.get("/lembaga/penyelesaian/"))
    content = (
        "voucher_code,nama\n"
        f"{done.voucher_code.lower()},Peserta satu\n"
        "VCRTIDAKADA99,Tidak ada\n"
        f"{elsewhere.voucher_code},Lembaga lain\n"
        f"{absent.voucher_code},Tidak hadir\n"
        ",Tanpa voucher\n"
    )
    page = text(upload(portal, content))
    assert "1 baris tercatat, 4 baris ditolak." in page
    assert result_rows(page) == [
        (2, done.voucher_code.lower(), "OK"),
        (3, "VCRTIDAKADA99", "VOUCHER_NOT_FOUND"),
        (4, elsewhere.voucher_code, "WRONG_INSTITUTION"),
        (5, absent.voucher_code, "ATTENDANCE_INCOMPLETE"),
        (6, "", "FIELD_REQUIRED"),
    ]
    done.refresh_from_db()
    certificate = Certificate.objects.get(purchase=done)
    assert done.status == "completed" and done.completed_at and done.settled_at
    assert f"✓ {certificate.number}" in page
    for untouched in (absent, elsewhere):
        untouched.refresh_from_db()
        assert untouched.status == "active" and untouched.completed_at is None and untouched.settled_at is None
    assert Certificate.objects.count() == 1

    # Uploading the same file again changes nothing: no second certificate.
    again = text(upload(portal, content))
    assert result_rows(again)[0] == (2, done.voucher_code.lower(), "OK")
    assert Certificate.objects.count() == 1

    missing = text(upload(portal, "kode,nama\nVCRABC,Budi\n"))
    assert "(CSV_COLUMNS_MISSING)" in missing and result_rows(missing) == []
    # Spreadsheets save a byte-order mark and capitalised headers; both are understood.
    excel = text(upload(portal, f"\ufeffVoucher_Code\r\n{absent.voucher_code}\r\n"))
    assert result_rows(excel) == [(2, absent.voucher_code, "ATTENDANCE_INCOMPLETE")]
    assert "(CSV_INVALID)" in text(portal.post("/lembaga/penyelesaian/", {}, follow=True))

    # The statement lists the institution's purchases, and only those.
    statement = text(portal.get("/lembaga/laporan/"))
    assert done.voucher_code in statement and absent.voucher_code in statement
    assert elsewhere.voucher_code not in statement
    assert amount(statement, "Sudah diselesaikan ke lembaga") == 1_500_000
    assert amount(statement, "Masih ditahan (pelatihan berjalan)") == 1_500_000
    assert amount(statement, "Saldo utang program kepada lembaga") == 1_500_000
    assert amount(text(portal.get("/lembaga/")), "Saldo utang program kepada lembaga") == 1_500_000
    exported = portal.get("/lembaga/laporan/?format=csv")
    assert exported["Content-Type"].startswith("text/csv")
    rows = {r["voucher_code"]: r for r in csv.DictReader(io.StringIO(exported.content.decode()))}
    assert set(rows) == {done.voucher_code, absent.voucher_code}
    assert rows[done.voucher_code]["status"] == "completed" and rows[done.voucher_code]["completed_at"]
    assert rows[done.voucher_code]["class_code"] == mine.code and rows[done.voucher_code]["price"] == "1500000"
    assert rows[absent.voucher_code]["status"] == "active" and rows[absent.voucher_code]["settled_at"] == ""


def test_completion_report_line_numbers_match_the_file_despite_blank_lines(frozen_clock, provider):
    frozen_clock(NAMED)
    portal = staff_of(provider.institution)
    page = text(upload(portal, "voucher_code\nVCRSATU\n\nVCRDUA\n"))
    assert result_rows(page) == [(2, "VCRSATU", "VOUCHER_NOT_FOUND"), (4, "VCRDUA", "VOUCHER_NOT_FOUND")]
    quoted = text(upload(portal, 'voucher_code,catatan\nVCRSATU,"dua\nbaris"\nVCRDUA,-\n'))
    assert result_rows(quoted) == [(2, "VCRSATU", "VOUCHER_NOT_FOUND"), (4, "VCRDUA", "VOUCHER_NOT_FOUND")]


# --- 4. regional officers ------------------------------------------------------------------------------------
def test_regional_officer_sees_only_institutions_of_their_area(frozen_clock, provider):
    frozen_clock(NAMED)
    other_provider()
    west_java = text(browser(person_with(User.Role.REGIONAL, region_code="32")).get("/wilayah/lembaga/"))
    assert "LPK Maju Bersama" in west_java and "LPK Jaya Ibukota" not in west_java
    bandung = text(browser(person_with(User.Role.REGIONAL, region_code="3273")).get("/wilayah/lembaga/"))
    assert "LPK Maju Bersama" in bandung and "LPK Jaya Ibukota" not in bandung
    jakarta = text(browser(person_with(User.Role.REGIONAL, region_code="31")).get("/wilayah/lembaga/"))
    assert "LPK Jaya Ibukota" in jakarta and "LPK Maju Bersama" not in jakarta
    everyone = text(browser(person_with(User.Role.PMO)).get("/wilayah/lembaga/"))
    assert "LPK Maju Bersama" in everyone and "LPK Jaya Ibukota" in everyone

    assert browser(person_with()).get("/wilayah/lembaga/").status_code == 403
    assert staff_of(provider.institution).get("/wilayah/lembaga/").status_code == 403
    # A regional role without an area sees nothing rather than everything.
    assert browser(person_with(User.Role.REGIONAL)).get("/wilayah/lembaga/").status_code == 403


# --- 5. coverage ------------------------------------------------------------------------------------------------
def coverage_cells(page: str, code: str) -> tuple[str, str, str]:
    found = re.search(rf"<td>{code}</td><td>[^<]*</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", page)
    assert found, f"region {code} is not in the coverage table"
    return found.group(1), found.group(2), found.group(3)


def test_coverage_counts_open_offline_classes_per_province(frozen_clock, provider, api):
    frozen_clock(NAMED)
    training_class = open_class(provider, approved_program(provider), start=START, capacity=12)
    open_class(provider, approved_program(provider, mode="webinar"), start=START)  # online: not coverage
    pmo = browser(person_with(User.Role.PMO))
    assert 'href="/pmo/cakupan/"' in text(pmo.get("/pmo/kurasi/"))

    provinces = Province.objects.count()
    page = text(pmo.get("/pmo/cakupan/"))
    assert coverage_cells(page, "32") == ("1", "0", "12")
    assert coverage_cells(page, "31") == ("0", "0", "0")
    assert f"{provinces - 1} wilayah tanpa kelas" in page
    assert coverage_cells(text(pmo.get("/pmo/cakupan/?level=regency")), "3273") == ("1", "0", "12")

    rows = {r["code"]: r for r in api.get("/coverage?level=province").json()}
    assert len(rows) == provinces
    assert rows["32"]["offline_classes"] == 1 and rows["32"]["open_seats"] == 12
    assert all(r["offline_classes"] + r["blended_classes"] == 0 for code, r in rows.items() if code != "32")

    assert browser(person_with()).get("/pmo/cakupan/").status_code == 403

    # Once enrollment closes (00:00 Jakarta two days before the start) the class is no longer supply.
    frozen_clock(training_class.enrollment_closes_at - dt.timedelta(seconds=1))
    assert api.get("/coverage?level=province").json()[_index_of("32")]["offline_classes"] == 1
    frozen_clock(training_class.enrollment_closes_at)
    rows = {r["code"]: r for r in api.get("/coverage?level=province").json()}
    assert rows["32"]["offline_classes"] == 0
    page = text(pmo.get("/pmo/cakupan/"))
    assert coverage_cells(page, "32") == ("0", "0", "0")
    assert f"{provinces} wilayah tanpa kelas" in page


def _index_of(code: str) -> int:
    return list(Province.objects.order_by("code").values_list("code", flat=True)).index(code)


# --- 6. catalog API: constant queries, filters ------------------------------------------------------------------
def many_programs(provider: Provider, count: int) -> None:
    for n in range(count):
        program = approved_program(provider, price=500_000 + n * 10_000)
        for k in range(2):
            open_class(provider, program, start=START + dt.timedelta(days=3 * k))


def queries_for(api, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(captured)


def test_catalog_runs_the_same_queries_for_5_or_30_programs(frozen_clock, provider, api):
    frozen_clock(NAMED)
    many_programs(provider, 5)
    few = queries_for(api, "/trainings")
    assert api.get("/trainings").json()["total"] == 5
    many_programs(provider, 25)
    many = queries_for(api, "/trainings")
    body = api.get("/trainings").json()
    assert (body["total"], body["pages"], len(body["results"])) == (30, 2, 20)
    assert all(r["open_classes"] == 2 for r in body["results"])
    assert many == few == 3  # the count, one page of programs with their institution, their open classes


def test_catalog_page_queries_do_not_grow_with_programs(frozen_clock, provider, django_assert_max_num_queries):
    frozen_clock(NAMED)
    many_programs(provider, 5)
    anonymous = Client()
    with CaptureQueriesContext(connection) as captured:
        assert anonymous.get("/pelatihan/").status_code == 200
    few = len(captured)
    many_programs(provider, 25)
    with django_assert_max_num_queries(few):
        assert anonymous.get("/pelatihan/").status_code == 200


def test_catalog_filters(frozen_clock, provider, api):
    frozen_clock(NAMED)
    other = other_provider()

    def program(owner: Provider, title: str, **data) -> Program:
        mode = data.get("mode", "offline")
        face = mode in ("offline", "blended")
        fields = {
            "title": title,
            "category": "fashion_beauty",
            "description": "Pelatihan praktik.",
            "competencies": "Praktik",
            "mode": mode,
            "hours": 16,
            "price": 1_000_000,
            "district_code": owner.venue.district_id if face else None,
        } | data
        made = catalog.approve_program(catalog.submit_program(catalog.save_program(owner.institution, fields)))
        open_class(owner, made, start=START)
        return made

    sewing = program(provider, "Menjahit Kebaya", price=1_200_000)
    coffee = program(provider, "Barista Kopi", category="food_beverage", price=900_000, competencies="Espresso")
    online = program(provider, "Pemasaran Digital", category="sales_marketing", mode="webinar", price=300_000)
    jakarta = program(other, "Tata Rias Pengantin", mode="blended", price=2_500_000)

    def ids(query: str) -> list[str]:
        response = api.get(f"/trainings?{query}")
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    def uid(*programs: Program) -> list[str]:
        return [str(p.public_id) for p in programs]

    assert sorted(ids("mode=webinar")) == uid(online)
    assert sorted(ids("mode=blended")) == uid(jakarta)
    assert ids("category=food_beverage") == uid(coffee)
    assert ids("province=31") == uid(jakarta)
    assert sorted(ids("province=32")) == sorted(uid(sewing, coffee))  # webinar has no place
    assert sorted(ids("max_price=1000000")) == sorted(uid(coffee, online))
    assert ids("q=espresso") == uid(coffee)
    assert ids("q=kebaya") == uid(sewing)
    assert ids("sort=price") == uid(online, coffee, sewing, jakarta)
    assert ids("sort=-price") == uid(jakarta, sewing, coffee, online)
    assert ids("mode=offline&max_price=1000000&sort=price") == uid(coffee)
    # Nonsense filters are ignored, not errors.
    assert len(ids("mode=teleport&category=nope&sort=sideways")) == 4
    # The web catalog shows the same selection.
    page = text(Client().get("/pelatihan/?province=31"))
    assert "Tata Rias Pengantin" in page and "Menjahit Kebaya" not in page


# --- 7. certificate -----------------------------------------------------------------------------------------------
def test_certificate_verification_is_public_and_masked_and_the_pdf_is_the_holders(frozen_clock, provider):
    holder, stranger = recipients_named(frozen_clock, 3, seed=62)[:2]
    person = Person.objects.get(user=holder)
    Person.objects.filter(pk=person.pk).update(full_name="Siti Rahayu")
    training_class = open_class(provider, approved_program(provider), start=START)
    purchase = bought(holder, training_class)
    attend_all(frozen_clock, provider, purchase)
    learning.complete(provider.institution, purchase.voucher_code)
    certificate = Certificate.objects.get(purchase=purchase)

    page = text(Client().get(f"/sertifikat/{certificate.verify_token}/"))
    assert certificate.number in page
    assert "S*** R***" in page
    assert "Siti Rahayu" not in page and "Rahayu" not in page
    assert person.nik and person.nik not in page
    assert "LPK Maju Bersama" in page and training_class.program.title in page
    assert Client().get("/sertifikat/tidak-ada/").status_code == 404

    own = browser(holder).get(f"/sertifikat/{certificate.verify_token}/pdf/")
    assert own.status_code == 200
    assert own["Content-Type"] == "application/pdf" and own.content.startswith(b"%PDF")
    assert browser(stranger).get(f"/sertifikat/{certificate.verify_token}/pdf/").status_code == 404
    assert staff_of(provider.institution).get(f"/sertifikat/{certificate.verify_token}/pdf/").status_code == 403
    anonymous = Client().get(f"/sertifikat/{certificate.verify_token}/pdf/")
    assert anonymous.status_code == 302 and "/akun/masuk/" in anonymous["Location"]


# --- trainers, venues and cancelling a class from the portal ----------------------------------------------------
def test_portal_adds_trainers_and_venues_and_cancels_a_class_refunding_everyone(frozen_clock, provider):
    users = recipients_named(frozen_clock, 3, seed=91)
    portal = staff_of(provider.institution)
    page = text(
        portal.post("/lembaga/pelatih/", {"full_name": "Sri Mulyani", "certificate_number": "BNSP-77"}, follow=True)
    )
    assert "Sri Mulyani" in page and "BNSP-77" in page
    refused = text(
        portal.post("/lembaga/tempat/", {"name": "Aula", "district_code": "999999", "capacity": "20"}, follow=True)
    )
    assert "DISTRICT_UNKNOWN" in refused
    added = text(
        portal.post(
            "/lembaga/tempat/", {"name": "Aula Utama", "district_code": DISTRICT, "capacity": "35"}, follow=True
        )
    )
    assert "Aula Utama (35)" in added

    training_class = open_class(
        provider, approved_program(provider, price=1_200_000), start=NAMED + dt.timedelta(days=6)
    )
    purchases = [bought(user, training_class) for user in users[:2]]
    stranger = staff_of(other_provider().institution)
    assert stranger.post(f"/lembaga/kelas/{training_class.code}/batal/", {"reason": "x"}).status_code == 404
    blank = text(portal.post(f"/lembaga/kelas/{training_class.code}/batal/", {"reason": " "}, follow=True))
    assert "REJECTION_REASON_REQUIRED" in blank
    training_class.refresh_from_db()
    assert training_class.status == TrainingClass.Status.OPEN  # nothing cancelled without a reason
    page = text(portal.post(f"/lembaga/kelas/{training_class.code}/batal/", {"reason": "Pelatih sakit"}, follow=True))
    assert "2 peserta" in page
    for purchase in purchases:
        purchase.refresh_from_db()
        assert purchase.status == Purchase.Status.CANCELLED
    training_class.refresh_from_db()
    assert training_class.status == TrainingClass.Status.CANCELLED
    assert all(code.cancelled_at for p in purchases for code in p.redeem_codes.all())


def test_program_office_suspends_an_approved_program_and_an_institution(frozen_clock, provider):
    frozen_clock(NAMED)
    program = approved_program(provider)
    open_class(provider, program, start=NAMED + dt.timedelta(days=8))
    pmo = browser(person_with(User.Role.PMO))
    listed = text(pmo.get("/pmo/kurasi/?status=approved&q=Menjahit"))
    assert program.title in listed
    assert "REJECTION_REASON_REQUIRED" in text(
        pmo.post(f"/pmo/kurasi/{program.public_id}/", {"decision": "suspend", "reasons": " "}, follow=True)
    )
    text(
        pmo.post(
            f"/pmo/kurasi/{program.public_id}/", {"decision": "suspend", "reasons": "Keluhan peserta"}, follow=True
        )
    )
    program.refresh_from_db()
    assert program.status == Program.Status.SUSPENDED and program.rejection_reasons == ["Keluhan peserta"]
    assert Client().get("/api/v1/trainings").json()["total"] == 0

    other = approved_program(provider, mode="webinar")
    assert Client().get("/api/v1/trainings").json()["total"] == 1
    out = io.StringIO()
    from django.core.management import call_command

    call_command("institution", "suspend", provider.institution.client_code, "--reason", "Izin dicabut", stdout=out)
    assert "suspended" in out.getvalue()
    assert Client().get("/api/v1/trainings").json()["total"] == 0  # the institution's programs leave the catalog
    call_command("institution", "activate", provider.institution.client_code, stdout=io.StringIO())
    assert [r["id"] for r in Client().get("/api/v1/trainings").json()["results"]] == [str(other.public_id)]


def test_program_office_cancels_a_purchase_the_institution_cannot_deliver(frozen_clock, provider):
    user = recipients_named(frozen_clock, 3, seed=93)[0]
    training_class = open_class(provider, approved_program(provider, price=900_000), start=NAMED + dt.timedelta(days=7))
    purchase = bought(user, training_class)
    catalog.set_institution_status(provider.institution, Institution.Status.SUSPENDED, "Izin dicabut")
    pmo = browser(person_with(User.Role.PMO))
    assert staff_of(provider.institution).get("/pmo/pembelian/").status_code == 403
    found = text(pmo.get(f"/pmo/pembelian/?voucher={purchase.voucher_code.lower()}"))
    assert training_class.code in found and "Rp 900.000" in found
    blank = text(pmo.post("/pmo/pembelian/", {"voucher": purchase.voucher_code, "reason": " "}, follow=True))
    assert "REJECTION_REASON_REQUIRED" in blank
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.ACTIVE
    text(pmo.post("/pmo/pembelian/", {"voucher": purchase.voucher_code, "reason": "Lembaga dibekukan"}, follow=True))
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.CANCELLED
    balance = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}").json()["balance"]
    assert balance == 3_500_000
    assert "tidak ditemukan" in text(pmo.get("/pmo/pembelian/?voucher=VCRNOPE"))
