"""Keep the partner API's headers on Django's own HTTP server.

The institutions' clients send ``client_code``, ``timestamp`` and ``signature`` — names with
underscores, which Django's development server (like nginx by default) drops, because in a WSGI
environ ``client_code`` and ``client-code`` become the same key and one could spoof the other.
Here both spellings mean the same thing and no proxy in front of us sets them, so exactly these
three are kept. In production, gunicorn needs ``--header-map dangerous`` and nginx
``underscores_in_headers on`` for the same reason (docs/decisions/0004-partner-api.md).
"""

from __future__ import annotations

from typing import Any

from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

PARTNER_HEADERS = ("client_code", "timestamp", "signature")


class PartnerHeadersMixin:
    headers: Any

    def get_environ(self) -> dict[str, str]:
        kept = {k.lower(): self.headers[k] for k in list(self.headers) if k.lower() in PARTNER_HEADERS}
        environ: dict[str, str] = super().get_environ()  # type: ignore[misc]
        for name, value in kept.items():
            environ.setdefault("HTTP_" + name.upper(), value)
        return environ


class PartnerRequestHandler(PartnerHeadersMixin, WSGIRequestHandler):
    pass


class PartnerWSGIServer(WSGIServer):
    """``runserver``'s server, answering with :class:`PartnerRequestHandler`."""

    def __init__(self, address: Any, handler: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(address, PartnerRequestHandler, *args, **kwargs)
