"""Bulk-loading synthetic people as registry residents and registered applicants.

Set-based: each chunk is a handful of multi-row INSERTs, never a query per
person. People already present (same NIK or email) are skipped, so a run can
be interrupted and repeated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from itertools import islice

from django.db import transaction

from prakerja.accounts.models import User
from prakerja.aptitude.actions import current_period
from prakerja.aptitude.models import Attempt
from prakerja.core import clock
from prakerja.core.program import setting
from prakerja.registry import declaration
from prakerja.registry.models import CivilRegistryRecord, Declaration, Person
from prakerja.registry.population import Synthetic

CHUNK = 2000


def load(
    people: Iterable[Synthetic],
    *,
    seed: int,
    password_hash: str,
    progress: Callable[[int, int], None] = lambda done, added: None,
) -> int:
    """Insert people chunk by chunk; returns how many were added."""
    iterator = iter(people)
    done = added = 0
    now = clock.now()
    version = str(setting("declaration_version"))
    digest = declaration.digest(version)
    period = current_period()
    while chunk := list(islice(iterator, CHUNK)):
        added += _load_chunk(chunk, seed, password_hash, now, version, digest, period)
        done += len(chunk)
        progress(done, added)
    return added


@transaction.atomic
def _load_chunk(
    chunk: list[Synthetic], seed: int, password_hash: str, now: dt.datetime, version: str, digest: str, period: str
) -> int:
    niks = {p.nik for p in chunk}
    taken = set(CivilRegistryRecord.objects.filter(nik__in=niks).values_list("nik", flat=True))
    taken |= {nik for nik in Person.objects.filter(nik__in=niks).values_list("nik", flat=True) if nik}
    fresh = [p for p in chunk if p.nik not in taken]
    if not fresh:
        return 0
    CivilRegistryRecord.objects.bulk_create(
        [
            CivilRegistryRecord(
                nik=p.nik,
                kk_number=p.kk_number,
                full_name=p.full_name,
                birth_date=p.birth_date,
                gender=p.gender,
                mother_name=p.mother_name,
            )
            for p in fresh
        ],
        batch_size=1000,
    )
    users = User.objects.bulk_create(
        [
            User(
                email=f"p{seed}-{p.index}@population.prakerja.test",
                phone=f"+62899{seed % 1000:03d}{p.index:07d}",
                password=password_hash,
                email_verified_at=now,
                phone_verified_at=now,
            )
            for p in fresh
        ],
        batch_size=1000,
    )
    persons = Person.objects.bulk_create(
        [
            Person(
                user=user,
                nik=p.nik,
                kk_number=p.kk_number,
                full_name=p.full_name,
                birth_date=p.birth_date,
                gender=p.gender,
                mother_name=p.mother_name,
                ktp_district_id=p.district_code,
                address=p.address,
                domicile_district_id=p.district_code,
                identity_verified_at=now,
                education=p.education,
                employment_status=p.employment_status,
                occupation=p.occupation,
                in_formal_education=False,
                disability=p.disability,
                former_migrant_worker=p.former_migrant_worker,
                prior_training=p.prior_training,
                marital_status=p.marital_status,
                dependents=p.dependents,
                desired_topic=p.desired_topic,
                profile_completed_at=now,
            )
            for user, p in zip(users, fresh, strict=True)
        ],
        batch_size=1000,
    )
    Declaration.objects.bulk_create(
        [Declaration(person=person, version=version, text_sha256=digest, accepted_at=now) for person in persons],
        batch_size=1000,
    )
    Attempt.objects.bulk_create(
        [
            Attempt(
                user=user,
                period=period,
                started_at=now,
                deadline_at=now,
                finished_at=now,
                question_codes=[],
                answers={},
                score=10 + p.index % 11,
                max_score=20,
            )
            for user, p in zip(users, fresh, strict=True)
        ],
        batch_size=1000,
    )
    return len(fresh)
