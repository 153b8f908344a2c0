"""Helpers of the personal-data tests: participants made through the real journey, a batch they join,
the selection and the announcement that names them."""

from __future__ import annotations

import datetime as dt

from conftest import PROFILE, Api
from prakerja.batches import actions as batches

UTC = dt.UTC
OPENS = dt.datetime(2026, 7, 1, 1, 0, tzinfo=UTC)
CLOSES = dt.datetime(2026, 7, 8, 10, 0, tzinfo=UTC)
DURING = OPENS + dt.timedelta(hours=2)
AFTER = CLOSES + dt.timedelta(hours=1)
NAMED = dt.datetime(2026, 7, 10, 3, 0, tzinfo=UTC)


def participant(verified_api, resident, **person) -> tuple[Api, dict]:
    """Someone who went through the whole registration journey; returns the client and the identity typed."""
    client = verified_api()
    identity = resident(**person)
    response = client.put("/me/identity", identity)
    assert response.status_code == 200, response.content
    assert client.put("/me/profile", PROFILE).status_code == 200
    version = client.get("/me/declaration").json()["version"]
    assert client.post("/me/declaration", {"version": version}).status_code == 200
    assert client.post("/me/test").status_code == 200
    assert client.post("/me/test/submit", {"answers": {}}).status_code == 200
    return client, identity


def open_batch(number: int, quota: int = 10) -> None:
    batches.create_batch(number=number, quota=quota, opens_at=OPENS, closes_at=CLOSES)
    batches.open_batch(number)


def apply(client: Api, number: int) -> dict:
    response = client.post(f"/batches/{number}/applications")
    assert response.status_code == 201, response.content
    return response.json()


def select_and_announce(frozen_clock, number: int) -> None:
    frozen_clock(AFTER)
    batches.close_batch(number)
    batches.select_batch(number)
    frozen_clock(NAMED)
    batches.announce_batch(number)
