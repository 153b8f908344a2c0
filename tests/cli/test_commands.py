"""The operator CLI of CONTRACT.md: what an operator scripts, and what they see."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from prakerja.accounts.models import User
from prakerja.aptitude.models import Question
from prakerja.core import clock
from prakerja.regions.models import District, Province, Regency
from prakerja.regions.nik import check_kk, check_nik
from prakerja.registry.models import CivilRegistryRecord, Person

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_load_regions_is_complete_and_idempotent():
    first = run("load_regions")
    second = run("load_regions")
    assert first == second
    assert "38 provinces, 514 regencies/cities, 7277 districts" in first
    assert (Province.objects.count(), Regency.objects.count(), District.objects.count()) == (38, 514, 7277)
    assert Regency.objects.filter(is_city=True).count() == 98
    assert District.objects.get(code="317407").name == "Kebayoran Baru"


def test_console_script_takes_contract_names():
    """`prakerja load-regions` (dashes) is the same command as Django's load_regions."""
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "prakerja.settings"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from prakerja.cli import main; sys.argv=['prakerja','load-regions','--help']; main()",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Load provinces, regencies/cities and districts" in result.stdout


def test_seed_demo_is_idempotent_and_prints_logins():
    first = run("seed_demo")
    counts = (User.objects.count(), Person.objects.count(), CivilRegistryRecord.objects.count())
    second = run("seed_demo")
    assert counts == (User.objects.count(), Person.objects.count(), CivilRegistryRecord.objects.count())
    for email in ("admin@prakerja.test", "peserta@prakerja.test", "baru@prakerja.test"):
        assert email in first and email in second
    assert "Prakerja#2024" in first
    assert Question.objects.count() == 72
    peserta = User.objects.get(email="peserta@prakerja.test")
    assert peserta.check_password("Prakerja#2024")
    from prakerja.registry.journey import journey

    assert journey(peserta).state == "eligible"


def test_seed_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused"):
        run("seed_demo")


def test_add_resident_adds_and_refuses_impossible_niks():
    out = run(
        "add_resident",
        "--nik",
        "3273014107990002",
        "--kk",
        "3273010510180004",
        "--name",
        "Siti Rahayu",
        "--birth-date",
        "1999-07-01",
        "--gender",
        "F",
        "--mother-name",
        "Nurhayati",
    )
    assert "3273********0002" in out
    assert CivilRegistryRecord.objects.get(nik="3273014107990002").full_name == "Siti Rahayu"
    with pytest.raises(CommandError, match="NIK_GENDER_MISMATCH"):
        run(
            "add_resident",
            "--nik",
            "3273014107990003",
            "--kk",
            "3273010510180004",
            "--name",
            "X",
            "--birth-date",
            "1999-07-01",
            "--gender",
            "M",
        )


def test_generate_population_is_deterministic_and_consistent(capsys):
    run("generate_population", "--people", "300", "--seed", "7", "--password", "Rahasia#1")
    people = sorted((p.nik, p.kk_number, p.birth_date, p.gender) for p in Person.objects.all())
    assert len(people) == 300
    # Same seed again: nothing new, and the generator yields the very same people.
    out = run("generate_population", "--people", "300", "--seed", "7")
    assert "0 new applicants" in out
    from prakerja.registry.population import people as generate

    again = sorted((p.nik, p.kk_number, p.birth_date, p.gender) for p in generate(7, 300, clock.today()))
    assert again == people
    assert again != sorted((p.nik, p.kk_number, p.birth_date, p.gender) for p in generate(8, 300, clock.today()))
    today = dt.date(2026, 11, 28)
    for nik, kk, birth_date, gender in people:
        assert check_nik(nik, birth_date=birth_date, gender=gender, today=today) == []
        assert check_kk(kk) == []
    # Households: several people share a family card, none has more than five.
    from collections import Counter

    sizes = Counter(kk for _nik, kk, _b, _g in people)
    assert max(sizes.values()) <= 5 and sum(1 for n in sizes.values() if n > 1) > 20
    women = sum(1 for p in people if p[3] == "F") / len(people)
    assert 0.40 < women < 0.62
    assert "300/300 people" in capsys.readouterr().err  # the progress bar, on stderr


def test_generate_population_password_and_production_guard(settings):
    run("generate_population", "--people", "5", "--seed", "3", "--password", "Rahasia#1")
    user = User.objects.filter(email__startswith="p3-").first()
    assert user is not None and user.check_password("Rahasia#1")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        run("generate_population", "--people", "5", "--seed", "4", "--password", "x")


def test_openapi_documents_the_journey(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/auth/register",
        "/api/v1/auth/token",
        "/api/v1/auth/verify-email",
        "/api/v1/auth/verify-phone",
        "/api/v1/me",
        "/api/v1/me/identity",
        "/api/v1/me/profile",
        "/api/v1/me/declaration",
        "/api/v1/me/test",
        "/api/v1/me/test/submit",
    ):
        assert path in paths, path
    assert "put" in paths["/api/v1/me/identity"]
    assert client.get("/api/v1/docs").status_code == 200
