"""A civil-registry simulator: a small HTTP server speaking the adapter's protocol.

``POST /verify`` with ``{nik, kk_number, full_name, birth_date}`` answers
``{"mismatches": [codes]}``. It looks people up through a function, so tests
serve a fixed set and ``prakerja registry-simulator`` serves the local table.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prakerja.registry.matching import RegistryEntry, Submitted, mismatch_codes

Lookup = Callable[[str], RegistryEntry | None]


def make_handler(lookup: Lookup) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path != "/verify":
                return self._reply(404, {"error": "not found"})
            try:
                length = min(int(self.headers.get("Content-Length", "0")), 64 * 1024)
                data = json.loads(self.rfile.read(length))
                submitted = Submitted(
                    nik=str(data["nik"]),
                    kk_number=str(data["kk_number"]),
                    full_name=str(data["full_name"]),
                    birth_date=dt.date.fromisoformat(data["birth_date"]),
                )
            except (ValueError, KeyError, TypeError):
                return self._reply(400, {"error": "bad request"})
            self._reply(200, {"mismatches": mismatch_codes(lookup(submitted.nik), submitted)})

        def _reply(self, status: int, payload: dict[str, object]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # NIKs must not reach logs
            pass

    return Handler


def serve(lookup: Lookup, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Start the simulator in a daemon thread; ``server.server_address`` tells the port."""
    server = ThreadingHTTPServer((host, port), make_handler(lookup))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
