"""``prakerja batch …``: what an operator types, what they read, and what they can rely on.

Applicants come from ``generate_population`` (registered, eligible-looking
people); the commands run through ``call_command`` exactly as the console
script runs them. Refusals are ``CommandError`` messages naming the code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import Api
from prakerja.accounts.models import User
from prakerja.batches import actions
from prakerja.batches.models import Application, Batch, Recipient, RegionQuota, Result
from prakerja.core import outbox
from prakerja.payments import actions as ledger
from prakerja.regions.models import District
from prakerja.registry.models import Person

pytestmark = pytest.mark.django_db

BALANCE = 3_500_000
UTC = dt.UTC
OPENS = dt.datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta, 1 July 2026
CLOSES = dt.datetime(2026, 7, 8, 10, 0, tzinfo=UTC)  # 17:00 in Jakarta, 8 July
DURING = OPENS + dt.timedelta(hours=2)
AFTER = CLOSES + dt.timedelta(hours=1)
NAMED = dt.datetime(2026, 7, 10, 3, 0, tzinfo=UTC)
FIXED_PROVINCES = (
    "--quota",
    "3",
    "--allocation",
    "province",
    "--method",
    "fixed",
    "--quota-table",
    '{"32": 2, "35": 1}',
)
EXPORT_COLUMNS = [
    "application_id",
    "person_id",
    "kk_number",
    "birth_date",
    "gender",
    "regency_code",
    "occupation",
    "in_formal_education",
    "prior_recipient",
    "eligible",
    "reasons",
    "selected",
    "rank",
]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as excinfo:
        run(*args)
    return str(excinfo.value)


def applicants(frozen_clock, count: int, seed: int, regencies: tuple[str, ...] = ()) -> list[User]:
    """Generated applicants, each on a family card of their own and aged 18-64 all through July 2026.

    ``regencies`` (cycled) sets where they live.
    """
    frozen_clock(DURING)
    run("generate_population", "--people", str(count), "--seed", str(seed))
    users = list(User.objects.filter(email__startswith=f"p{seed}-", email__endswith="@population.prakerja.test"))
    assert len(users) == count
    for i, (user, regency) in enumerate(zip(users, itertools.cycle(regencies or ("",)), strict=False)):
        person = Person.objects.get(user=user)
        person.kk_number = f"{person.kk_number[:12]}{i:04d}"
        if not dt.date(1962, 7, 9) <= person.birth_date <= dt.date(2008, 7, 1):
            person.birth_date = dt.date(1985, 3, 3)
        if regency:
            person.domicile_district = District.objects.filter(regency_id=regency).order_by("code").first()
        person.save(update_fields=["kk_ciphertext", "kk_index", "birth_date", "domicile_district"])
    return users


def create(number: int, *args: str, opens: str = "2026-07-01T08:00", closes: str | None = "2026-07-08T17:00") -> str:
    """``batch create``; the times, without a zone, are Jakarta time."""
    window = ("--opens", opens, *(("--closes", closes) if closes else ()))
    return run("batch", "create", "--number", str(number), *args, *window)


def open_batch_with(frozen_clock, users: list[User], *args: str) -> None:
    """``batch create --number 1 …`` and ``batch open 1``, then everyone applies."""
    frozen_clock(DURING)
    create(1, *args)
    run("batch", "open", "1")
    for user in users:
        actions.apply(user, 1)


def batches_api() -> list[dict]:
    return Api().get("/batches").json()


def read_export(tmp_path, number: int = 1) -> tuple[list[str], list[dict]]:
    path = tmp_path / f"batch{number}.csv"
    out = run("batch", "export", str(number), "--output", str(path))
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = list(reader.fieldnames or [])
    assert f"{len(rows):,} applications written to {path}" in out
    return header, rows


def test_operator_runs_a_whole_batch(frozen_clock, tmp_path):
    users = applicants(frozen_clock, 12, seed=701)
    out = create(1, "--quota", "5", "--name", "Gelombang Uji")
    assert "Batch 1 created (draft): quota 5, national/proportional, 2026-07-01 08:00 – 2026-07-08 17:00." in out
    batch = Batch.objects.get(number=1)
    # Times without a zone are Jakarta time.
    assert (batch.opens_at, batch.closes_at, batch.name) == (OPENS, CLOSES, "Gelombang Uji")
    shown = run("batch", "show", "1")
    assert "Batch 1 (draft), quota 5, seed (hidden until selection)" in shown and batch.seed not in shown
    assert "Batch 1 is open." in run("batch", "open", "1")
    for user in users:
        actions.apply(user, 1)
    assert batch.seed not in run("batch", "show", "1")
    frozen_clock(AFTER)
    assert "Batch 1 is closed." in run("batch", "close", "1")
    assert batches_api()[0]["seed"] is None

    out = run("batch", "select", "1")
    batch.refresh_from_db()
    assert batch.status == "selected"
    assert f"Audit digest (SHA-256): {batch.selection_digest}" in out
    assert f"seed {batch.seed}" in out
    assert re.search(r"selected\s+SELECTED\s+5\n", out)
    assert re.search(r"not_selected\s+QUOTA_FILLED_IN_REGION\s+7\n", out)
    (listed,) = batches_api()
    assert (listed["seed"], listed["selection_digest"]) == (batch.seed, batch.selection_digest)
    assert run("batch", "select", "1", "--verify").strip() == f"Selection reproduced: digest {batch.selection_digest}"

    frozen_clock(NAMED)
    assert "Batch 1 announced: 5 recipients named." in run("batch", "announce", "1")
    assert Recipient.objects.filter(batch=batch).count() == 5
    # Verification still reproduces the draw once the recipients exist, and changes nothing.
    assert f"digest {batch.selection_digest}" in run("batch", "select", "1", "--verify")
    assert Recipient.objects.filter(batch=batch).count() == 5
    assert Batch.objects.get(number=1).status == "announced"
    assert batches_api()[0]["selection_digest"] == batch.selection_digest


def test_verify_detects_changed_inputs(frozen_clock):
    users = applicants(frozen_clock, 8, seed=702)
    open_batch_with(frozen_clock, users, "--quota", "3")
    frozen_clock(AFTER)
    run("batch", "close", "1")
    run("batch", "select", "1")
    stored = Batch.objects.get(number=1).selection_digest
    # Someone edits an applicant's frozen facts after the draw.
    application = Application.objects.filter(batch__number=1).order_by("id").first()
    Application.objects.filter(pk=application.pk).update(birth_date=application.birth_date - dt.timedelta(days=1))
    message = refused("batch", "select", "1", "--verify")
    assert message.startswith("MISMATCH") and f"stored {stored}" in message


def test_verify_detects_changed_results(frozen_clock):
    users = applicants(frozen_clock, 8, seed=703)
    open_batch_with(frozen_clock, users, "--quota", "3")
    frozen_clock(AFTER)
    run("batch", "close", "1")
    run("batch", "select", "1")
    # Someone promotes a left-out applicant to a place after the draw.
    left_out = Application.objects.filter(batch__number=1, result__status="not_selected").order_by("id").first()
    Result.objects.filter(pk=left_out.pk).update(status="selected", reason="SELECTED")
    assert Application.objects.filter(batch__number=1, result__status="selected").count() == 4
    with pytest.raises(CommandError, match="MISMATCH"):
        run("batch", "select", "1", "--verify")


def test_verify_reproduces_an_old_batch_after_a_later_one_is_announced(frozen_clock):
    """People named by a later batch must not change the replay of an earlier draw (fixed in ab2dad0)."""
    users = applicants(frozen_clock, 6, seed=704)
    open_batch_with(frozen_clock, users, "--quota", "2")
    frozen_clock(AFTER)
    run("batch", "close", "1")
    run("batch", "select", "1")
    run("batch", "announce", "1")
    stored = Batch.objects.get(number=1).selection_digest
    left_out = [a.person.user for a in Application.objects.filter(batch__number=1, result__status="not_selected")]
    frozen_clock(dt.datetime(2026, 7, 20, 2, 0, tzinfo=UTC))
    create(2, "--quota", "10", opens="2026-07-20T08:00", closes=None)
    run("batch", "open", "2")
    for user in left_out:
        actions.apply(user, 2)
    frozen_clock(dt.datetime(2026, 7, 28, 2, 0, tzinfo=UTC))
    run("batch", "close", "2")
    run("batch", "select", "2")
    run("batch", "announce", "2")
    assert run("batch", "select", "1", "--verify").strip() == f"Selection reproduced: digest {stored}"


def test_state_machine_refusals_name_their_code(frozen_clock):
    users = applicants(frozen_clock, 4, seed=705)
    assert "BATCH_NOT_FOUND" in refused("batch", "open", "42")
    create(1, "--quota", "2")
    assert "BATCH_NOT_CLOSED" in refused("batch", "select", "1")
    assert "BATCH_NOT_SELECTED" in refused("batch", "announce", "1")
    assert "BATCH_NOT_OPEN" in refused("batch", "close", "1")
    run("batch", "open", "1")
    assert "BATCH_NOT_DRAFT" in refused("batch", "open", "1")
    for user in users:
        actions.apply(user, 1)
    assert refused("batch", "select", "1") == "BATCH_STILL_OPEN: The batch is still open; close it before selection."
    assert "BATCH_NOT_SELECTED" in refused("batch", "announce", "1")
    assert Batch.objects.get(number=1).status == "open"
    frozen_clock(AFTER)
    run("batch", "close", "1")
    assert "BATCH_NOT_SELECTED" in refused("batch", "announce", "1")
    assert not Recipient.objects.exists()
    assert ledger.balance_of(ledger.system_account("program_budget")) == 0
    run("batch", "select", "1")
    batch = Batch.objects.get(number=1)
    results = dict(Application.objects.filter(batch=batch).values_list("id", "result__status"))
    assert "BATCH_ALREADY_SELECTED" in refused("batch", "select", "1")
    assert Batch.objects.get(number=1).selection_digest == batch.selection_digest
    assert dict(Application.objects.filter(batch=batch).values_list("id", "result__status")) == results
    frozen_clock(NAMED)
    run("batch", "announce", "1")
    funding = ledger.balance_of(ledger.system_account("state_funding"))
    assert "BATCH_ALREADY_ANNOUNCED" in refused("batch", "announce", "1")
    assert "BATCH_ALREADY_SELECTED" in refused("batch", "select", "1")
    assert ledger.balance_of(ledger.system_account("state_funding")) == funding == -2 * BALANCE
    assert Recipient.objects.count() == 2


def test_batches_may_not_overlap(frozen_clock):
    frozen_clock(DURING)
    create(1, "--quota", "5")
    create(2, "--quota", "5", opens="2026-07-08T16:00", closes="2026-07-15T17:00")
    create(3, "--quota", "5", opens="2026-07-08T17:00", closes="2026-07-15T17:00")
    create(4, "--quota", "5", opens="2026-09-01T08:00", closes=None)
    run("batch", "open", "1")
    message = refused("batch", "open", "2")  # opens an hour before batch 1 closes
    assert message == "BATCH_OVERLAP: The batch's dates overlap batch 1."
    # While batch 1 takes applications, no other batch opens, even a later one.
    assert "BATCH_OVERLAP" in refused("batch", "open", "4")
    assert set(Batch.objects.filter(number__in=[2, 3, 4]).values_list("status", flat=True)) == {"draft"}
    assert [b["number"] for b in batches_api()] == [1]
    frozen_clock(AFTER)
    run("batch", "close", "1")
    assert "BATCH_OVERLAP" in refused("batch", "open", "2")  # a closed batch's dates still count
    assert "Batch 3 is open." in run("batch", "open", "3")  # starts the instant batch 1 closed


def test_closing_early_ends_the_window_then(frozen_clock):
    frozen_clock(DURING)
    create(1, "--quota", "5")
    run("batch", "open", "1")
    frozen_clock(dt.datetime(2026, 7, 3, 5, 0, tzinfo=UTC))
    run("batch", "close", "1")
    assert Batch.objects.get(number=1).closes_at == dt.datetime(2026, 7, 3, 5, 0, tzinfo=UTC)
    # The freed days can hold another batch.
    create(2, "--quota", "5", opens="2026-07-04T08:00", closes="2026-07-07T17:00")
    assert "Batch 2 is open." in run("batch", "open", "2")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("--allocation", "province", "--quota", "10", "--quota-table", '{"32": 6, "35": 3}'),
            ["QUOTA_TABLE_MISMATCH: The regional quotas add up to 9, not the total of 10."],
        ),
        (
            ("--allocation", "province", "--quota", "10", "--quota-table", '{"32": 6, "99": 4}'),
            ["QUOTA_REGION_UNKNOWN: Unknown quota region code: 99."],
        ),
        (
            ("--allocation", "regency", "--quota", "10", "--quota-table", '{"32": 4, "3273": 5}'),
            ["QUOTA_REGION_UNKNOWN: Unknown quota region code: 32.", "QUOTA_TABLE_MISMATCH"],
        ),
        (("--allocation", "regency", "--quota", "10"), ["QUOTA_TABLE_REQUIRED"]),
        (("--allocation", "province", "--quota", "3", "--quota-table", '{"32": -1, "35": 4}'), ["INVALID_VALUE"]),
        (("--quota", "0"), ["BATCH_QUOTA_INVALID"]),
        (("--quota", "5", "--closes", "2026-07-01T07:59"), ["BATCH_DATES_INVALID"]),
    ],
)
def test_bad_batch_definitions_are_refused_whole(frozen_clock, args, expected):
    frozen_clock(DURING)
    method = ("--method", "fixed") if "--allocation" in args else ()
    with pytest.raises(CommandError) as excinfo:
        create(1, *method, *args, closes=None)
    message = str(excinfo.value)
    for part in expected:
        assert part in message
    assert not Batch.objects.exists()
    assert not RegionQuota.objects.exists()


def test_batch_number_is_used_once(frozen_clock):
    frozen_clock(DURING)
    create(1, "--quota", "5")
    with pytest.raises(CommandError, match="BATCH_NUMBER_TAKEN"):
        create(1, "--quota", "9")
    assert Batch.objects.get(number=1).quota == 5


def test_unreadable_quota_table_is_a_clear_refusal(frozen_clock):
    frozen_clock(DURING)
    with pytest.raises(CommandError):
        create(1, "--quota", "10", "--allocation", "province", "--method", "fixed", "--quota-table", '{"32": 6,')
    assert not Batch.objects.exists()


def test_fixed_province_table_decides_the_places(frozen_clock, tmp_path):
    # 4 in Jawa Barat (32), 3 in Jawa Timur (35), 2 in DKI Jakarta (31), which the table leaves out.
    regencies = ("3273", "3578", "3171", "3204", "3578", "3171", "3273", "3578", "3204")
    users = applicants(frozen_clock, 9, seed=706, regencies=regencies)
    open_batch_with(frozen_clock, users, *FIXED_PROVINCES)
    frozen_clock(AFTER)
    run("batch", "close", "1")
    run("batch", "select", "1")
    quotas = {q.region_code: (q.quota, q.eligible, q.selected) for q in RegionQuota.objects.filter(batch__number=1)}
    assert quotas == {"32": (2, 4, 2), "35": (1, 3, 1)}
    _header, rows = read_export(tmp_path)
    chosen = sorted(r["regency_code"][:2] for r in rows if r["selected"] == "true")
    assert chosen == ["32", "32", "35"]
    jakarta = [r for r in rows if r["regency_code"] == "3171"]
    assert len(jakarta) == 2
    for row in jakarta:
        assert (row["selected"], row["reasons"], row["eligible"]) == ("false", "QUOTA_FILLED_IN_REGION", "true")


INTERRUPTIONS = ["prakerja.batches.selection.drop_pool", "prakerja.batches.selection.digest"]
DEFINITIONS = {
    "national": ("--quota", "3"),
    "province-fixed": FIXED_PROVINCES,
    "regency-proportional": ("--quota", "3", "--allocation", "regency"),
}


@pytest.mark.parametrize("where", INTERRUPTIONS)
@pytest.mark.parametrize("definition", list(DEFINITIONS))
def test_interrupted_selection_leaves_nothing_and_runs_again(frozen_clock, where, definition):
    users = applicants(frozen_clock, 8, seed=707, regencies=("3273", "3578", "3204", "3578"))
    open_batch_with(frozen_clock, users, *DEFINITIONS[definition])
    frozen_clock(AFTER)
    run("batch", "close", "1")
    quotas_before = sorted(RegionQuota.objects.filter(batch__number=1).values_list("region_code", "quota"))
    with mock.patch(where, side_effect=RuntimeError("power cut")), pytest.raises(RuntimeError, match="power cut"):
        run("batch", "select", "1")

    batch = Batch.objects.get(number=1)
    assert batch.status == "closed"
    assert (batch.selection_digest, batch.selected_at, batch.selection_params) == ("", None, None)
    assert Application.objects.filter(batch=batch).count() == len(users)
    assert not Result.objects.filter(application__batch=batch).exists()  # every application still just applied
    assert not RegionQuota.objects.filter(batch=batch).exclude(eligible=None, selected=None).exists()
    assert sorted(RegionQuota.objects.filter(batch=batch).values_list("region_code", "quota")) == quotas_before
    assert batches_api()[0]["seed"] is None and batches_api()[0]["selection_digest"] is None

    out = run("batch", "select", "1")
    batch.refresh_from_db()
    assert batch.status == "selected" and batch.selection_digest in out
    assert Application.objects.filter(batch=batch, result__status="selected").count() == 3
    assert sum(RegionQuota.objects.filter(batch=batch).values_list("selected", flat=True)) == 3
    assert "Selection reproduced" in run("batch", "select", "1", "--verify")


def test_export_has_one_row_per_application_with_the_result(frozen_clock, tmp_path):
    users = applicants(frozen_clock, 10, seed=708)
    # Sixty-four when applying on 1 July, sixty-five on the closing day: the selection re-checks the age.
    turning_65 = users[0]
    Person.objects.filter(user=turning_65).update(birth_date=dt.date(1961, 7, 5))
    open_batch_with(frozen_clock, users, "--quota", "4")
    header, rows = read_export(tmp_path)
    assert header[: len(EXPORT_COLUMNS)] == EXPORT_COLUMNS
    assert len(rows) == 10
    # Before the selection the result columns are empty.
    assert all((r["eligible"], r["reasons"], r["selected"], r["rank"]) == ("", "", "", "") for r in rows)

    frozen_clock(AFTER)
    run("batch", "close", "1")
    run("batch", "select", "1")
    _header, rows = read_export(tmp_path)
    applications = {str(a.public_id): a for a in Application.objects.filter(batch__number=1).select_related("person")}
    assert sorted(r["application_id"] for r in rows) == sorted(applications)
    for row in rows:
        a = applications[row["application_id"]]
        assert row["person_id"] == str(a.person.public_id)
        assert (row["kk_number"], row["birth_date"], row["gender"]) == (
            a.person.kk_number,
            a.birth_date.isoformat(),
            a.gender,
        )
        assert (row["regency_code"], row["occupation"]) == (a.person.domicile_district_id[:4], a.occupation)
        assert (row["in_formal_education"], row["prior_recipient"]) == ("false", "false")
        assert row["selected"] == ("true" if a.status == "selected" else "false")
        assert row["reasons"] == a.reason
    selected = [r for r in rows if r["selected"] == "true"]
    assert len(selected) == 4
    assert sorted(int(r["rank"]) for r in selected) == [1, 2, 3, 4]
    (old,) = [r for r in rows if r["person_id"] == str(Person.objects.get(user=turning_65).public_id)]
    assert (old["eligible"], old["reasons"], old["selected"], old["rank"]) == ("false", "AGE_OUT_OF_RANGE", "false", "")
    assert all(r["eligible"] == "true" for r in rows if r is not old)


def test_export_of_an_unknown_batch_writes_nothing(tmp_path):
    target = tmp_path / "none.csv"
    assert "BATCH_NOT_FOUND" in refused("batch", "export", "7", "--output", str(target))
    assert not target.exists()


@pytest.mark.django_db(transaction=True)
def test_interrupted_announcement_can_run_again(frozen_clock, monkeypatch):
    users = applicants(frozen_clock, 9, seed=709)
    open_batch_with(frozen_clock, users, "--quota", "5")
    frozen_clock(AFTER)
    run("batch", "close", "1")
    run("batch", "select", "1")
    frozen_clock(NAMED)
    monkeypatch.setattr(actions, "CHUNK", 2)
    real_transfer = ledger.transfer
    credits = itertools.count(1)

    def failing_on_the_third_credit(**kwargs):
        if kwargs["kind"] == "balance_credit" and next(credits) == 3:
            raise RuntimeError("connection lost")
        return real_transfer(**kwargs)

    with mock.patch.object(ledger, "transfer", side_effect=failing_on_the_third_credit):
        with pytest.raises(RuntimeError, match="connection lost"):
            run("batch", "announce", "1")
    assert Batch.objects.get(number=1).status == "selected"
    assert Recipient.objects.count() == 2  # the first chunk was kept, the broken one rolled back
    assert all(not outbox.messages_for(u.email, "email") for u in users)  # nobody told yet

    assert "Batch 1 announced: 5 recipients named." in run("batch", "announce", "1")
    assert Recipient.objects.count() == 5
    assert len(set(Recipient.objects.values_list("card_number", flat=True))) == 5
    for recipient in Recipient.objects.select_related("person"):
        assert ledger.balance_of(ledger.account_for_person(recipient.person)) == BALANCE
    assert ledger.balance_of(ledger.system_account("state_funding")) == -5 * BALANCE
    assert ledger.balance_of(ledger.system_account("program_budget")) == 0
    assert ledger.verify_balances() == []
    for user in users:
        assert len(outbox.messages_for(user.email, "email")) == 1
        assert len(outbox.messages_for(user.phone, "sms")) == 1
