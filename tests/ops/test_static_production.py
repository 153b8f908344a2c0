"""Static files in production: `collectstatic` writes hashed, pre-compressed copies; WhiteNoise serves them
with a year-long immutable cache, compressed for the phones on slow networks that load them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.test import Client
from ops_env import ROOT, production_env

FETCH = """
import json, sys, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="prakerja.example")
out = {}
for path in sys.argv[1:]:
    r = client.get(path, secure=True, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    body = b"".join(r.streaming_content) if r.streaming else r.content
    out[path] = {"status": r.status_code, "headers": dict(r.headers), "size": len(body)}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
    env = production_env(STATIC_ROOT=str(static_root))
    result = subprocess.run(
        # The admin's and the API docs' files are left out here only to keep the test fast (compressing
        # the API docs' bundle with Brotli takes most of a minute); a deployment collects everything.
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0", "-i", "admin", "-i", "ninja"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    return env, static_root, manifest


def fetch(env: dict[str, str], *paths: str) -> dict[str, dict]:
    result = subprocess.run(
        [sys.executable, "-c", FETCH, *paths],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_collectstatic_writes_hashed_and_compressed_copies(collected):
    _env, static_root, manifest = collected
    hashed = manifest["prakerja/site.css"]
    assert hashed != "prakerja/site.css" and hashed.startswith("prakerja/site.")
    for suffix in ("", ".gz", ".br"):
        assert (static_root / (hashed + suffix)).is_file(), hashed + suffix


def test_a_hashed_file_is_cached_for_a_year_and_served_compressed(collected):
    env, static_root, manifest = collected
    hashed = "/static/" + manifest["prakerja/site.css"]
    plain = "/static/prakerja/site.css"
    answers = fetch(env, hashed, plain)
    first = answers[hashed]
    assert first["status"] == 200
    assert first["headers"]["Cache-Control"] == "max-age=315360000, public, immutable"
    assert first["headers"]["Content-Encoding"] == "br"
    assert "Accept-Encoding" in first["headers"]["Vary"]
    assert first["size"] == (static_root / (manifest["prakerja/site.css"] + ".br")).stat().st_size
    # The unhashed name still answers (old pages, hand-typed links) but is cached briefly only.
    second = answers[plain]
    assert second["status"] == 200 and "immutable" not in second["headers"]["Cache-Control"]


def test_outside_production_static_files_need_no_collectstatic():
    response = Client().get("/static/prakerja/site.css")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == (ROOT / "src/prakerja/static/prakerja/site.css").read_bytes()
