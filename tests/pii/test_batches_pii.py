"""Batches on encrypted numbers: the KK cap groups by blind index, the contract export still gives the
number (audited), and selections made before encryption still verify."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from django.core.management import call_command
from pii_world import DURING, select_and_announce

from prakerja.accounts.models import User
from prakerja.batches import actions, selection
from prakerja.batches.export import csv_rows
from prakerja.batches.models import Application, Batch, Recipient, Result
from prakerja.core import pii
from prakerja.core.errors import DomainError
from prakerja.core.models import AuditEvent
from prakerja.registry.models import Person
from staff import make_staff

pytestmark = pytest.mark.django_db

SEED = 733


def batch_of_households(frozen_clock, people: int = 40, quota: int = 30) -> Batch:
    """Generated residents (households share family cards) apply to batch 1."""
    frozen_clock(DURING)
    call_command(
        "generate_population", "--people", str(people), "--seed", str(SEED), stdout=io.StringIO(), stderr=io.StringIO()
    )
    actions.create_batch(number=1, quota=quota, opens_at=DURING.replace(hour=0), closes_at=DURING.replace(day=8))
    actions.open_batch(1)
    for user in User.objects.filter(email__startswith=f"p{SEED}-"):
        try:
            actions.apply(user, 1)
        except DomainError:
            pass
    return Batch.objects.get(number=1)


def test_the_family_card_cap_holds_by_index_and_the_export_gives_the_numbers(frozen_clock, tmp_path):
    batch = batch_of_households(frozen_clock)
    select_and_announce(frozen_clock, 1)
    # Generated households have up to five members: the cap (2) must have bitten somewhere.
    reasons = set(Application.objects.filter(batch=batch).values_list("result__reason", flat=True))
    assert "KK_QUOTA_REACHED" in reasons
    per_card: dict[str, int] = {}
    for recipient in Recipient.objects.select_related("person"):
        assert recipient.kk_index == pii.kk_index(recipient.person.kk_number)
        per_card[recipient.person.kk_number] = per_card.get(recipient.person.kk_number, 0) + 1
    assert per_card and max(per_card.values()) <= 2

    path = tmp_path / "export.csv"
    call_command("batch", "export", "1", "--output", str(path), stdout=io.StringIO())
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    people = {str(p.public_id): p for p in Person.objects.all()}
    assert rows and all(row["kk_number"] == people[row["person_id"]].kk_number for row in rows)
    assert all(len(row["kk_number"]) == 16 and row["kk_number"].isdigit() for row in rows)
    (event,) = AuditEvent.objects.filter(action="personal_data.export")
    assert (event.actor, event.object_id, event.after["rows"]) == (None, "batch 1 applications", len(rows))
    assert "CLI" in event.after["purpose"]

    # The program office's download names the officer (the page passes who asks, and why).
    officer = make_staff(User.Role.PMO_SELECTION)
    streamed = list(csv_rows(batch, actor=officer, purpose="evaluasi seleksi", ip="10.0.0.9"))
    assert len(streamed) == len(rows) + 1
    latest = AuditEvent.objects.filter(action="personal_data.export").latest("id")
    assert (latest.actor, latest.after, latest.ip) == (
        officer,
        {"rows": len(rows), "purpose": "evaluasi seleksi"},
        "10.0.0.9",
    )


def _old_format_digest(batch: Batch, params: dict) -> str:
    """The digest as selections made before encryption computed it: the family-card number in plain text."""
    h = hashlib.sha256()
    h.update(json.dumps(params, sort_keys=True).encode())
    for code, quota in batch.quotas.order_by("region_code").values_list("region_code", "quota"):
        h.update(f"\nQ{code}:{quota}".encode())
    h.update(b"\n")
    for a in Application.objects.filter(batch=batch).order_by("id").select_related("person"):
        values = [
            a.public_id, a.token, a.regency_code, a.person.kk_number, a.birth_date, a.gender, a.occupation,
            a.in_formal_education, a.employment_status, a.prior_training, a.prior_recipient, a.status, a.eligible,
            a.tier, a.rank, a.reason,
        ]  # fmt: skip
        text = ["\\N" if v is None else ("t" if v else "f") if isinstance(v, bool) else str(v) for v in values]
        h.update(("\t".join(text) + "\n").encode())
    return h.hexdigest()


def test_a_selection_made_before_encryption_still_verifies(frozen_clock):
    batch = batch_of_households(frozen_clock)
    frozen_clock(DURING.replace(day=9))
    actions.close_batch(1)
    digest = actions.select_batch(1)
    batch.refresh_from_db()
    assert batch.selection_params["family_card"] == "kk_index"
    assert actions.select_batch(1, dry_run=True) == digest

    # As a batch selected before the numbers were encrypted holds it: no family_card key, the old digest.
    params = {k: v for k, v in batch.selection_params.items() if k != "family_card"}
    old = _old_format_digest(batch, params)
    assert old != digest
    Batch.objects.filter(pk=batch.pk).update(selection_params=params, selection_digest=old)
    assert actions.select_batch(1, dry_run=True) == old
    # And it still catches a result altered after the draw.
    Result.objects.filter(application__batch=batch, status="selected").update(rank=999)
    assert actions.select_batch(1, dry_run=True) != old
    assert selection.Params.from_json(params).family_card == "kk_number"
