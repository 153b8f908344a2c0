"""Autovacuum's work, done by the benchmark, on a server where it is switched off.

This machine's PostgreSQL runs with ``autovacuum = off`` (a CI setting, conf.d/90-ci.conf). A benchmark
that updates the same rows for many minutes then measures a database no production server would be: dead
row versions pile up in the table and in every index, and each lookup wades through more of them. The
payouts run, for one, ended with 151,000 dead rows in ``payments_payout``, and with a foreign-key check
still planned for the nearly empty journal it started with: nothing analysed the journal as it grew, so
nothing replanned the check (bench/README.md).

:class:`Autovacuum` does, from a thread of the benchmark, what the autovacuum launcher would do with this
server's own settings: every ``autovacuum_naptime`` it vacuums and analyses each table of the database
with more dead rows, or more rows inserted since its last vacuum, than autovacuum's thresholds allow, and
analyses those changed enough since their last analysis (the same formulas, ``threshold + scale_factor ×
rows``). One difference: a plain ``VACUUM`` is not slowed by ``autovacuum_vacuum_cost_delay``, so it finishes sooner
and takes its CPU in a shorter burst. Its time is part of the run it runs in, on the same two cores.
Where the server's own autovacuum is on, it does nothing.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from selection import connect, log

# Autovacuum's three rules, with this server's settings (reltuples as autovacuum reads it: 0 until analysed).
_DUE = """
SELECT s.relname, s.n_dead_tup, s.n_ins_since_vacuum, s.n_mod_since_analyze,
    s.n_dead_tup > current_setting('autovacuum_vacuum_threshold')::float
        + current_setting('autovacuum_vacuum_scale_factor')::float * greatest(c.reltuples, 0)
    OR s.n_ins_since_vacuum > current_setting('autovacuum_vacuum_insert_threshold')::float
        + current_setting('autovacuum_vacuum_insert_scale_factor')::float * greatest(c.reltuples, 0),
    s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float
        + current_setting('autovacuum_analyze_scale_factor')::float * greatest(c.reltuples, 0)
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
"""


class Autovacuum:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.runs: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        with connect(database_url) as conn:
            self.server_does_it = conn.execute("SHOW autovacuum").fetchone()[0] == "on"
            naptime = conn.execute("SELECT setting FROM pg_settings WHERE name = 'autovacuum_naptime'").fetchone()
            self.naptime = float(naptime[0])  # seconds

    def __enter__(self) -> Autovacuum:
        if not self.server_does_it:
            self._thread = threading.Thread(target=self._loop, name="bench-autovacuum", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()  # a VACUUM under way finishes first

    def summary(self) -> dict[str, Any]:
        return {
            "by": "the server" if self.server_does_it else "the benchmark (the server's autovacuum is off)",
            "naptime_s": self.naptime,
            "vacuums": len(self.runs),
            "seconds": round(sum(r["seconds"] for r in self.runs), 2),
            "runs": self.runs,
        }

    def _loop(self) -> None:
        with connect(self.database_url) as conn:
            started = time.perf_counter()
            while not self._stop.wait(self.naptime):
                for table, dead, inserted, modified, vacuum, analyze in conn.execute(_DUE).fetchall():
                    if not (vacuum or analyze):
                        continue
                    command = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
                    began = time.perf_counter()
                    conn.execute(f'{command} "{table}"')  # a name from the catalogue
                    seconds = time.perf_counter() - began
                    self.runs.append(
                        {
                            "at_s": round(began - started, 1),
                            "table": table,
                            "command": command,
                            "dead_rows": dead,
                            "inserted_since_vacuum": inserted,
                            "changed_since_analyze": modified,
                            "seconds": round(seconds, 2),
                        }
                    )
                    log(f"autovacuum (by the benchmark): {command} {table}, {dead:,} dead rows, {seconds:.1f} s")
