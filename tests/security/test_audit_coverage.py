"""Every state change leaves an audit row: a whole program journey is run through the platform's own
actions (population, batch, selection, announcement, purchase, attendance, completion, review,
complaint, help desk) while every row written is watched; each changed object must then have an audit
entry naming it — except the rows listed below, each with the reason it needs none of its own."""

from __future__ import annotations

import pytest
from django.db.models.signals import post_delete, post_save
from test_access_matrix import world  # noqa: F401 - the fixture

from prakerja.core.models import AuditEvent

pytestmark = pytest.mark.django_db

# model label -> why it has no audit row of its own
EXEMPT = {
    "sessions.session": "technical: a log-in session",
    "accounts.apitoken": "a credential (only its hash); issuing one is audited on the user",
    "otp_totp.totpdevice": "enrolment is audited on the user; the device's counters move at every log-in",
    "payments.ledgeraccount": "opened at its first posting; every movement is an append-only journal entry",
    "batches.recipient": "named by the batch's announcement (audited on the batch, with the selection digest)",
    "learning.certificate": "issued by the completion, audited on the purchase",
    "complaints.complaintmessage": "the thread of a complaint: filing and replies are audited on the complaint",
    "complaints.ticketcounter": "technical: the yearly counter behind ticket numbers",
    "accounts.phoneotp": "a one-time code's hash; the verification it allows is audited on the user",
    "registry.declaration": "the accepted text version, audited on the person (declaration.accepted)",
    "registry.civilregistryrecord": "the civil registry's local double: the outside world, not the platform's state",
}


@pytest.fixture
def watched():
    changed: dict[tuple[str, str], set[str]] = {}

    def saw(sender, instance, update_fields=None, **kwargs):
        label = sender._meta.label_lower
        if label == "core.auditevent" or (update_fields and set(update_fields) <= {"last_login"}):
            return
        if label == "accounts.user" and instance.role != "participant":
            return  # staff accounts are made by the operator in the admin (its own log records it)
        ids = {str(instance.pk)}
        if getattr(instance, "public_id", None):
            ids.add(str(instance.public_id))
        changed.setdefault((label, str(instance.pk)), set()).update(ids)

    post_save.connect(saw, dispatch_uid="audit-coverage-save")
    post_delete.connect(saw, dispatch_uid="audit-coverage-delete")
    yield changed
    post_save.disconnect(dispatch_uid="audit-coverage-save")
    post_delete.disconnect(dispatch_uid="audit-coverage-delete")


def register_through_the_actions(resident, capture) -> None:
    """One person's own registration: account, email link, SMS code, identity, profile, declaration."""
    import datetime as dt

    from conftest import PASSWORD, PROFILE, last_sms_code
    from prakerja.accounts import actions as accounts
    from prakerja.registry import actions as registry

    identity = resident(name="Dewi Anggraini", district="317401")
    with capture(execute=True):
        user = accounts.register("dewi.audit@contoh.id", PASSWORD, "081299887766")
    accounts.verify_email(accounts.email_token(user))
    accounts.verify_phone(user, last_sms_code(user.phone))
    user.refresh_from_db()
    registry.submit_identity(user, identity | {"birth_date": dt.date.fromisoformat(identity["birth_date"])})
    registry.save_profile(user, PROFILE)
    registry.accept_declaration(user, registry.current_declaration_version())


def test_every_changed_object_has_an_audit_entry(watched, world, resident, django_capture_on_commit_callbacks):  # noqa: F811
    register_through_the_actions(resident, django_capture_on_commit_callbacks)
    seen = {label for label, _pk in watched}
    # The journey really ran through the actions that matter (else this test would prove nothing).
    for label in (
        "registry.person",
        "batches.batch",
        "batches.application",
        "learning.purchase",
        "complaints.complaint",
        "helpdesk.helpdesk",
        "helpdesk.assistedregistration",
    ):
        assert label in seen, label
    audited = set(AuditEvent.objects.values_list("object_type", "object_id"))
    missing: dict[str, int] = {}
    for (label, _pk), ids in watched.items():
        if label in EXEMPT:
            continue
        if not any((label, i) in audited for i in ids):
            missing[label] = missing.get(label, 0) + 1
    assert not missing, "\n".join(f"{k}: {v}" for k, v in sorted(missing.items()))


def test_staff_views_and_exports_of_personal_data_are_audited(world):  # noqa: F811
    def audit_rows(action: str) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(action=action).order_by("id"))

    support = world.clients["pmo_support"]
    assert support.get(f"/pmo/pengaduan/{world.complaint_id}/").status_code == 200
    viewed = audit_rows("personal_data.view")[-1]
    assert viewed.actor == world.users["pmo_support"] and viewed.after["purpose"].startswith("complaint:")

    selection = world.clients["pmo_selection"]
    response = selection.get(f"/pmo/gelombang/{world.batch_number}/ekspor.csv")
    assert response.status_code == 200
    b"".join(response.streaming_content) if response.streaming else response.content
    exported = audit_rows("personal_data.export")[-1]
    assert exported.actor == world.users["pmo_selection"] and exported.after["rows"] >= 2
    assert exported.object_id == f"batch {world.batch_number} applications"
