"""How far registration could get: the registration benchmark against views that do part of it.

Not part of ``make bench``; run by hand (about 1.5 minutes a run): ``.venv/bin/python
bench/registration_layers.py [ROUNDS]``. Each run is ``registration.py``'s registration phase (the same
gunicorn, load generator and interleaved floor of Argon2id hashing alone), against ``POST
/api/v1/auth/register`` served by one of these views (bench/layers/urls.py), taken in turn ROUNDS times
(default 2):

- ``hash``: parse the JSON body and hash the password, nothing else;
- ``checks``: the registration's own checks first (email, phone, the password validators), then the hash;
- ``account``: the checks, then the account saved (the hash and one ``INSERT``), nothing else;
- ``registration``: the platform's own view.

The whole middleware stack, the surge gate included, runs in front of each. The ratios tell what the
registration target (0.8 of hashing alone) leaves for everything a registration does besides hashing
(docs/decisions/0015). Database: ``BENCH_LAYERS_DATABASE_URL`` (default ``prakerja_bench_layers``, created
when missing and emptied before each run; drop it when done).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import registration
from layers import LAYERS
from selection import ensure_database, log

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/prakerja_bench_layers"
SECONDS = 12  # of registration load per run, in registration.ROUNDS turns


def measure(database_url: str, layer: str) -> dict[str, float]:
    registration.worker(database_url, "reset")
    extra = {
        "DJANGO_SETTINGS_MODULE": "layers.settings",
        "BENCH_LAYER": layer,
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent), str(registration.ROOT / "src")]),
    }
    with tempfile.TemporaryDirectory(prefix="bench-layers-") as tmp:
        port = registration.free_port()
        server = registration.start_server(database_url, Path(tmp), port, extra)
        try:
            phase = registration._registration_phase(server, port, database_url, registration.Registrations(), SECONDS)
        finally:
            registration.stop_server(server)
    created, floor = phase["peak"]["created_per_second"], phase["floor"]["per_second"]
    return {"registrations_per_s": created, "hashes_per_s": floor, "ratio": round(created / floor, 3)}


def main(rounds: int) -> None:
    database_url = os.environ.get("BENCH_LAYERS_DATABASE_URL") or DEFAULT_URL
    if "bench" not in urlsplit(database_url).path:
        raise SystemExit("refusing to empty a database whose name does not say 'bench'")
    ensure_database(database_url)
    subprocess.run(  # noqa: S603 (our own interpreter)
        [registration.PYTHON, "-c", "from prakerja.cli import main; main()", "migrate", "-v0"],
        env=registration.environment(database_url),
        check=True,
        cwd=registration.ROOT,
    )
    results: dict[str, list[dict[str, float]]] = {layer: [] for layer in LAYERS}
    for k in range(rounds):
        for layer in LAYERS:
            result = measure(database_url, layer)
            results[layer].append(result)
            log(f"layers: round {k + 1}/{rounds} {layer}: {result}")
    print(f"{'view':<14} ratios to hashing alone")
    for layer, runs in results.items():
        ratios = ", ".join(f"{run['ratio']:.3f}" for run in runs)
        print(f"{layer:<14} {ratios}")
    print(json.dumps(results))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
