"""The demo data set: regions, the question bank, residents and demo log-ins (idempotent).

The residents below exist only in the civil-registry double. Those without an
account are there for a person (or the browser test) to walk the registration
journey with; their identity data is printed by ``make run``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prakerja.accounts.demo import STAFF as DEMO_STAFF
from prakerja.accounts.models import User
from prakerja.aptitude import actions as aptitude
from prakerja.aptitude.loading import load_questions
from prakerja.aptitude.models import Question
from prakerja.core import clock
from prakerja.regions.loading import load_regions
from prakerja.registry import actions as registry
from prakerja.registry.residents import add_resident

DEMO_PASSWORD = "Prakerja#2024"


@dataclass(frozen=True)
class DemoResident:
    nik: str
    kk: str
    name: str
    birth_date: dt.date
    gender: str
    mother_name: str
    district: str


RESIDENTS = (
    # A registered, eligible participant (peserta@prakerja.test).
    DemoResident(
        "3174071708950003", "3174071203150007", "Budi Santoso", dt.date(1995, 8, 17), "M", "Sri Wahyuni", "317407"
    ),
    # Not yet registered: type these on the identity page.
    DemoResident(
        "3273014107990002", "3273010510180004", "Siti Rahayu", dt.date(1999, 7, 1), "F", "Nurhayati", "327301"
    ),
    DemoResident(
        "3578012512880005", "3578010307120011", "Agus Prasetyo", dt.date(1988, 12, 25), "M", "Kartini", "357801"
    ),
    DemoResident(
        "7371015003010001", "7371012208190003", "Andi Nurul Fadilah", dt.date(2001, 3, 10), "F", "Hasnah", "737101"
    ),
    # Same family card as Siti Rahayu: a second member of one household.
    DemoResident(
        "3273011102970006", "3273010510180004", "Dedi Rahmat", dt.date(1997, 2, 11), "M", "Nurhayati", "327301"
    ),
    # A NIK issued in Merauke before Papua Selatan was created (former code 9101).
    DemoResident(
        "9101026406900001", "9101022001100002", "Maria Gebze", dt.date(1990, 6, 24), "F", "Yosefina", "930102"
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    note: str


LOGINS = (
    DemoLogin("peserta@prakerja.test", "participant", "participant: registration complete, eligible"),
    DemoLogin("baru@prakerja.test", "participant", "participant: email and phone verified; identity not yet entered"),
    DemoLogin("admin@prakerja.test", "pmo", "program office head and operator (admin at /admin/); prepares payouts"),
    DemoLogin("keuangan@prakerja.test", "pmo_finance_checker", "PMO finance checker: approves disbursement batches"),
    *(DemoLogin(s.email, s.role, s.note) for s in DEMO_STAFF),
    DemoLogin("lembaga@prakerja.test", "institution", "training institution staff (portal at /lembaga/)"),
)


def _user(email: str, phone: str, **extra: object) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, phone=phone, **extra)
    if user.email_verified_at is None or user.phone_verified_at is None:
        user.email_verified_at = user.phone_verified_at = clock.now()
        user.save(update_fields=["email_verified_at", "phone_verified_at"])
    return user


def seed_demo() -> dict[str, int]:
    regions = load_regions()
    questions = load_questions()
    for r in RESIDENTS:
        add_resident(
            nik=r.nik, kk=r.kk, name=r.name, birth_date=r.birth_date, gender=r.gender, mother_name=r.mother_name
        )
    _user("admin@prakerja.test", "+6281100000001", is_staff=True, is_superuser=True, role=User.Role.PMO)
    _user("keuangan@prakerja.test", "+6281100000004", role=User.Role.PMO_FINANCE_CHECKER)
    keuangan = User.objects.get(email="keuangan@prakerja.test")
    if keuangan.role == User.Role.PMO:  # demo data made before the PMO's duties were split
        User.objects.filter(pk=keuangan.pk).update(role=User.Role.PMO_FINANCE_CHECKER)
    _user("baru@prakerja.test", "+6281100000003")
    budi = RESIDENTS[0]
    peserta = _user("peserta@prakerja.test", "+6281100000002")
    person = registry.person_of(peserta)
    if person.identity_verified_at is None:
        registry.submit_identity(
            peserta,
            {
                "nik": budi.nik,
                "kk_number": budi.kk,
                "full_name": budi.name,
                "birth_date": budi.birth_date,
                "gender": budi.gender,
                "mother_name": budi.mother_name,
                "district_code": budi.district,
                "address": "Jl. Panglima Polim Raya No. 10",
            },
        )
    if person.profile_completed_at is None:
        registry.save_profile(
            peserta,
            {
                "education": "sma",
                "employment_status": "laid_off",
                "occupation": "not_working",
                "in_formal_education": False,
                "disability": False,
                "former_migrant_worker": False,
                "prior_training": False,
                "marital_status": "married",
                "dependents": 2,
                "desired_topic": "Pemasaran digital",
            },
        )
    if not registry.has_current_declaration(person):
        registry.accept_declaration(peserta, registry.current_declaration_version())
    if not aptitude.test_taken(peserta):
        attempt = aptitude.start_attempt(peserta)
        key = dict(Question.objects.filter(code__in=attempt.question_codes).values_list("code", "answer"))
        aptitude.submit_attempt(peserta, {code: key[code] for code in attempt.question_codes[:15]})
    from prakerja.catalog.demo import seed_marketplace

    programs = seed_marketplace(DEMO_PASSWORD)
    from prakerja.payments.demo import write_gateway_book
    from prakerja.payments.payout_accounts import ensure_providers

    ensure_providers()

    write_gateway_book(RESIDENTS, {budi.nik: "+6281100000002"})
    from prakerja.accounts.demo import seed_staff
    from prakerja.helpdesk.demo import seed_desks

    seed_staff(DEMO_PASSWORD)  # every staff role, and the demo authenticator for all staff
    seed_desks()
    return {"districts": regions.districts, "questions": questions, "residents": len(RESIDENTS), "programs": programs}
