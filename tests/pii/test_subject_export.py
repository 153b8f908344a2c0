"""The data-subject export: everything about the participant, nothing about anyone else, audited."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from pii_world import participant

from conftest import Api
from market import client_for
from payouts import book_account, trained_recipients
from prakerja.accounts.models import User
from prakerja.complaints.actions import file_complaint
from prakerja.core.models import AuditEvent
from prakerja.registry.models import Person
from staff import log_in_staff, make_staff

pytestmark = pytest.mark.django_db


def exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="personal_data.subject_export").order_by("id"))


def test_a_recipient_gets_everything_about_them_and_nothing_about_anyone_else(frozen_clock, provider, gateway_sim):
    me_trained, other_trained, *_rest = trained_recipients(frozen_clock, provider, 4, seed=611)
    me, other = me_trained.person, other_trained.person
    client = client_for(me_trained.user)
    body = book_account(gateway_sim, me, number="1234567890")
    assert client.put("/me/payout-account", body).status_code == 200
    other_client = client_for(other_trained.user)
    assert (
        other_client.put("/me/payout-account", book_account(gateway_sim, other, number="9876543210")).status_code == 200
    )

    response = client.get("/me/data-export")
    assert response.status_code == 200, response.content
    document = response.json()
    text = json.dumps(document, ensure_ascii=False)
    assert document["format"] == "prakerja.personal-data-export/1"

    # Account, without its secrets.
    account = document["account"]
    assert (account["email"], account["phone"]) == (me.user.email, me.user.phone)
    assert "password" not in account and me.user.password not in text
    # Identity in full: the participant's own.
    identity = document["identity"]
    assert (identity["nik"], identity["kk_number"], identity["full_name"]) == (me.nik, me.kk_number, me.full_name)
    assert identity["id"] == str(me.public_id) and document["profile"]["occupation"] == me.occupation
    assert [d["version"] for d in document["declarations"]] == list(me.declarations.values_list("version", flat=True))
    assert len(document["aptitude_tests"]) == 1
    # The batch, the card, the training, the money.
    (application,) = document["applications"]
    assert application["status"] == "selected" and application["id"] == str(me.applications.get().public_id)
    card = me.recipient.card_number
    assert document["recipient"]["card_number"] == "*" * 12 + card[-4:] and card not in text
    (training,) = document["trainings"]
    assert training["id"] == me_trained.purchase_id and training["status"] == "completed"
    assert training["review"]["text"] == "Sangat bermanfaat untuk usaha saya."
    assert [s["attended_at"] is not None for s in training["sessions"]] == [True, True]
    money = document["money"]
    assert money["payout_account"]["account_number"] == "******7890" and "1234567890" not in text
    assert [(e["kind"], e["status"]) for e in money["entitlements"]] == [("training", "due")]
    assert money["ledger"] and all(line["amount"] for line in money["ledger"])
    assert money["training_balance"] == 3_500_000 - training["price"]
    # The audit trail about them: their own actions, the system's, none naming a staff member.
    trail = document["audit_trail"]
    actions = {e["action"] for e in trail}
    assert {"payout_account.verified", "batch.applied"} <= actions
    assert {e["by"] for e in trail} <= {"self", "system", "staff"}

    # Nothing about the other recipient (who may share the family card: that number is also the participant's).
    for value in (other.nik, other.full_name, other.user.email, other.user.phone, "9876543210"):
        assert value not in text
    assert other.kk_number == me.kk_number or other.kk_number not in text
    assert str(other.public_id) not in text and other_trained.purchase_id not in text

    # Audited: who took it, through which door; the document itself is not in the log.
    (event,) = exports()
    assert (event.actor, event.object_id, event.after["channel"]) == (me.user, str(me.public_id), "api")
    assert me.nik not in json.dumps(event.after)


def test_the_export_needs_the_participants_own_token(api):
    assert api.get("/me/data-export").status_code == 401
    assert exports() == []


@pytest.mark.django_db(transaction=True)
def test_a_participant_downloads_it_from_the_dashboard(settings, verified_api, resident):
    settings.ROOT_URLCONF = "export_urls"
    client, identity = participant(verified_api, resident)
    person = Person.objects.get()
    browser = Client()
    browser.force_login(person.user)
    dashboard = browser.get("/dasbor/").content.decode()
    assert 'href="/peserta/data-saya/"' in dashboard
    filed = file_complaint(
        category="training", subject="Kelas dibatalkan", description="Kelas saya dibatalkan tanpa kabar.",
        reporter=person.user, name="", email="", phone="", regency_code="", files=[], actor=person.user, ip=None,
    ).complaint  # fmt: skip
    response = browser.get("/peserta/data-saya/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="data-pribadi-prakerja.json"'
    assert response["Cache-Control"] == "no-store"
    document = json.loads(response.content)
    assert document["identity"]["nik"] == identity["nik"] and document["account"]["email"] == person.user.email
    assert [e.after["channel"] for e in exports()] == ["web"]
    (complaint,) = document["complaints"]
    assert (complaint["number"], complaint["subject"]) == (filed.number, "Kelas dibatalkan")
    assert any(e["object_id"] == str(filed.public_id) for e in document["audit_trail"])
    assert document["assisted_registration"] is None
    # Not a page for visitors, nor for staff (whose accounts are never turned into participants).
    assert Client().get("/peserta/data-saya/").status_code == 302
    assert log_in_staff(Client(), make_staff(User.Role.PMO_SUPPORT)).get("/peserta/data-saya/").status_code == 403
    assert isinstance(client, Api)


def test_without_the_route_the_dashboard_shows_no_broken_link(settings):
    from export_urls import WithoutExport

    settings.ROOT_URLCONF = WithoutExport
    user = User.objects.create_user("baru@contoh.id", "x" * 12)
    browser = Client()
    browser.force_login(user)
    response = browser.get("/dasbor/")
    assert response.status_code == 200 and b"data-export" not in response.content
