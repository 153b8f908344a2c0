"""The state the API fuzzer starts each operation from.

A market (an institution with partner credentials, approved offline and webinar programs with
open classes, a batch open for applications) and, for the participant runs, two participants:
an applicant part-way through the aptitude test (answers can be saved) and a trainee who passed,
was selected and named a recipient, and bought a class (so their purchases, redeem codes,
balance and payments are not empty).

Everything is made through the platform's own actions and API, as a participant or an operator
would, so the fuzzer meets the rows the platform really writes. Built inside each test's
transaction (rolled back afterwards), on a frozen clock: for the participant and partner runs,
the moment the trainee's first session starts.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from conftest import PASSWORD, PROFILE, Api, email_token, last_sms_code
from market import CLOSES, NAMED, OPENS, Provider, approved_program, open_class
from prakerja.accounts.models import User
from prakerja.aptitude.models import Question
from prakerja.batches import actions as batches
from prakerja.catalog import actions as catalog
from prakerja.catalog.models import Institution, TrainingClass
from prakerja.learning import actions as learning
from prakerja.registry.actions import person_of

PAST_BATCH, OPEN_BATCH = 1, 2
_serial = itertools.count(1)


@dataclass
class Market:
    institution: Institution
    offline_class: TrainingClass
    open_batch: int


@dataclass
class World:
    market: Market
    applicant: str  # bearer tokens
    trainee: str
    partner_codes: list[str]  # the trainee's voucher and redeem codes, at the market's institution


def build_market(frozen_clock: Callable[[dt.datetime], None]) -> Market:
    """At NAMED: the catalog has an offline and a webinar class open, and a batch takes applications."""
    frozen_clock(NAMED)
    batches.create_batch(number=OPEN_BATCH, quota=10, opens_at=NAMED, closes_at=NAMED + dt.timedelta(days=7))
    batches.open_batch(OPEN_BATCH)
    institution = catalog.create_institution(
        legal_name="LPK Uji Coba", licence_number="LPK/32/0999", district_code="327301", email="lpk-uji@contoh.id"
    )
    provider = Provider(
        institution,
        [
            catalog.add_trainer(institution, full_name=name, certificate_number=f"BNSP-{n}")
            for n, name in enumerate(("Ahmad Fauzi", "Dewi Lestari"), start=1)
        ],
        catalog.add_venue(institution, name="Ruang A", district_code="327301", capacity=30),
    )
    offline = open_class(
        provider, approved_program(provider, mode="offline", price=700_000), start=NAMED + dt.timedelta(days=3)
    )
    open_class(provider, approved_program(provider, mode="webinar", price=500_000), start=NAMED + dt.timedelta(days=4))
    return Market(institution, offline, OPEN_BATCH)


def _participant(run_on_commit, resident, name: str) -> tuple[Api, User]:
    """Registered, email and phone verified, identity checked, profile saved, declaration accepted."""
    n = next(_serial)
    email, phone = f"fuzz{n}@contoh.id", f"08129{n:07d}"
    api = Api()
    with run_on_commit(execute=True):  # the verification email and SMS go out on commit
        assert api.post("/auth/register", {"email": email, "password": PASSWORD, "phone": phone}).status_code == 201
    api.token = api.post("/auth/token", {"email": email, "password": PASSWORD}).json()["token"]
    with run_on_commit(execute=True):
        assert api.post("/auth/verify-email", {"token": email_token(email)}).status_code == 200
        user = User.objects.get(email=email)
        assert api.post("/auth/verify-phone", {"code": last_sms_code(user.phone)}).status_code == 200
    assert api.put("/me/identity", resident(name=name)).status_code == 200
    assert api.put("/me/profile", PROFILE).status_code == 200
    version = api.get("/me/declaration").json()["version"]
    assert api.post("/me/declaration", {"version": version}).status_code == 200
    return api, user


def build_world(frozen_clock: Callable[[dt.datetime], None], resident, run_on_commit) -> World:
    frozen_clock(OPENS)
    applicant, _ = _participant(run_on_commit, resident, "Ani Lestari")
    assert applicant.post("/me/test").status_code == 200  # left open: its answers are fuzzed
    trainee, trainee_user = _participant(run_on_commit, resident, "Budi Santoso")
    attempt = trainee.post("/me/test").json()
    key = dict(Question.objects.values_list("code", "answer"))
    answers = {q["code"]: key[q["code"]] for q in attempt["questions"]}
    assert trainee.post("/me/test/submit", {"answers": answers}).json()["finished"]

    batches.create_batch(number=PAST_BATCH, quota=10, opens_at=OPENS, closes_at=CLOSES)
    batches.open_batch(PAST_BATCH)
    assert trainee.post(f"/batches/{PAST_BATCH}/applications").status_code == 201
    frozen_clock(CLOSES + dt.timedelta(hours=1))
    batches.close_batch(PAST_BATCH)
    batches.select_batch(PAST_BATCH)
    frozen_clock(NAMED)
    batches.announce_batch(PAST_BATCH)

    market = build_market(frozen_clock)
    purchase = learning.buy(person_of(trainee_user), market.offline_class.code)
    redeem_codes = list(purchase.redeem_codes.order_by("sequence"))
    codes = [purchase.voucher_code, *(code.code for code in redeem_codes)]
    # The fuzzer runs as the first session starts: its redeem code can be committed.
    frozen_clock(redeem_codes[0].starts_at)
    assert applicant.token and trainee.token
    return World(market, applicant.token, trainee.token, codes)
