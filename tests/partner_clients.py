"""Independent partner clients: requests byte for byte as the institutions' reference clients
(GitHub ``prakerja-dev/example-api-redeem-course``) and two third-party integrations send them.

Written with the standard library only and without importing anything from the platform, so a
mistake in ``prakerja.integrations.signing`` cannot hide behind the same mistake here.

Requests go out through ``http.client`` rather than ``urllib.request``: urllib rewrites header
names (``client_code`` leaves as ``Client_Code``), and what matters is the exact spelling each
client puts on the wire, lowercase ``client_code`` for most and ``Client_code`` for Go and Ruby.

Each client takes the timestamp it would read from its own clock (Unix seconds, a float) so a
test can tie it to the platform's frozen clock.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

STATUS = "/api/v1/integration/payment/redeem-code/status"
COMMIT = "/api/v1/integration/payment/redeem-code/commit"
COMPLETION = "/api/v1/integration/completion"


def hmac_sha1_hex(key: str, text: str) -> str:
    """``hash_hmac('sha1', $text, $key)``: the key's own bytes (not decoded), lowercase hex."""
    return hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).hexdigest()


def signed_text(client_code: str, timestamp: str, endpoint: str, body: str) -> str:
    return client_code + timestamp + "POST" + endpoint + body


@dataclass
class Prepared:
    """A request as a client puts it on the wire: path, header names as spelled, body bytes."""

    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str:
        return next(v for k, v in self.headers if k.lower() == name.lower())


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def send(base_url: str, request: Prepared, *, accept_language: str | None = None, timeout: float = 10) -> Reply:
    """POST the prepared request with exactly its header names, in its order."""
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        connection.putrequest("POST", request.path, skip_accept_encoding=True)
        headers = list(request.headers)
        if accept_language:
            headers.append(("Accept-Language", accept_language))
        headers.append(("Content-Length", str(len(request.body))))
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders(request.body)
        response = connection.getresponse()
        return Reply(response.status, response.read(), {k.lower(): v for k, v in response.getheaders()})
    finally:
        connection.close()


@dataclass
class Credentials:
    client_code: str
    sign_key: str


# --- the reference clients ---------------------------------------------------------------------------
def python_reference(creds: Credentials, endpoint: str, redeem_code: str, now: float) -> Prepared:
    """python/example-redeem-code*.py: signs the hand-built compact body, sends ``json.dumps(data)``
    (``{"redeem_code": "X"}``, a space after the colon, non-ASCII as ``\\uXXXX``)."""
    timestamp = str(int(now))
    text = creds.client_code + timestamp + "POST" + endpoint + '{"redeem_code":"' + redeem_code + '"}'
    signature = hmac_sha1_hex(creds.sign_key, text)
    headers = [
        ("Content-Type", "application/json"),
        ("client_code", creds.client_code),
        ("signature", signature),
        ("timestamp", timestamp),
    ]
    data = {"redeem_code": redeem_code}
    return Prepared(endpoint, headers, json.dumps(data).encode())


def php_reference(creds: Credentials, endpoint: str, redeem_code: str, now: float) -> Prepared:
    """php/example-redeem-code*.php: ``time()``, signs the hand-built body, sends ``json_encode``
    (compact; ``/`` escaped as ``\\/``, non-ASCII as ``\\uXXXX``)."""
    timestamp = str(int(now))
    text = creds.client_code + timestamp + "POST" + endpoint + '{"redeem_code":"' + redeem_code + '"}'
    signature = hmac_sha1_hex(creds.sign_key, text)
    headers = [
        ("Content-Type", "application/json"),
        ("client_code", creds.client_code),
        ("signature", signature),
        ("timestamp", timestamp),
    ]
    body = json.dumps({"redeem_code": redeem_code}, separators=(",", ":")).replace("/", "\\/")
    return Prepared(endpoint, headers, body.encode())


def node_reference(creds: Credentials, endpoint: str, redeem_code: str, now: float) -> Prepared:
    """nodejs/example-redeem-code*.js: ``Math.round(ms / 1000)`` (up to half a second ahead), axios
    sends ``JSON.stringify`` of the data, the same bytes as the signed text."""
    timestamp = str(int(now + 0.5))  # Math.round, for positive numbers
    body = '{"redeem_code":"' + redeem_code + '"}'
    signature = hmac_sha1_hex(creds.sign_key, signed_text(creds.client_code, timestamp, endpoint, body))
    headers = [
        ("Content-Type", "application/json"),
        ("client_code", creds.client_code),
        ("signature", signature),
        ("timestamp", timestamp),
    ]
    return Prepared(endpoint, headers, body.encode())


def java_reference(creds: Credentials, endpoint: str, redeem_code: str, now: float) -> Prepared:
    """java/ExampleRedeemCode*.java: ``currentTimeMillis() / 1000``; the body written is the signed string."""
    timestamp = str(int(now * 1000) // 1000)
    data = '{"redeem_code":"' + redeem_code + '"}'
    signature = hmac_sha1_hex(creds.sign_key, creds.client_code + timestamp + "POST" + endpoint + data)
    headers = [
        ("Content-Type", "application/json"),
        ("client_code", creds.client_code),
        ("signature", signature),
        ("timestamp", timestamp),
        ("User-Agent", "Java/17.0.2"),
        ("Accept", "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"),
    ]
    return Prepared(endpoint, headers, data.encode())


def go_reference(creds: Credentials, endpoint: str, redeem_code: str, now: float) -> Prepared:
    """go/example-redeem-code-*.go: ``fmt.Sprintf`` body, the signed text concatenates an empty
    Authorization between endpoint and body, and the headers go out as ``Client_code``,
    ``Signature``, ``Timestamp`` (Go's canonical form of the names set)."""
    timestamp = str(int(now))
    authorization = ""
    body = '{"redeem_code":"%s"}' % redeem_code  # noqa: UP031 -- fmt.Sprintf, as the Go client
    text = f"{creds.client_code}{timestamp}POST{endpoint}{authorization}{body}"
    signature = hmac_sha1_hex(creds.sign_key, text)
    headers = [
        ("User-Agent", "Go-http-client/1.1"),
        ("Content-Type", "application/json"),
        ("Client_code", creds.client_code),
        ("Signature", signature),
        ("Timestamp", timestamp),
        ("Accept-Encoding", "gzip"),
    ]
    return Prepared(endpoint, headers, body.encode())


def ruby_reference(creds: Credentials, endpoint: str, redeem_code: str, now: float) -> Prepared:
    """ruby/example-redeem-code-*.rb: ``JSON.generate`` (compact), headers capitalized by Net::HTTP."""
    timestamp = str(int(now))
    text = creds.client_code + timestamp + "POST" + endpoint + '{"redeem_code":"' + redeem_code + '"}'
    signature = hmac_sha1_hex(creds.sign_key, text)
    headers = [
        ("Accept-Encoding", "gzip;q=1.0,deflate;q=0.6,identity;q=0.3"),
        ("Accept", "*/*"),
        ("User-Agent", "Ruby"),
        ("Content-Type", "application/json"),
        ("Client_code", creds.client_code),
        ("Signature", signature),
        ("Timestamp", timestamp),
    ]
    body = json.dumps({"redeem_code": redeem_code}, separators=(",", ":"), ensure_ascii=False)
    return Prepared(endpoint, headers, body.encode())


def dotnet_reference(creds: Credentials, endpoint: str, redeem_code: str, now: float) -> Prepared:
    """dotnet/redeem-code-*/Program.cs: the signed string is the content; Content-Type exactly
    ``application/json`` (no charset)."""
    timestamp = str(int(now))
    content = '{"redeem_code":"' + redeem_code + '"}'
    signature = hmac_sha1_hex(creds.sign_key, creds.client_code + timestamp + "POST" + endpoint + content)
    headers = [
        ("client_code", creds.client_code),
        ("signature", signature),
        ("timestamp", timestamp),
        ("Content-Type", "application/json"),
    ]
    return Prepared(endpoint, headers, content.encode())


def third_party_with_sequence(
    creds: Credentials,
    endpoint: str,
    redeem_code: str,
    now: float,
    sequence: int = 1,
) -> Prepared:
    """A third-party Node/Go integration: ``{"redeem_code":"X","sequence":1}`` (sequence a JSON
    number), signed and sent byte-identically."""
    timestamp = str(int(now))
    body = '{"redeem_code":"%s","sequence":%d}' % (redeem_code, sequence)  # noqa: UP031 -- as Sprintf
    signature = hmac_sha1_hex(creds.sign_key, signed_text(creds.client_code, timestamp, endpoint, body))
    headers = [
        ("Content-Type", "application/json"),
        ("client_code", creds.client_code),
        ("signature", signature),
        ("timestamp", timestamp),
    ]
    return Prepared(endpoint, headers, body.encode())


def third_party_php_double_slash(creds: Credentials, endpoint: str, redeem_code: str, now: float) -> Prepared:
    """A CodeIgniter copy of the PHP client whose URL is ``'https://host/' . $endpoint``: the path on
    the wire is ``//api/v1/…`` while the signed endpoint is ``/api/v1/…``."""
    timestamp = str(int(now))
    text = creds.client_code + timestamp + "POST" + endpoint + '{"redeem_code":"' + redeem_code + '"}'
    signature = hmac_sha1_hex(creds.sign_key, text)
    headers = [
        ("Content-Type", "application/json"),
        ("client_code", creds.client_code),
        ("signature", signature),
        ("timestamp", timestamp),
    ]
    body = json.dumps({"redeem_code": redeem_code}, separators=(",", ":"))
    return Prepared("/" + endpoint, headers, body.encode())


def completion_client(creds: Credentials, voucher_code: str, now: float) -> Prepared:
    """The completion report, signed the same way with body ``{"voucher_code":"VCR…"}``."""
    timestamp = str(int(now))
    body = '{"voucher_code":"' + voucher_code + '"}'
    signature = hmac_sha1_hex(creds.sign_key, signed_text(creds.client_code, timestamp, COMPLETION, body))
    headers = [
        ("Content-Type", "application/json"),
        ("client_code", creds.client_code),
        ("signature", signature),
        ("timestamp", timestamp),
    ]
    return Prepared(COMPLETION, headers, body.encode())


def signed_request(
    creds: Credentials,
    endpoint: str,
    body: str | bytes,
    timestamp: str,
    *,
    signature: str | None = None,
    path: str | None = None,
) -> Prepared:
    """Any request at all, signed over exactly ``body`` unless ``signature`` is given."""
    raw = body.encode() if isinstance(body, str) else body
    if signature is None:
        text = signed_text(creds.client_code, timestamp, endpoint, raw.decode("utf-8", "replace"))
        signature = hmac_sha1_hex(creds.sign_key, text)
    headers = [
        ("Content-Type", "application/json"),
        ("client_code", creds.client_code),
        ("signature", signature),
        ("timestamp", timestamp),
    ]
    return Prepared(path or endpoint, headers, raw)


# The official examples. Rust is left out: it signs the status path but POSTs to "/" (a client bug).
REFERENCE_CLIENTS = {
    "python": python_reference,
    "php": php_reference,
    "node": node_reference,
    "java": java_reference,
    "go": go_reference,
    "ruby": ruby_reference,
    "dotnet": dotnet_reference,
}
THIRD_PARTY_CLIENTS = {
    "sequence": third_party_with_sequence,
    "php-double-slash": third_party_php_double_slash,
}
