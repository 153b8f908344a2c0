"""The first-purchase deadline: 15 calendar days in Jakarta, then revocation, the treasury and recovery batches.

A recipient named on day D (Jakarta) must buy a first training by D + 15
inclusive; on D + 16 ``prakerja enforce-deadlines`` revokes them, returns the
whole balance to the treasury through the ledger, and the person can never
join again. Revoked places are pooled into recovery batches.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import Api, codes
from prakerja.accounts.actions import issue_token
from prakerja.accounts.models import User
from prakerja.batches import actions
from prakerja.batches.models import Application, Batch, Recipient
from prakerja.core import clock
from prakerja.core.errors import DomainError
from prakerja.payments import actions as ledger
from prakerja.registry.models import Person, ProgramStatus

pytestmark = pytest.mark.django_db

BALANCE = 3_500_000
UTC = dt.UTC
OPENS = dt.datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta, 1 July 2026
CLOSES = dt.datetime(2026, 7, 8, 10, 0, tzinfo=UTC)  # 17:00 in Jakarta, 8 July
# 18:00 UTC on 10 July is already 01:00 on 11 July in Jakarta: the deadline counts from 11 July.
NAMED = dt.datetime(2026, 7, 10, 18, 0, tzinfo=UTC)
DEADLINE = dt.date(2026, 7, 26)
LAST_MINUTE = dt.datetime(2026, 7, 26, 16, 59, 59, tzinfo=UTC)  # 23:59:59 on 26 July in Jakarta
DAY_AFTER = dt.datetime(2026, 7, 26, 17, 0, tzinfo=UTC)  # 00:00 on 27 July in Jakarta, still 26 July in UTC


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def population(people: int, seed: int) -> list[User]:
    run("generate_population", "--people", str(people), "--seed", str(seed))
    return list(User.objects.filter(email__endswith="@population.prakerja.test", email__startswith=f"p{seed}-"))


def apply_all(users: list[User], number: int) -> list[User]:
    """Apply everyone who may; the generator makes a few people over 64, who are refused."""
    applied = []
    for user in users:
        try:
            actions.apply(user, number)
        except DomainError as exc:
            assert exc.codes == ["AGE_OUT_OF_RANGE"], exc.codes
        else:
            applied.append(user)
    return applied


def announced(frozen_clock, *, number: int, people: int, seed: int, quota: int, at: dt.datetime = NAMED) -> Batch:
    """A batch of generated applicants, selected and announced at ``at``."""
    frozen_clock(OPENS)
    users = population(people, seed)
    actions.create_batch(number=number, quota=quota, opens_at=OPENS, closes_at=CLOSES)
    actions.open_batch(number)
    assert len(apply_all(users, number)) >= quota
    frozen_clock(CLOSES + dt.timedelta(hours=1))
    actions.close_batch(number)
    actions.select_batch(number)
    frozen_clock(at)
    assert actions.announce_batch(number) == quota
    return Batch.objects.get(number=number)


def me(user: User) -> dict:
    client = Api()
    client.token = issue_token(user)
    response = client.get("/me")
    assert response.status_code == 200, response.content
    return response.json()


def recipients_of(batch: Batch) -> list[Recipient]:
    return list(Recipient.objects.filter(batch=batch).select_related("person__user").order_by("id"))


def treasury() -> int:
    return ledger.balance_of(ledger.system_account("treasury_returns"))


def person_balance(person: Person) -> int:
    return ledger.balance_of(ledger.account_for_person(person))


def test_deadline_is_fifteen_jakarta_days_after_naming(frozen_clock):
    batch = announced(frozen_clock, number=1, people=6, seed=501, quota=3)
    for recipient in recipients_of(batch):
        assert recipient.first_purchase_deadline == DEADLINE
        shown = me(recipient.person.user)
        assert shown["state"] == "recipient"
        assert shown["balance"] == BALANCE
        assert shown["deadlines"] == [{"code": "FIRST_PURCHASE", "date": "2026-07-26"}]


def test_not_revoked_on_the_deadline_day_itself(frozen_clock):
    batch = announced(frozen_clock, number=1, people=6, seed=502, quota=2)
    frozen_clock(LAST_MINUTE)
    assert actions.enforce_deadlines() == 0
    for recipient in recipients_of(batch):
        recipient.refresh_from_db()
        assert recipient.status == "active"
        shown = me(recipient.person.user)
        assert (shown["state"], shown["balance"]) == ("recipient", BALANCE)
    assert treasury() == 0


def test_revoked_the_day_after_and_balance_returns_to_the_treasury(frozen_clock):
    batch = announced(frozen_clock, number=1, people=8, seed=503, quota=3)
    before = treasury()
    frozen_clock(DAY_AFTER)
    assert actions.enforce_deadlines() == 3
    assert treasury() == before + 3 * BALANCE
    for recipient in recipients_of(batch):
        recipient.refresh_from_db()
        assert recipient.status == "revoked"
        assert recipient.revoked_at == DAY_AFTER
        assert recipient.revocation_reason == "FIRST_PURCHASE_DEADLINE_MISSED"
        assert person_balance(recipient.person) == 0
        shown = me(recipient.person.user)
        assert shown["state"] == "revoked"
        assert shown["balance"] == 0
        assert shown["deadlines"] == []
    assert ledger.verify_balances() == []
    assert ledger.unbalanced_entries() == []


def test_enforcing_again_moves_no_more_money(frozen_clock):
    announced(frozen_clock, number=1, people=6, seed=504, quota=2)
    frozen_clock(DAY_AFTER)
    assert actions.enforce_deadlines() == 2
    frozen_clock(DAY_AFTER + dt.timedelta(days=3))
    assert actions.enforce_deadlines() == 0
    assert treasury() == 2 * BALANCE
    assert ledger.verify_balances() == []


def test_a_recipient_who_bought_a_training_keeps_the_card(frozen_clock):
    batch = announced(frozen_clock, number=1, people=6, seed=505, quota=2)
    buyer, idle = recipients_of(batch)
    frozen_clock(dt.datetime(2026, 7, 20, 3, 0, tzinfo=UTC))
    Recipient.objects.filter(pk=buyer.pk).update(first_purchase_at=dt.datetime(2026, 7, 20, 3, 0, tzinfo=UTC))
    assert me(buyer.person.user)["deadlines"] == []
    frozen_clock(DAY_AFTER + dt.timedelta(days=30))
    assert actions.enforce_deadlines() == 1
    buyer.refresh_from_db()
    idle.refresh_from_db()
    assert (buyer.status, idle.status) == ("active", "revoked")
    assert me(buyer.person.user)["state"] == "recipient"
    assert person_balance(buyer.person) == BALANCE
    assert treasury() == BALANCE


def test_enforce_deadlines_command_reports_and_revokes(frozen_clock):
    batch = announced(frozen_clock, number=1, people=8, seed=506, quota=4)
    frozen_clock(LAST_MINUTE)
    assert "0 recipients revoked" in run("enforce_deadlines")
    frozen_clock(DAY_AFTER)
    assert "4 recipients revoked" in run("enforce_deadlines")
    assert Person.objects.filter(program_status=ProgramStatus.REVOKED).count() == 4
    assert all(r.status == "revoked" for r in recipients_of(batch))
    assert treasury() == 4 * BALANCE
    assert "0 recipients revoked" in run("enforce_deadlines")
    assert treasury() == 4 * BALANCE


def test_a_revoked_person_can_never_join_again(frozen_clock):
    batch = announced(frozen_clock, number=1, people=6, seed=507, quota=2)
    frozen_clock(DAY_AFTER)
    actions.enforce_deadlines()
    revoked = recipients_of(batch)[0].person.user
    later_opens = dt.datetime(2026, 8, 3, 1, 0, tzinfo=UTC)
    actions.create_batch(number=2, quota=5, opens_at=later_opens, closes_at=later_opens + dt.timedelta(days=7))
    actions.open_batch(2)
    frozen_clock(later_opens + dt.timedelta(hours=2))
    client = Api("en")
    client.token = issue_token(revoked)
    response = client.post("/batches/2/applications")
    assert response.status_code == 422
    assert codes(response) == ["REVOKED"]
    assert response.json()["errors"][0]["message"] == "Participation was revoked; cannot apply again."
    assert not Application.objects.filter(batch__number=2).exists()
    shown = client.get("/me").json()
    assert shown["state"] == "revoked"
    assert [r["code"] for r in shown["reasons"]] == ["REVOKED"]


def test_recovery_batch_pools_the_revoked_places_once(frozen_clock):
    batch = announced(frozen_clock, number=1, people=10, seed=508, quota=4)
    first, second, *_rest = recipients_of(batch)
    # Two of the four buy a training in time; the other two are revoked.
    Recipient.objects.filter(pk__in=[first.pk, second.pk]).update(first_purchase_at=NAMED + dt.timedelta(days=1))
    frozen_clock(DAY_AFTER)
    assert actions.enforce_deadlines() == 2
    out = run("batch", "create", "--number", "2", "--recovery", "--opens", "2026-08-03T08:00")
    assert "quota 2" in out
    recovery = Batch.objects.get(number=2)
    assert (recovery.quota, recovery.is_recovery, recovery.status) == (2, True, "draft")
    assert set(Recipient.objects.filter(pooled_into=recovery).values_list("status", flat=True)) == {"revoked"}
    assert Recipient.objects.filter(pooled_into=recovery).count() == 2
    # The same places cannot be pooled twice.
    with pytest.raises(CommandError, match="NO_PLACES_TO_POOL"):
        run("batch", "create", "--number", "3", "--recovery", "--opens", "2026-09-01T08:00")
    assert not Batch.objects.filter(number=3).exists()
    # A later revocation makes one new place to pool.
    Recipient.objects.filter(pk=first.pk).update(first_purchase_at=None)
    frozen_clock(DAY_AFTER + dt.timedelta(days=1))
    assert actions.enforce_deadlines() == 1
    run("batch", "create", "--number", "3", "--recovery", "--opens", "2026-09-01T08:00")
    assert Batch.objects.get(number=3).quota == 1
    assert Recipient.objects.get(pk=first.pk).pooled_into.number == 3


@pytest.mark.parametrize(
    ("named", "deadline"),
    [
        (dt.datetime(2026, 7, 10, 16, 59, tzinfo=UTC), dt.date(2026, 7, 25)),  # 23:59 on 10 July in Jakarta
        (dt.datetime(2026, 7, 10, 17, 0, tzinfo=UTC), dt.date(2026, 7, 26)),  # 00:00 on 11 July in Jakarta
    ],
)
def test_the_naming_day_is_the_jakarta_calendar_day(frozen_clock, named, deadline):
    batch = announced(frozen_clock, number=1, people=4, seed=509, quota=1, at=named)
    (recipient,) = recipients_of(batch)
    assert me(recipient.person.user)["deadlines"] == [{"code": "FIRST_PURCHASE", "date": deadline.isoformat()}]
    last_second = dt.datetime.combine(deadline, dt.time(23, 59, 59), tzinfo=clock.JAKARTA)
    frozen_clock(last_second)
    assert actions.enforce_deadlines() == 0
    frozen_clock(last_second + dt.timedelta(seconds=1))
    assert actions.enforce_deadlines() == 1
    assert me(recipient.person.user)["state"] == "revoked"
