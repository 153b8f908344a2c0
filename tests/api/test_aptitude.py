"""The basic aptitude test (TKD): questions, saving answers, scoring, server-side timing, periods."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import PROFILE, Api, codes
from prakerja.aptitude.models import Attempt, Question
from prakerja.core.models import AuditEvent
from prakerja.core.program import change_setting

pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2030, 1, 20, 2, 0, tzinfo=dt.UTC)  # 09:00 in Jakarta
DEADLINE = dt.timedelta(minutes=40)
GRACE = dt.timedelta(seconds=120)


@pytest.fixture
def candidate(verified_api, resident):
    """Make a participant who has reached the test step (identity, profile, declaration done)."""

    def make() -> Api:
        client = verified_api()
        assert client.put("/me/identity", resident()).status_code == 200
        assert client.put("/me/profile", PROFILE).status_code == 200
        version = client.get("/me/declaration").json()["version"]
        assert client.post("/me/declaration", {"version": version}).status_code == 200
        assert client.get("/me").json()["next_step"] == "test"
        return client

    return make


def key() -> dict[str, int]:
    return dict(Question.objects.values_list("code", "answer"))


def right(codes_: list[str]) -> dict[str, int]:
    answers = key()
    return {c: answers[c] for c in codes_}


def wrong(codes_: list[str]) -> dict[str, int]:
    choices = dict(Question.objects.values_list("code", "choices"))
    answers = key()
    return {c: (answers[c] + 1) % len(choices[c]) for c in codes_}


def start(client: Api) -> tuple[dict, list[str]]:
    r = client.post("/me/test")
    assert r.status_code == 200, r.content
    attempt = r.json()
    return attempt, [q["code"] for q in attempt["questions"]]


def only(response) -> tuple[int, str, str | None]:
    [error] = response.json()["errors"]
    return response.status_code, error["code"], error["field"]


def test_start_gives_twenty_questions_without_answers(candidate, frozen_clock):
    frozen_clock(T0)
    attempt, asked = start(candidate())
    assert len(asked) == len(set(asked)) == 20
    assert [q["section"] for q in attempt["questions"]] == ["verbal"] * 10 + ["quantitative"] * 10
    for question in attempt["questions"]:
        assert set(question) == {"code", "section", "text", "choices"}
        assert question["text"] and len(question["choices"]) >= 2
    assert attempt["answers"] == {} and attempt["score"] is None and attempt["max_score"] == 20
    assert attempt["finished"] is False and attempt["late"] is False
    assert attempt["seconds_left"] == 40 * 60
    assert attempt["period"] == "2030"
    assert dt.datetime.fromisoformat(attempt["deadline_at"]) == T0 + DEADLINE


def test_starting_again_resumes_the_same_attempt(candidate, frozen_clock):
    frozen_clock(T0)
    client = candidate()
    first, asked = start(client)
    frozen_clock(T0 + dt.timedelta(minutes=10))
    again, asked_again = start(client)
    assert again["id"] == first["id"] and asked_again == asked
    assert again["deadline_at"] == first["deadline_at"]
    assert again["seconds_left"] == 30 * 60
    assert client.get("/me/test").json()["id"] == first["id"]
    assert Attempt.objects.count() == 1
    assert AuditEvent.objects.filter(action="tkd.started").count() == 1


def test_attempt_before_start_is_not_found(candidate):
    client = candidate()
    assert only(client.get("/me/test")) == (404, "TEST_NOT_STARTED", None)
    assert only(client.put("/me/test/answers", {"answers": {}})) == (409, "TEST_NOT_STARTED", None)
    assert only(client.post("/me/test/submit", {"answers": {}})) == (409, "TEST_NOT_STARTED", None)
    assert not Attempt.objects.exists()


def test_answers_are_saved_progressively(candidate):
    client = candidate()
    _, asked = start(client)
    first, second = asked[0], asked[15]
    assert client.put("/me/test/answers", {"answers": {first: 1}}).json()["answers"] == {first: 1}
    r = client.put("/me/test/answers", {"answers": {second: 2}})
    assert r.json()["answers"] == {first: 1, second: 2}
    # Changing an answer replaces it; the others stay.
    r = client.put("/me/test/answers", {"answers": {first: 3}})
    assert r.json()["answers"] == {first: 3, second: 2}
    assert r.json()["finished"] is False and r.json()["score"] is None
    assert client.get("/me/test").json()["answers"] == {first: 3, second: 2}
    assert Attempt.objects.get().answers == {first: 3, second: 2}


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        pytest.param(lambda asked, other: {other: 0}, lambda asked, other: f"answers.{other}", id="other-question"),
        pytest.param(lambda asked, other: {"NOPE": 0}, lambda asked, other: "answers.NOPE", id="unknown-code"),
        pytest.param(lambda asked, other: {asked[1]: 10}, lambda asked, other: f"answers.{asked[1]}", id="choice-10"),
        pytest.param(lambda asked, other: {asked[1]: -1}, lambda asked, other: f"answers.{asked[1]}", id="negative"),
        pytest.param(
            lambda asked, other: {f"X{n:03d}": 0 for n in range(21)}, lambda asked, other: "answers", id="too-many"
        ),
    ],
)
def test_answer_outside_the_attempt_is_refused_and_nothing_saved(candidate, bad, field):
    client = candidate()
    _, asked = start(client)
    assert client.put("/me/test/answers", {"answers": {asked[0]: 1}}).status_code == 200
    other = next(code for code in key() if code not in asked)
    r = client.put("/me/test/answers", {"answers": {asked[2]: 1} | bad(asked, other)})
    assert only(r) == (422, "TEST_ANSWER_INVALID", field(asked, other))
    # Neither the bad answer nor the good one sent with it was kept.
    assert Attempt.objects.get().answers == {asked[0]: 1}
    r = client.post("/me/test/submit", {"answers": bad(asked, other)})
    assert codes(r) == ["TEST_ANSWER_INVALID"]
    assert Attempt.objects.get().finished_at is None


def test_submit_scores_saved_and_submitted_answers(candidate):
    client = candidate()
    _, asked = start(client)
    assert client.put("/me/test/answers", {"answers": right(asked[:3]) | wrong(asked[3:5])}).status_code == 200
    # At submit: four more right, two wrong, one earlier wrong answer corrected; the rest left blank.
    final = right(asked[5:9]) | wrong(asked[9:11]) | right(asked[3:4])
    r = client.post("/me/test/submit", {"answers": final})
    assert r.status_code == 200, r.content
    result = r.json()
    assert result["finished"] is True and result["late"] is False
    assert (result["score"], result["max_score"]) == (3 + 4 + 1, 20)
    assert result["seconds_left"] == 0
    assert client.get("/me").json()["test"] == {"taken": True, "score": 8, "max_score": 20}
    assert Attempt.objects.get().score == 8
    assert AuditEvent.objects.get(action="tkd.finished").after == {"score": 8, "late": False}


def test_one_attempt_per_period(candidate):
    client = candidate()
    _, asked = start(client)
    assert client.post("/me/test/submit", {"answers": right(asked[:5])}).json()["score"] == 5
    assert only(client.post("/me/test")) == (409, "TEST_ALREADY_TAKEN", None)
    assert only(client.put("/me/test/answers", {"answers": right(asked)})) == (409, "TEST_ALREADY_TAKEN", None)
    assert only(client.post("/me/test/submit", {"answers": right(asked)})) == (409, "TEST_ALREADY_TAKEN", None)
    assert Attempt.objects.count() == 1
    assert Attempt.objects.get().score == 5
    assert client.get("/me/test").json()["score"] == 5


# --- server-side timing --------------------------------------------------------------------------
IN_TIME = [dt.timedelta(minutes=41), dt.timedelta(minutes=42)]
LATE = [dt.timedelta(minutes=42, seconds=1), dt.timedelta(minutes=43)]


@pytest.mark.parametrize("path", ["/me/test/answers", "/me/test/submit"])
@pytest.mark.parametrize("after", IN_TIME + LATE, ids=str)
def test_answers_after_deadline_and_grace_are_not_counted(candidate, frozen_clock, path, after):
    frozen_clock(T0)
    client = candidate()
    _, asked = start(client)
    frozen_clock(T0 + dt.timedelta(minutes=10))
    assert client.put("/me/test/answers", {"answers": right(asked[:3])}).status_code == 200

    frozen_clock(T0 + after)
    method = client.put if path.endswith("answers") else client.post
    r = method(path, {"answers": right(asked[3:5])})
    assert r.status_code == 200, r.content
    result = r.json()
    if after in IN_TIME:
        assert set(result["answers"]) == set(asked[:5])
        assert result["late"] is False
        assert result["finished"] is path.endswith("submit")
        if result["finished"]:
            assert result["score"] == 5
    else:
        assert set(result["answers"]) == set(asked[:3])
        assert result["finished"] is True and result["late"] is True
        assert result["score"] == 3
        attempt = Attempt.objects.get()
        assert attempt.finished_at == T0 + DEADLINE + GRACE
        assert (attempt.score, attempt.late) == (3, True)


def test_attempt_left_open_is_finished_when_me_is_read(candidate, frozen_clock):
    frozen_clock(T0)
    client = candidate()
    _, asked = start(client)
    frozen_clock(T0 + dt.timedelta(minutes=5))
    client.put("/me/test/answers", {"answers": right(asked[:3]) | wrong(asked[3:4])})

    frozen_clock(T0 + dt.timedelta(minutes=41))
    assert client.get("/me").json()["test"] == {"taken": False, "score": None, "max_score": None}
    assert Attempt.objects.get().finished_at is None

    frozen_clock(T0 + dt.timedelta(minutes=43))
    me = client.get("/me").json()
    assert me["test"] == {"taken": True, "score": 3, "max_score": 20}
    assert me["next_step"] != "test"
    attempt = Attempt.objects.get()
    assert attempt.finished_at == T0 + DEADLINE + GRACE and attempt.late is False
    assert only(client.post("/me/test")) == (409, "TEST_ALREADY_TAKEN", None)


@pytest.mark.parametrize(("period", "status"), [("year", 409), ("month", 200)])
def test_a_new_period_allows_a_new_attempt(candidate, frozen_clock, period, status):
    if period != "year":
        change_setting("tkd_period", period)
    frozen_clock(dt.datetime(2030, 1, 25, 3, 0, tzinfo=dt.UTC))
    client = candidate()
    first, asked = start(client)
    assert client.post("/me/test/submit", {"answers": right(asked[:4])}).json()["score"] == 4

    frozen_clock(dt.datetime(2030, 2, 5, 3, 0, tzinfo=dt.UTC))
    r = client.post("/me/test")
    assert r.status_code == status, r.content
    if status == 200:
        second = r.json()
        assert second["id"] != first["id"]
        assert (second["period"], first["period"]) == ("2030-02", "2030-01")
        assert second["answers"] == {} and second["finished"] is False
        assert Attempt.objects.count() == 2
    else:
        assert codes(r) == ["TEST_ALREADY_TAKEN"]
        assert Attempt.objects.count() == 1
