"""The access matrix: every URL pattern and every API operation, against every role.

For each page of the site (every pattern Django's resolver knows, the admin's
included) and each operation of the API's own OpenAPI schema, each caller —
a visitor, two participants, staff of two institutions and of a digital
platform, every PMO duty, regional officers of the participant's area and of
other areas, a ministry viewer, an auditor and the operator — makes the
request, and the test checks two things:

1. the status is what the policy below says for that role (the policy is
   written here, independently of the code, and a page missing from it fails
   the test, so a new page cannot arrive without a decision on who sees it);
2. no response to a caller who has no business with participant A contains
   any of A's personal data (NIK, KK, name, mother's name, address, email,
   phone), in any form.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from market import NAMED, client_for
from payouts import trained_recipients
from prakerja.accounts.models import ApiToken, User
from prakerja.catalog import actions as catalog
from prakerja.catalog.models import Institution
from prakerja.learning.models import Certificate, Purchase
from prakerja.regions.models import Regency
from prakerja.registry.models import Person
from staff import log_in_staff, make_staff

pytestmark = pytest.mark.django_db

PMO_ROLES = ("pmo", "pmo_curation", "pmo_selection", "pmo_finance_maker", "pmo_finance_checker", "pmo_support")
STAFF_CALLERS = (
    "institution_x",  # A bought a training here
    "institution_y",  # A never did
    "platform",
    *PMO_ROLES,
    "regional_home",  # A's province
    "regional_away",  # another province
    "regional_near",  # a regency of A's province that is not A's
    "ministry",
    "auditor",
    "superuser",
)
CALLERS = ("anonymous", "participant_a", "participant_b", *STAFF_CALLERS)
# Who may see participant A's personal data (each for their own work); everyone else must never see it.
MAY_SEE_A = {"participant_a", "institution_x", "pmo", "pmo_selection", "pmo_support", "regional_home", "superuser"}


@dataclass
class World:
    a: Person
    b: Person
    batch_number: int
    program_id: str
    class_code: str
    purchase_id: str
    voucher: str
    certificate_token: str
    clients: dict[str, Client] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    api_ids: dict[str, str] = field(default_factory=dict)  # API path parameter -> one of A's objects
    complaint_id: str = ""
    attachment_id: str = ""
    desk_id: str = ""
    registration_id: str = ""

    def secrets_of_a(self) -> list[str]:
        """A's personal data in every form it could be printed."""
        a, user = self.a, self.a.user
        values = [a.nik, a.kk_number, a.full_name, a.mother_name, a.address, user.email, user.phone]
        if user.phone and user.phone.startswith("+62"):
            values.append("0" + user.phone[3:])
        return [v for v in values if v and len(v) >= 6]


def _other_regency_in_province(province: str, not_this: str) -> str:
    return Regency.objects.filter(code__startswith=province).exclude(code=not_this).order_by("code").first().code


@pytest.fixture
def world(frozen_clock, provider) -> World:
    trained = trained_recipients(frozen_clock, provider, 4, seed=707)
    a = trained[0].person
    # B lives in another household: siblings share a family card, an address and a mother.
    b = next(t.person for t in trained[1:] if t.person.kk_number != a.kk_number and t.person.address != a.address)
    regency_a = a.ktp_district.regency_id if hasattr(a.ktp_district, "regency_id") else a.ktp_district.regency.code
    regency_a = str(Regency.objects.get(pk=regency_a).code) if not isinstance(regency_a, str) else regency_a
    province_a = regency_a[:2]
    purchase = Purchase.objects.filter(person=a).first()
    certificate = Certificate.objects.filter(purchase=purchase).first()
    batch_number = a.applications.order_by("-id").first().batch.number
    w = World(
        a=a,
        b=b,
        batch_number=batch_number,
        program_id=str(purchase.training_class.program.public_id),
        class_code=purchase.training_class.code,
        purchase_id=str(purchase.public_id),
        voucher=purchase.voucher_code,
        certificate_token=certificate.verify_token if certificate else "tidak-ada",
    )
    away = next(p for p in ("11", "31", "32", "51") if p != province_a)
    other = catalog.create_institution(
        legal_name="LPK Lain Sekali", licence_number="LPK/11/0009", district_code="110101"
    )
    platform = catalog.create_institution(legal_name="Platform Belajar", kind=Institution.Kind.PLATFORM)
    users: dict[str, User] = {
        "participant_a": a.user,
        "participant_b": b.user,
        "regional_home": make_staff("regional", "daerah.a@prakerja.test", region_code=province_a),
        "regional_away": make_staff("regional", "daerah.b@prakerja.test", region_code=away),
        "regional_near": make_staff(
            "regional", "daerah.c@prakerja.test", region_code=_other_regency_in_province(province_a, regency_a)
        ),
        "ministry": make_staff("ministry"),
        "auditor": make_staff("auditor"),
        "superuser": User.objects.create_superuser("operator@prakerja.test", "Operator#2024x"),
    }
    for role in PMO_ROLES:
        users[role] = make_staff(role)
    for name, institution in (
        ("institution_x", provider.institution),
        ("institution_y", other),
        ("platform", platform),
    ):
        user = make_staff("institution", f"{name}@prakerja.test")
        catalog.add_staff(institution, user)
        users[name] = User.objects.get(pk=user.pk)
    w.users = users
    add_complaint_and_help_desk(w, users["regional_home"], regency_a)
    w.clients["anonymous"] = Client(raise_request_exception=False)
    for name, user in users.items():
        client = Client(raise_request_exception=False)
        if name.startswith("participant"):
            client.force_login(user)
        else:
            log_in_staff(client, user)
        w.clients[name] = client
    frozen_clock(NAMED + dt.timedelta(days=6))
    return w


def add_complaint_and_help_desk(w: World, officer: User, regency: str) -> None:
    """A's complaint with an attachment, a help desk in A's regency and a registration started there."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from prakerja.complaints import actions as complaints
    from prakerja.helpdesk import actions as helpdesk
    from prakerja.helpdesk import consent

    evidence = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", content_type="application/pdf")
    filed = complaints.file_complaint(
        category="training",
        subject="Kelas dibatalkan",
        description="Kelas saya dibatalkan tanpa pemberitahuan.",
        reporter=w.a.user,
        files=[evidence],
    )
    w.complaint_id = str(filed.complaint.public_id)
    w.attachment_id = str(filed.complaint.messages.first().attachments.first().public_id)
    desk = helpdesk.save_desk(
        officer,
        None,
        {
            "regency": regency,
            "name": "Meja Layanan Disnaker",
            "address": "Jl. Merdeka 1",
            "opening_hours": "Senin–Jumat 08.00–15.00",
            "email": "disnaker@contoh.go.id",
            "active": True,
        },
    )
    w.desk_id = str(desk.public_id)
    registration = helpdesk.start(
        officer, desk, read_aloud=True, method="paper_form", reference="F-001", version=consent.CURRENT
    )
    w.registration_id = str(registration.public_id)
    w.api_ids = {"complaint_id": w.complaint_id, "attachment_id": w.attachment_id}


# --- the policy --------------------------------------------------------------------------------------------
ROLE_OF = {
    "participant_a": "participant",
    "participant_b": "participant",
    "institution_x": "institution",
    "institution_y": "institution",
    "platform": "platform",
    **{r: r for r in PMO_ROLES},
    "regional_home": "regional",
    "regional_away": "regional",
    "regional_near": "regional",
    "ministry": "ministry",
    "auditor": "auditor",
}
PARTICIPANTS = ("participant_a", "participant_b")
REGIONAL = ("regional_home", "regional_away", "regional_near")
Expect = dict[str, set[int]]


def holds(caller: str, *duties: str) -> bool:
    from prakerja.core import roles

    held = (
        roles.duties_of("", superuser=True)
        if caller == "superuser"
        else roles.DUTIES.get(ROLE_OF.get(caller, ""), set())
    )
    return any(d in held for d in duties)


def everyone(*ok: int) -> Expect:
    return {c: set(ok) for c in CALLERS}


def split(anonymous: int, participants: tuple[int, ...], staff: tuple[int, ...]) -> Expect:
    return (
        {"anonymous": {anonymous}}
        | {c: set(participants) for c in PARTICIPANTS}
        | {c: set(staff) for c in STAFF_CALLERS}
    )


def participant_page(owner: tuple[int, ...] = (200,), other: tuple[int, ...] | None = None) -> Expect:
    """A participant's own page; ``other`` is what participant B gets for A's object."""
    expect = split(302, owner, (403,))
    expect["participant_b"] = set(other or owner)
    return expect


def duty_page(*duties: str, ok: tuple[int, ...] = (200,)) -> Expect:
    expect: Expect = {"anonymous": {302}}
    for caller in CALLERS[1:]:
        expect[caller] = set(ok) if holds(caller, *duties) else {403}
    return expect


def regional_page(ok: tuple[int, ...] = (200,), pmo_too: bool = True) -> Expect:
    """Regional officers in their area; the program office's support desk sees every area."""
    expect: Expect = {"anonymous": {302}}
    for caller in CALLERS[1:]:
        allowed = caller in REGIONAL or (pmo_too and holds(caller, "support"))
        expect[caller] = set(ok) if allowed else {403}
    return expect


def in_home_area(officer: int, program_office: int) -> Expect:
    """An object in A's area: its officer gets ``officer``, the national support desk ``program_office``."""
    expect = regional_page() | {c: {404} for c in ("regional_away", "regional_near")}
    expect["regional_home"] = {officer}
    for caller in ("pmo", "pmo_support", "superuser"):
        expect[caller] = {program_office}
    return expect


POLICY: dict[str, Expect] = {
    # public
    "home": everyone(200),
    "health": everyone(200),
    "healthz": everyone(200),
    "readyz": everyone(200),
    # the test client is on loopback; production needs METRICS_TOKEN or METRICS_ALLOW_LOOPBACK=1
    "metrics": everyone(200),
    "accounts:register": everyone(200),
    "accounts:login": everyone(200),
    "accounts:logout": everyone(405),  # POST only
    "accounts:verify-email": everyone(400),  # a made-up token
    "password_reset": everyone(200),
    "password_reset_done": everyone(200),
    "password_reset_confirm": everyone(200),  # a made-up link: the page says it is invalid
    "password_reset_complete": everyone(200),
    "batches:list": everyone(200),
    "catalog:list": everyone(200),
    "catalog:detail": everyone(200),
    "certificate-verify": everyone(200),  # public by design: the holder hands the secret link to employers
    "set_language": everyone(302),
    "complaints:home": everyone(302),
    "complaints:new": everyone(200),
    "complaints:lookup": everyone(200),
    "helpdesk:directory": everyone(200),
    "reports:program": everyone(200),
    "reports:open-data": everyone(200),  # aggregate figures only, small cells suppressed
    "helpdesk:activate": everyone(400),  # a made-up activation link
    # one's own account
    "accounts:verify": split(302, (302,), (200,)),
    "accounts:two-factor": split(302, (302,), (200,)),
    "staff-home": split(302, (302,), (200,)),
    "complaints:mine": split(302, (200,), (200,)),
    # participants
    "dashboard": participant_page(),
    "registry:identity": participant_page(),
    "registry:profile": participant_page(),
    "registry:declaration": participant_page(),
    "registry:data-export": participant_page(),
    "aptitude:test": participant_page(),
    "batches:join": participant_page((405,)),
    "batches:result": participant_page(),
    "learning:buy": participant_page((405,)),
    "learning:mine": participant_page(),
    "learning:review": participant_page((405,)),
    "payments:incentives": participant_page(),
    "surveys:answer": participant_page((404,)),
    "certificate-pdf": participant_page((200,), other=(404,)),
    # complaint tickets: the reporter's own (A's ticket in this world); foreign tickets look missing
    "complaints:ticket": {c: {404} for c in CALLERS} | {"participant_a": {200}},
    "complaints:confirm": everyone(405),
    "complaints:reopen": everyone(405),
    "complaints:attachment": {c: {404} for c in CALLERS}
    | {c: {200} for c in ("participant_a", "pmo", "pmo_support", "superuser", "regional_home")},
    # program office, by duty
    "pmo:batches": duty_page("selection"),
    "pmo:batch": duty_page("selection"),
    "pmo:export": duty_page("selection"),
    "pmo:curation": duty_page("curation"),
    "pmo:curate": duty_page("curation", ok=(405,)),
    "pmo:coverage": duty_page("curation", "aggregates"),
    "pmo:purchases": duty_page("support"),
    "pmo:disbursements": duty_page("finance_maker", "finance_checker"),
    "pmo:disbursement": duty_page("finance_maker", "finance_checker", ok=(404,)),
    "pmo:reconciliation": duty_page("finance_maker", "finance_checker"),
    "complaints:staff-list": regional_page(),
    "complaints:staff-detail": regional_page() | {c: {404} for c in ("regional_away", "regional_near")},
    **{f"complaints:staff-{a}": everyone(405) for a in ("assign", "reply", "note", "escalate", "resolve", "close")},
    "reports:dashboard": duty_page("aggregates"),  # regional officers too, inside their area
    "reports:export": duty_page("aggregates"),
    "reports:refresh": duty_page("aggregates", ok=(405,)),  # POST only; the program office alone may ask
    "reports:planning": duty_page("aggregates"),  # a calculation on aggregate prices: every dashboard reader
    "reports:planning-export": duty_page("aggregates", ok=(400,)),  # no inputs given: INVALID_VALUE
    "reports:apbd": duty_page("regional"),  # only a regional officer enters their own area's APBD
    "reports:announcements": duty_page("support"),
    "audit:search": duty_page("audit"),
    "audit:export": duty_page("audit"),
    # institutions and digital platforms
    "portal:home": duty_page("portal"),
    "portal:completion": duty_page("portal"),
    "portal:statement": duty_page("portal"),
    **{f"portal:{p}": duty_page("portal", ok=(405,)) for p in ("program", "class", "cancel-class", "trainer", "venue")},
    # regional officers and help desks
    "regional-institutions": regional_page(),
    "helpdesk:desk-home": regional_page(),
    "helpdesk:desks": regional_page(),
    "helpdesk:report": regional_page(),
    "helpdesk:report-csv": regional_page(),
    "helpdesk:start": regional_page(pmo_too=False),
    "helpdesk:desk-new": regional_page(pmo_too=False),
    # A desk and a registration in A's regency: officers of other areas find nothing there; the program office
    # may look but not act; a step the registration has not reached sends the officer back to it (302).
    "helpdesk:registration": in_home_area(officer=200, program_office=200),
    "helpdesk:account": in_home_area(officer=200, program_office=403),
    "helpdesk:desk-edit": in_home_area(officer=200, program_office=403),
    **{f"helpdesk:{p}": in_home_area(officer=302, program_office=302) for p in ("contacts", "identity", "profile")},
    "helpdesk:photo": in_home_area(officer=404, program_office=403),  # no photo uploaded yet
    "helpdesk:registration-action": everyone(405),
    "helpdesk:photo-upload": everyone(405),
    "helpdesk:photo-discard": everyone(405),
}


def expected(name: str, caller: str) -> set[int]:
    if name.startswith("admin"):
        # The admin is the operator's alone (with two factors); everyone else is sent to its log-in.
        if name == "admin:login":
            return {302} if caller == "superuser" else {200}
        return {200, 302, 403, 404, 405} if caller == "superuser" else {302}
    return POLICY[name][caller]


# --- the pages --------------------------------------------------------------------------------------------------
def walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    """(route, name, pattern) for every page pattern; the API's patterns are covered by its schema."""
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            if route.startswith("api/"):
                continue
            yield from walk(p.url_patterns, route, ns)
        else:
            yield route, f"{namespace}{p.name}" if p.name else route, p


def fill(route: str, w: World) -> str:
    """A concrete path for a route: each parameter gets participant A's object where one exists."""
    values = {
        "number": str(w.batch_number),
        "program_id": w.program_id,
        "purchase_id": w.purchase_id,
        "code": w.class_code,
        "token": w.certificate_token,
        "uidb64": "MQ",
        "desk_id": w.desk_id,
        "rid": w.registration_id,
        "public_id": w.attachment_id if route.startswith("pengaduan/lampiran/") else w.complaint_id,
        "app_label": "registry",
        "object_id": "1",
        "content_type_id": "1",
    }

    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if name in values:
            return values[name]
        return str(uuid.uuid4()) if converter == "uuid" else "1"

    # Admin routes are regular expressions: fill their groups and drop the anchors.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "1"), route)
    path = re.sub(r"<(?:(\w+):)?(\w+)>", value, path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    return "/" + path


def observe(w: World) -> dict[tuple[str, str], tuple[int, str]]:
    seen = {}
    for route, name, _pattern in walk(get_resolver().url_patterns):
        path = fill(route, w)
        for caller in CALLERS:
            response = w.clients[caller].get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            seen[(name, caller)] = (response.status_code, body.decode("utf-8", "replace"))
    return seen


def test_every_page_against_every_role(world):
    seen = observe(world)
    unknown = sorted({name for name, _caller in seen if not name.startswith("admin") and name not in POLICY})
    assert not unknown, f"pages without an access policy: {unknown}"
    wrong = [
        f"{name} as {caller}: {status}, expected {sorted(expected(name, caller))}"
        for (name, caller), (status, _body) in seen.items()
        if status not in expected(name, caller)
    ]
    assert not wrong, "\n".join(wrong)
    secrets = world.secrets_of_a()
    leaks = [
        f"{name} → {caller}: {s!r}"
        for (name, caller), (_status, body) in seen.items()
        if caller not in MAY_SEE_A
        for s in secrets
        if s in body
    ]
    assert not leaks, "\n".join(leaks)


# --- the API ----------------------------------------------------------------------------------------------------
API_CALLERS = ("anonymous", "participant_a", "participant_b", "staff_token")
HIDDEN_OPERATIONS = [("POST", "/api/v1/integration/gateway/callback", {})]  # signed by the bank; not for partners


def api_operations() -> list[tuple[str, str, dict]]:
    from prakerja.api import api

    schema = api.get_openapi_schema()
    ops = [
        (method.upper(), path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    return ops + HIDDEN_OPERATIONS


def api_path(path: str, w: World) -> tuple[str, bool]:
    """The path with A's objects where the operation names one; True when it names one of A's."""
    values = {"number": str(w.batch_number), "program_id": w.program_id, "code": w.class_code}
    owned = {"purchase_id": w.purchase_id, "id": w.purchase_id}
    names_a = False

    def value(match: re.Match[str]) -> str:
        nonlocal names_a
        name = match.group(1)
        if name in owned and "/purchases/" in path:
            names_a = True
            return owned[name]
        if name in w.api_ids:
            names_a = True
            return w.api_ids[name]
        return values.get(name, str(uuid.uuid4()))

    return re.sub(r"\{(\w+)\}", value, path), names_a


def api_clients(w: World) -> dict[str, dict[str, str]]:
    """Headers per caller: participants hold bearer tokens; a token row forged for a staff account must not work."""
    import hashlib
    import secrets

    from prakerja.core import clock

    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=w.users["pmo"],
        token_hash=hashlib.sha256(raw.encode()).hexdigest(),
        created_at=clock.now(),
        expires_at=clock.now() + dt.timedelta(days=1),
    )
    headers = {"anonymous": {}, "staff_token": {"HTTP_AUTHORIZATION": f"Bearer {raw}"}}
    for name in ("participant_a", "participant_b"):
        headers[name] = {"HTTP_AUTHORIZATION": f"Bearer {client_for(w.users[name]).token}"}
    return headers


def test_every_api_operation_against_every_caller(world):
    headers = api_clients(world)
    client = Client(raise_request_exception=False)
    secrets = world.secrets_of_a()
    wrong, leaks = [], []
    for method, template, op in api_operations():
        path, names_a = api_path(template, world)
        secured = bool(op.get("security"))
        for caller in API_CALLERS:
            response = client.generic(method, path, b"{}", "application/json", **headers[caller])
            content = b"".join(response.streaming_content) if response.streaming else response.content
            status, body = response.status_code, content.decode("utf-8", "replace")
            label = f"{method} {template} as {caller}: {status}"
            if status >= 500:
                wrong.append(label + " (server error)")
            elif secured and caller in ("anonymous", "staff_token") and status != 401:
                wrong.append(label + ", expected 401")
            elif secured and caller.startswith("participant") and status in (401, 403):
                wrong.append(label + ", a participant's own operation refused")
            elif secured and caller == "participant_b" and names_a and status not in (404, 422):
                wrong.append(label + ", expected 404 for another participant's object")
            if caller != "participant_a":
                leaks += [f"{label}: {s!r}" for s in secrets if s in body]
    assert not wrong, "\n".join(wrong)
    assert not leaks, "\n".join(leaks)
