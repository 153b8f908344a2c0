"""gunicorn's logger, without the access log's work when the access log is off.

gunicorn builds each request's access-log fields (``Logger.atoms``: the request line, headers,
times, an Apache-style date) whenever logging is configured at all, and our ``logconfig_dict``
(JSON logs) is: the line was then dropped by the ``gunicorn.access`` logger's level. That was
6.5% of a web worker's CPU under a ``GET /api/v1/me`` load (py-spy, 2026-11-29). Here the fields
are only built when that logger would write them (``GUNICORN_ACCESS_LOG=1``, ops.gunicorn_conf).
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn import glogging


class Logger(glogging.Logger):  # type: ignore[misc]  # gunicorn has no type hints
    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if not self.access_log.isEnabledFor(logging.INFO):
            return
        super().access(resp, req, environ, request_time)
