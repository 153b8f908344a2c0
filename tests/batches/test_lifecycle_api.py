"""A batch's life as participants see it through the API: join, wait, hear the result, get a card.

Participants go through the real registration journey (identity checked
against the civil-registry double, profile, declaration, aptitude test); the
operator's steps are the batch actions. Announcement writes every result as
an email and an SMS to the outbox, which the tests read as a participant would.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db.models import Count

from conftest import PROFILE, Api, codes
from prakerja.accounts.actions import issue_token
from prakerja.accounts.models import User
from prakerja.batches import actions
from prakerja.batches.models import Application, Batch, Recipient
from prakerja.core import outbox
from prakerja.core.errors import DomainError
from prakerja.payments import actions as ledger
from prakerja.payments.models import LedgerAccount

pytestmark = pytest.mark.django_db(transaction=True)

BALANCE = 3_500_000
UTC = dt.UTC
OPENS = dt.datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta, 1 July 2026
CLOSES = dt.datetime(2026, 7, 8, 10, 0, tzinfo=UTC)  # 17:00 in Jakarta, 8 July
DURING = OPENS + dt.timedelta(hours=2)
AFTER = CLOSES + dt.timedelta(hours=1)
NAMED = dt.datetime(2026, 7, 10, 18, 0, tzinfo=UTC)  # 01:00 on 11 July in Jakarta
NEXT_OPENS = dt.datetime(2026, 7, 20, 1, 0, tzinfo=UTC)


def luhn_valid(number: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(number)):
        digit = int(char) * (2 if i % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def participant(verified_api, resident, *, profile: dict | None = None, **person) -> Api:
    """Someone who went through the whole registration journey through the API."""
    client = verified_api()
    response = client.put("/me/identity", resident(**person))
    assert response.status_code == 200, response.content
    response = client.put("/me/profile", PROFILE | (profile or {}))
    assert response.status_code == 200, response.content
    version = client.get("/me/declaration").json()["version"]
    assert client.post("/me/declaration", {"version": version}).status_code == 200
    assert client.post("/me/test").status_code == 200
    assert client.post("/me/test/submit", {"answers": {}}).status_code == 200
    return client


def english(client: Api) -> Api:
    """The same participant, reading messages in English."""
    other = Api("en")
    other.token = client.token
    return other


def account(client: Api) -> dict:
    return client.get("/me").json()["account"]


def results_sent_to(client: Api) -> tuple[list[str], list[str]]:
    """The result emails and SMS one participant received (verification messages left out)."""
    who = account(client)
    emails = [m for m in outbox.messages_for(who["email"], "email") if "gelombang" in m]
    sms = [m for m in outbox.messages_for(who["phone"], "sms") if "gelombang" in m]
    return emails, sms


def new_batch(number: int, quota: int, opens: dt.datetime = OPENS, closes: dt.datetime = CLOSES, **kw) -> Batch:
    return actions.create_batch(number=number, quota=quota, opens_at=opens, closes_at=closes, **kw)


def listed(api: Api, number: int) -> dict:
    (row,) = [b for b in api.get("/batches").json() if b["number"] == number]
    return row


def test_batch_lifecycle_seen_by_participants(api, verified_api, resident, frozen_clock):
    frozen_clock(DURING)
    people = [participant(verified_api, resident, name=name) for name in ("Siti Rahayu", "Dewi Lestari", "Ani Yulia")]
    new_batch(1, quota=2)
    assert api.get("/batches").json() == []  # a draft is not public
    assert codes(people[0].post("/batches/1/applications")) == ["BATCH_NOT_OPEN"]

    actions.open_batch(1)
    row = listed(api, 1)
    assert row["status"] == "open" and row["accepting_applications"] is True and row["quota"] == 2
    assert row["seed"] is None and row["selection_digest"] is None
    for client in people:
        response = client.post("/batches/1/applications")
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["batch"], body["status"], body["eligible"], body["rank"]) == (1, "applied", None, None)
        me = client.get("/me").json()
        assert me["state"] == "applied" and me["balance"] == 0 and me["deadlines"] == []

    frozen_clock(AFTER)
    actions.close_batch(1)
    row = listed(api, 1)
    assert (row["status"], row["accepting_applications"], row["seed"]) == ("closed", False, None)

    digest = actions.select_batch(1)
    row = listed(api, 1)
    assert row["status"] == "selected"
    assert row["seed"] == Batch.objects.get(number=1).seed and re.fullmatch(r"[0-9a-f]{32}", row["seed"])
    assert row["selection_digest"] == digest and re.fullmatch(r"[0-9a-f]{64}", digest)
    # Before the announcement nobody has been told anything or received money.
    assert all(results_sent_to(c) == ([], []) for c in people)
    assert all(c.get("/me").json()["balance"] == 0 for c in people)

    frozen_clock(NAMED)
    assert actions.announce_batch(1) == 2
    assert listed(api, 1)["status"] == "announced"
    outcomes = {c: c.get("/me/applications").json()[0] for c in people}
    chosen = [c for c, a in outcomes.items() if a["status"] == "selected"]
    others = [c for c, a in outcomes.items() if a["status"] == "not_selected"]
    assert len(chosen) == 2 and len(others) == 1

    cards = set()
    for client in chosen:
        me = client.get("/me").json()
        assert me["state"] == "recipient" and me["next_step"] == "buy_training"
        assert me["balance"] == BALANCE
        assert me["deadlines"] == [{"code": "FIRST_PURCHASE", "date": "2026-07-26"}]
        recipient = Recipient.objects.get(person__user__email=account(client)["email"])
        card = recipient.card_number
        assert re.fullmatch(r"5\d{15}", card) and luhn_valid(card)
        cards.add(card)
        emails, sms = results_sent_to(client)
        assert len(emails) == 1 and len(sms) == 1
        for message in emails + sms:
            assert "Selamat" in message and card in message and "26-07-2026" in message
    assert len(cards) == 2

    (left_out,) = others
    me = left_out.get("/me").json()
    assert (me["state"], me["next_step"], me["balance"], me["deadlines"]) == ("eligible", "apply", 0, [])
    application = outcomes[left_out]
    assert application["eligible"] is True and application["reason"] == "QUOTA_FILLED_IN_REGION"
    assert application["rank"] == 3
    emails, sms = results_sent_to(left_out)
    assert len(emails) == 1 and len(sms) == 1
    for message in emails + sms:
        assert "belum terpilih" in message and "QUOTA_FILLED_IN_REGION" in message

    # The money went state funding -> program budget -> the two recipients, nothing else.
    assert ledger.balance_of(ledger.system_account("state_funding")) == -2 * BALANCE
    assert ledger.balance_of(ledger.system_account("program_budget")) == 0
    assert LedgerAccount.objects.filter(kind=LedgerAccount.Kind.TRAINING_BALANCE, balance=BALANCE).count() == 2
    assert ledger.verify_balances() == []
    assert ledger.unbalanced_entries() == []


def test_not_selected_applicant_joins_the_next_batch_without_registering_again(
    api, verified_api, resident, frozen_clock
):
    frozen_clock(DURING)
    first, second = (participant(verified_api, resident, name=n) for n in ("Siti Rahayu", "Rina Marlina"))
    new_batch(1, quota=1)
    actions.open_batch(1)
    assert first.post("/batches/1/applications").status_code == 201
    assert second.post("/batches/1/applications").status_code == 201
    frozen_clock(AFTER)
    actions.close_batch(1)
    actions.select_batch(1)
    actions.announce_batch(1)
    winner, loser = sorted((first, second), key=lambda c: c.get("/me").json()["state"] != "recipient")

    new_batch(2, quota=1, opens=NEXT_OPENS, closes=NEXT_OPENS + dt.timedelta(days=7))
    actions.open_batch(2)
    frozen_clock(NEXT_OPENS + dt.timedelta(hours=1))
    response = loser.post("/batches/2/applications")
    assert response.status_code == 201, response.content
    assert response.json()["batch"] == 2 and response.json()["status"] == "applied"
    assert loser.get("/me").json()["state"] == "applied"
    refused = winner.post("/batches/2/applications")
    assert refused.status_code == 422 and codes(refused) == ["ALREADY_RECIPIENT"]

    frozen_clock(NEXT_OPENS + dt.timedelta(days=8))
    actions.close_batch(2)
    actions.select_batch(2)
    actions.announce_batch(2)
    me = loser.get("/me").json()
    assert me["state"] == "recipient" and me["balance"] == BALANCE
    history = loser.get("/me/applications").json()
    assert [(a["batch"], a["status"]) for a in history] == [(2, "selected"), (1, "not_selected")]


def test_ineligible_applicant_hears_every_failing_rule(verified_api, resident, frozen_clock):
    frozen_clock(DURING)
    new_batch(1, quota=5)
    actions.open_batch(1)
    # Seventy, a civil servant and a student: the journey completes, the batch refuses.
    client = participant(
        verified_api,
        resident,
        name="Slamet Riyadi",
        gender="M",
        birth_date=dt.date(1956, 1, 2),
        profile={"occupation": "civil_servant", "in_formal_education": True},
    )
    response = english(client).post("/batches/1/applications")
    assert response.status_code == 422
    assert codes(response) == ["AGE_OUT_OF_RANGE", "IN_FORMAL_EDUCATION", "EXCLUDED_OCCUPATION"]
    assert response.json()["errors"][0]["message"] == "Age must be 18 to 64 years."
    # Halfway through the journey: what is still missing, all at once.
    halfway = verified_api()
    assert halfway.put("/me/identity", resident(name="Rina Marlina")).status_code == 200
    assert halfway.put("/me/profile", PROFILE | {"occupation": "police"}).status_code == 200
    response = halfway.post("/batches/1/applications")
    assert response.status_code == 422
    assert codes(response) == ["DECLARATION_NOT_ACCEPTED", "TEST_NOT_TAKEN", "EXCLUDED_OCCUPATION"]
    assert not Application.objects.exists()


def test_applications_are_refused_outside_an_open_window(api, verified_api, resident, frozen_clock):
    frozen_clock(OPENS - dt.timedelta(days=2))
    client = participant(verified_api, resident)
    unknown = client.post("/batches/9/applications")
    assert (unknown.status_code, codes(unknown)) == (404, ["BATCH_NOT_FOUND"])
    new_batch(1, quota=3)
    draft = client.post("/batches/1/applications")
    assert (draft.status_code, codes(draft)) == (409, ["BATCH_NOT_OPEN"])

    actions.open_batch(1)  # open, but its window starts on 1 July 08:00 Jakarta time
    early = english(client).post("/batches/1/applications")
    assert (early.status_code, codes(early)) == (409, ["BATCH_NOT_IN_WINDOW"])
    assert early.json()["errors"][0]["message"] == (
        "Applications to this batch are accepted from 2026-07-01 08:00 to 2026-07-08 17:00."
    )
    assert listed(api, 1)["accepting_applications"] is False
    frozen_clock(OPENS - dt.timedelta(seconds=1))
    assert codes(client.post("/batches/1/applications")) == ["BATCH_NOT_IN_WINDOW"]
    frozen_clock(CLOSES)  # the closing instant itself is outside the window
    assert codes(client.post("/batches/1/applications")) == ["BATCH_NOT_IN_WINDOW"]
    frozen_clock(OPENS)
    assert listed(api, 1)["accepting_applications"] is True
    assert client.post("/batches/1/applications").status_code == 201
    again = client.post("/batches/1/applications")
    assert (again.status_code, codes(again)) == (409, ["ALREADY_APPLIED"])
    assert Application.objects.count() == 1

    frozen_clock(DURING)
    actions.close_batch(1)
    late = verified_api()
    closed = late.post("/batches/1/applications")
    assert (closed.status_code, codes(closed)) == (409, ["BATCH_NOT_OPEN"])
    assert Application.objects.count() == 1


@pytest.mark.parametrize("number", ["abc", "99999999999999999999999", "-1", "1.5"])
def test_malformed_batch_numbers_are_a_4xx_not_a_500(verified_api, number):
    client = verified_api()
    response = client.post(f"/batches/{number}/applications")
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["errors"][0]["code"] in {"BATCH_NOT_FOUND", "NOT_FOUND", "INVALID_TYPE", "INVALID_VALUE"}


def test_applying_needs_a_log_in(api, frozen_clock):
    frozen_clock(DURING)
    new_batch(1, quota=1)
    actions.open_batch(1)
    response = api.post("/batches/1/applications")
    assert (response.status_code, codes(response)) == (401, ["NOT_AUTHENTICATED"])
    assert not Application.objects.exists()


def test_family_card_cap_is_explained_to_the_third_member(verified_api, resident, frozen_clock):
    frozen_clock(DURING)
    kk = "3273010510180777"
    family = [
        participant(verified_api, resident, name=name, kk=kk, gender=gender)
        for name, gender in (("Budi Santoso", "M"), ("Sri Wahyuni", "F"), ("Agus Santoso", "M"))
    ]
    new_batch(1, quota=3)
    actions.open_batch(1)
    for client in family:
        assert client.post("/batches/1/applications").status_code == 201
    frozen_clock(AFTER)
    actions.close_batch(1)
    actions.select_batch(1)
    actions.announce_batch(1)
    results = [english(c).get("/me/applications").json()[0] for c in family]
    assert sorted(r["status"] for r in results) == ["not_selected", "selected", "selected"]
    (third,) = [r for r in results if r["status"] == "not_selected"]
    assert third["reason"] == "KK_QUOTA_REACHED" and third["eligible"] is False
    assert third["reason_message"] == "This family card already has 2 recipients."
    (left_out,) = [c for c, r in zip(family, results, strict=True) if r["status"] == "not_selected"]
    emails, sms = results_sent_to(left_out)
    assert len(emails) == len(sms) == 1
    assert "Sudah ada 2 penerima dalam satu Kartu Keluarga." in emails[0]
    # And the card stays full for later batches.
    new_batch(2, quota=3, opens=NEXT_OPENS, closes=NEXT_OPENS + dt.timedelta(days=7))
    actions.open_batch(2)
    frozen_clock(NEXT_OPENS + dt.timedelta(hours=1))
    response = left_out.post("/batches/2/applications")
    assert (response.status_code, codes(response)) == (422, ["KK_QUOTA_REACHED"])


def apply_through_api(user: User, number: int):
    client = Api()
    client.token = issue_token(user)
    return client.post(f"/batches/{number}/applications")


def test_waiting_for_a_result_blocks_joining_the_next_batch(frozen_clock):
    frozen_clock(DURING)
    call_command("generate_population", people=4, seed=611)
    new_batch(1, quota=4)
    actions.open_batch(1)
    users = [u for u in User.objects.filter(email__startswith="p611-").order_by("id") if _applied(u, 1)]
    assert len(users) >= 2
    frozen_clock(AFTER)
    actions.close_batch(1)
    new_batch(2, quota=4, opens=NEXT_OPENS, closes=NEXT_OPENS + dt.timedelta(days=7))
    actions.open_batch(2)
    frozen_clock(NEXT_OPENS + dt.timedelta(hours=1))
    for user in users:
        response = apply_through_api(user, 2)
        assert (response.status_code, codes(response)) == (409, ["APPLICATION_PENDING"])
    assert not Application.objects.filter(batch__number=2).exists()


def test_selected_but_not_yet_announced_gets_one_card_and_no_stray_money(frozen_clock):
    frozen_clock(DURING)
    call_command("generate_population", people=4, seed=612)
    new_batch(1, quota=4)
    actions.open_batch(1)
    users = [u for u in User.objects.filter(email__startswith="p612-").order_by("id") if _applied(u, 1)]
    frozen_clock(AFTER)
    actions.close_batch(1)
    actions.select_batch(1)  # the result is not announced yet
    chosen = [u for u in users if Application.objects.get(person__user=u, batch__number=1).status == "selected"]
    assert chosen
    new_batch(2, quota=4, opens=NEXT_OPENS, closes=NEXT_OPENS + dt.timedelta(days=7))
    actions.open_batch(2)
    frozen_clock(NEXT_OPENS + dt.timedelta(hours=1))
    joined = [u for u in users if apply_through_api(u, 2).status_code == 201]
    frozen_clock(NEXT_OPENS + dt.timedelta(days=8))
    actions.close_batch(2)
    actions.select_batch(2)
    actions.announce_batch(1)
    named = actions.announce_batch(2)
    assert named == Recipient.objects.filter(batch__number=2).count()
    for user in chosen:
        assert Recipient.objects.filter(person__user=user).count() == 1
        assert ledger.balance_of(ledger.account_for_person(user.person)) == BALANCE
    assert ledger.balance_of(ledger.system_account("program_budget")) == 0
    assert ledger.verify_balances() == []
    # The family-card cap holds across the two batches.
    per_card = Recipient.objects.values("kk_index").annotate(n=Count("id"))
    assert all(row["n"] <= 2 for row in per_card)
    for user in joined:  # two results, two messages each
        assert len(outbox.messages_for(user.email, "email")) == 2


def _applied(user: User, number: int) -> bool:
    """Apply; the generator makes a few people over 64, whom the rules refuse."""
    try:
        actions.apply(user, number)
    except DomainError as exc:
        assert exc.codes == ["AGE_OUT_OF_RANGE"]
        return False
    return True
