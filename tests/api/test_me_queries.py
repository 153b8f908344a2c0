"""``GET /api/v1/me`` reads each record once: the query count of a registered participant's read is pinned."""

from __future__ import annotations

import pytest

from conftest import PROFILE
from prakerja.aptitude.models import Question

pytestmark = pytest.mark.django_db(transaction=True)

# the token with its account (accounts.bearer's join), the person with recipient, current declaration,
# balance, recipients on the same family card, latest application and test attempts (registry.journey), all
# in one query
ME_QUERIES = 1


@pytest.fixture
def registered(verified_api, resident):
    """A participant with identity, profile, declaration and a finished test: every step done."""
    client = verified_api()
    assert client.put("/me/identity", resident()).status_code == 200
    assert client.put("/me/profile", PROFILE).status_code == 200
    version = client.get("/me/declaration").json()["version"]
    assert client.post("/me/declaration", {"version": version}).status_code == 200
    attempt = client.post("/me/test").json()
    key = dict(Question.objects.values_list("code", "answer"))
    answers = {q["code"]: key[q["code"]] for q in attempt["questions"]}
    assert client.post("/me/test/submit", {"answers": answers}).json()["finished"]
    client.get("/me")  # the program settings are read once per process and kept (core.program)
    return client


def test_me_of_a_registered_participant_is_a_handful_of_queries(registered, django_assert_max_num_queries):
    with django_assert_max_num_queries(ME_QUERIES):
        r = registered.get("/me")
    assert r.status_code == 200
    me = r.json()
    assert me["state"] == "eligible" and me["next_step"] == "apply" and me["eligible"] is True
    assert all(me["steps"].values())
    assert me["test"] == {"taken": True, "score": 20, "max_score": 20}
    assert me["identity"]["verified"] is True and me["profile"]["complete"] is True
    assert me["balance"] == 0 and me["deadlines"] == [] and me["reasons"] == []


def test_me_writes_nothing(registered, django_assert_num_queries):
    with django_assert_num_queries(ME_QUERIES) as captured:
        assert registered.get("/me").status_code == 200
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in captured.captured_queries)


def test_me_of_a_just_registered_account_writes_nothing(verified_api, django_assert_num_queries):
    """An account without a person yet (just registered) is read as an empty one: no row is created by a
    GET, and its answer is the first step still to do."""
    from prakerja.registry.models import Person

    client = verified_api()
    client.get("/me")  # the program settings are read once per process and kept (core.program)
    Person.objects.all().delete()  # as right after registering: no person row yet
    with django_assert_num_queries(ME_QUERIES) as captured:
        r = client.get("/me")
    assert r.status_code == 200
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in captured.captured_queries)
    assert not Person.objects.exists()
    me = r.json()
    assert me["state"] == "registering" and me["next_step"] == "identity"
    assert me["steps"] == {
        "verify_email": True,
        "verify_phone": True,
        "identity": False,
        "profile": False,
        "declaration": False,
        "test": False,
    }
    assert me["identity"]["verified"] is False and me["identity"]["nik"] is None
    assert me["balance"] == 0 and me["eligible"] is False


def test_the_first_write_still_creates_the_person(verified_api, resident):
    """Reading never created the person; the first step that writes does (``person_of``)."""
    from prakerja.registry.models import Person

    client = verified_api()
    Person.objects.all().delete()
    assert client.get("/me").json()["state"] == "registering"
    assert client.put("/me/identity", resident()).status_code == 200
    assert Person.objects.get().identity_verified_at is not None
    assert client.get("/me").json()["steps"]["identity"] is True
