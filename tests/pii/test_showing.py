"""Who sees a NIK or KK number in full: the person; staff whose role needs it, for a stated purpose,
each view audited; everyone else sees ``3174********0001``."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from pii_world import participant

from prakerja.accounts.models import User
from prakerja.core import pii
from prakerja.core.models import AuditEvent
from prakerja.registry.models import Person
from staff import make_staff

pytestmark = pytest.mark.django_db(transaction=True)

TAG = Template("{% load identity %}[{% identity_number person kind purpose=purpose %}]")


def render(user, person, kind, purpose=None) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    return TAG.render(Context({"request": request, "person": person, "kind": kind, "purpose": purpose}))


def views() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="personal_data.view").order_by("id"))


def test_staff_see_numbers_masked_unless_their_role_needs_them_and_says_why(verified_api, resident):
    _client, identity = participant(verified_api, resident)
    person = Person.objects.get()
    nik, kk = identity["nik"], identity["kk_number"]
    masked_nik = f"{nik[:4]}********{nik[12:]}"

    support = make_staff(User.Role.PMO_SUPPORT)
    assert render(support, person, "nik") == f"[{masked_nik}]"  # no purpose: masked
    assert views() == []
    assert render(support, person, "nik", "complaint:PGD-2026-000001") == f"[{nik}]"
    assert render(support, person, "kk", "complaint:PGD-2026-000001") == f"[{kk}]"
    first, second = views()
    assert (first.actor, first.object_type, first.object_id) == (support, "registry.person", str(person.public_id))
    assert first.after == {"fields": ["nik"], "purpose": "complaint:PGD-2026-000001"}
    assert second.after["fields"] == ["kk_number"] and first.ip == "10.1.2.3"
    assert nik not in str(first.after) and kk not in str(second.after)

    # Roles whose work needs no full number see it masked, whatever purpose they give.
    for role in (User.Role.MINISTRY, User.Role.REGIONAL, User.Role.PMO_FINANCE_MAKER, User.Role.AUDITOR):
        officer = make_staff(role)
        assert render(officer, person, "nik", "curiosity") == f"[{masked_nik}]"
        assert render(officer, person, "kk", "curiosity") == f"[{kk[:4]}********{kk[12:]}]"
    inactive = make_staff(User.Role.PMO, is_active=False)
    assert render(inactive, person, "nik", "complaint:1") == f"[{masked_nik}]"
    assert len(views()) == 2

    # The person sees their own in full, and that is no staff view to audit.
    assert render(person.user, person, "nik") == f"[{nik}]"
    assert len(views()) == 2
    # Another participant sees it masked.
    _other, _ = participant(verified_api, resident)
    stranger = Person.objects.exclude(pk=person.pk).get().user
    assert pii.shown(stranger, person, "nik", purpose="x") == masked_nik
    assert render(person.user, Person(user=person.user), "nik") == "[]"  # nothing stored, nothing shown


def test_the_participant_sees_their_numbers_in_full_on_their_identity_page_and_masked_on_the_dashboard(
    verified_api, resident
):
    client, identity = participant(verified_api, resident)
    user = User.objects.get(person__isnull=False)
    browser = Client()
    browser.force_login(user)
    page = browser.get("/peserta/identitas/").content.decode()
    assert identity["nik"] in page and identity["kk_number"] in page
    dashboard = browser.get("/dasbor/").content.decode()
    assert identity["nik"] not in dashboard and identity["kk_number"] not in dashboard
    assert f"{identity['nik'][:4]}********{identity['nik'][12:]}" in dashboard
    # The title is the title (an incentives card had slipped into it).
    assert "<title>Dasbor" in dashboard and "inc-h" not in dashboard.split("</title>")[0]
    # The API gives the owner their own numbers.
    me = client.get("/me").json()["identity"]
    assert (me["nik"], me["kk_number"]) == (identity["nik"], identity["kk_number"])
    assert me["nik_masked"] == pii.mask(identity["nik"])
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()
