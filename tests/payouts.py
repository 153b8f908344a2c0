"""Fixtures for incentives: the gateway simulator on loopback (a real HTTP server) wired in as the
platform's gateway, PMO officers for the four-eyes steps, and a recipient who completed and rated
the first training — made through the real purchase path."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from django.test import Client

from market import NAMED, approved_program, client_for, open_class, recipients_named
from prakerja.accounts.models import User
from prakerja.core import clock
from prakerja.core.program import change_setting
from prakerja.learning import actions as learning
from prakerja.payments.gateway import HttpGateway, callback_signature, use_gateway
from prakerja.payments.gateway_simulator import start_simulator
from prakerja.registry.models import Person

START = NAMED + dt.timedelta(days=5)


@pytest.fixture
def gateway_sim(settings):
    """The simulator on a free loopback port; the platform's gateway adapter points at it. It reads the
    platform's (movable) clock, so its statement days agree with the test's dates."""
    server = start_simulator(
        api_key="sim-key",
        callback_secret=settings.PAYMENT_GATEWAY_CALLBACK_SECRET,
        clock=lambda: clock.now().timestamp(),
    )
    settings.PAYMENT_GATEWAY_URL = server.url
    use_gateway(HttpGateway(url=server.url, api_key="sim-key", timeout=5))
    yield server
    use_gateway(None)
    server.stop()


@pytest.fixture
def quick_payouts(db):
    """Poll and retry at once: tests move no real minutes (the clock is frozen)."""
    change_setting("payout_poll_seconds", 0)
    change_setting("payout_retry_seconds", 0)


@pytest.fixture
def officers(db) -> tuple[User, User]:
    maker = User.objects.create_user("maker@prakerja.test", "x" * 12, role=User.Role.PMO)
    checker = User.objects.create_user("checker@prakerja.test", "x" * 12, role=User.Role.PMO)
    return maker, checker


@dataclass
class Trained:
    user: User
    person: Person
    purchase_id: str


def trained_recipients(frozen_clock, provider, people: int, seed: int) -> list[Trained]:
    """Recipients who bought, attended, completed and rated their first training."""
    users = recipients_named(frozen_clock, people, seed=seed)
    program = approved_program(provider, price=1_500_000)
    training_class = open_class(provider, program, start=START, capacity=max(10, people))
    done = []
    for user in users:
        purchase = client_for(user).post("/me/purchases", {"class_code": training_class.code}).json()
        done.append((user, purchase))
    for sequence in (1, 2):
        for user, purchase in done:
            code = next(c for c in purchase["redeem_codes"] if c["sequence"] == sequence)
            frozen_clock(dt.datetime.fromisoformat(code["session_starts_at"]) - dt.timedelta(minutes=30))
            learning.commit_redeem(provider.institution, code["code"], sequence)
    out = []
    for user, purchase in done:
        learning.complete(provider.institution, purchase["voucher_code"])
        reviewed = client_for(user).post(
            f"/me/purchases/{purchase['id']}/review", {"rating": 5, "text": "Sangat bermanfaat untuk usaha saya."}
        )
        assert reviewed.status_code == 201, reviewed.content
        out.append(Trained(user, Person.objects.get(user=user), purchase["id"]))
    return out


def book_account(server, person: Person, *, provider: str = "bca", number: str = "1234567890", **extra) -> dict:
    """Open the person's account at the simulated bank; returns the PUT /me/payout-account body."""
    account = {
        "provider": provider,
        "account_number": number,
        "holder_name": person.full_name.upper(),
        "holder_nik": person.nik,
        "phone": person.user.phone,
    } | extra
    server.simulator.add_accounts([account])
    return {"provider": provider, "account_number": number, "holder_name": person.full_name}


def post_callback(payload: dict, signature: str | None = None):
    """The bank's signed status callback for ``payload`` (``signature`` to forge one)."""
    body = json.dumps(payload).encode()
    return Client().post(
        "/api/v1/integration/gateway/callback",
        data=body,
        content_type="application/json",
        headers={"X-Gateway-Signature": signature if signature is not None else callback_signature(body)},
    )
