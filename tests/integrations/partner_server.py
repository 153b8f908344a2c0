"""A real HTTP server for the partner API tests, and a scene to point partner clients at.

The server is Django's live-server thread, answering with a request handler that keeps the
``client_code``, ``timestamp`` and ``signature`` headers (underscored names, which Django's own
handler drops) — ``prakerja runserver``'s handler. It runs in this process, so the platform clock
frozen by a test is the server's clock too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler, _StaticFilesHandler

from market import NAMED, Provider, approved_program, open_class, recipients_named
from partner_clients import Credentials, Prepared, Reply, send
from prakerja.catalog import actions as catalog
from prakerja.catalog.models import Institution, TrainingClass
from prakerja.core import clock
from prakerja.integrations.devserver import PartnerHeadersMixin
from prakerja.learning import actions
from prakerja.learning.models import Purchase, RedeemCode

START = NAMED + dt.timedelta(days=5)  # 15 July 2026, 10:00 Jakarta; sessions on 15 and 16 July


class PartnerRequestHandler(PartnerHeadersMixin, QuietWSGIRequestHandler):
    pass


class PartnerLiveServerThread(LiveServerThread):
    server_class = ThreadedWSGIServer
    handler_class: type = PartnerRequestHandler

    def _create_server(self, connections_override=None):
        return self.server_class(
            (self.host, self.port),
            self.handler_class,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@contextmanager
def partner_server(handler: type = PartnerRequestHandler) -> Iterator[str]:
    """Serve the whole site on 127.0.0.1 (a free port) for the duration; yields the base URL."""
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    thread = PartnerLiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override=shared)
    thread.handler_class = handler
    thread.daemon = True
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()


def credentials(institution: Institution) -> Credentials:
    institution.refresh_from_db()
    return Credentials(institution.client_code, institution.sign_key)


def now() -> float:
    """What a partner's machine reads as the time: the platform's (frozen) clock."""
    return clock.now().timestamp()


@dataclass
class Scene:
    base_url: str
    creds: Credentials
    provider: Provider
    training_class: TrainingClass
    purchases: list[Purchase]

    def send(self, request: Prepared, *, accept_language: str | None = None) -> Reply:
        return send(self.base_url, request, accept_language=accept_language)

    def codes(self, purchase: Purchase) -> list[RedeemCode]:
        return list(purchase.redeem_codes.select_related("session").order_by("session__sequence"))

    def code(self, n: int = 0, sequence: int = 1) -> RedeemCode:
        return self.codes(self.purchases[n])[sequence - 1]


def scene(base_url: str, frozen_clock, provider: Provider, *, people: int = 3, seed: int) -> Scene:
    """The recipients among ``people`` generated residents (at least two), each having bought the
    provider's two-session offline class."""
    users = recipients_named(frozen_clock, people, seed=seed)
    assert len(users) >= 2, f"seed {seed} gives {len(users)} recipient(s) of {people}; pick another seed"
    training_class = open_class(provider, approved_program(provider, price=1_000_000), start=START)
    purchases = [actions.buy(user.person, training_class.code) for user in users]
    return Scene(base_url, credentials(provider.institution), provider, training_class, purchases)


def other_institution() -> Institution:
    return catalog.create_institution(
        legal_name="LPK Sejahtera Abadi", licence_number="LPK/32/0002", district_code="327301", email="lpk2@contoh.id"
    )
