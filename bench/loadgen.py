"""A small HTTP/1.1 load generator on asyncio: keep-alive connections, no dependencies.

Two ways to load a server:

- ``closed(...)``: ``connections`` clients each send the next request as soon as the previous
  answer arrived, for ``seconds`` or until the requests run out — the server's maximum
  throughput.
- ``open_rate(...)``: requests are due at a fixed rate whatever the server does; a request's
  latency counts from when it was due, so a slow server cannot hide its queue (no
  coordinated omission).

Each request is ``(method, path, headers, body)``; a factory gives the i-th one, or None when
there are no more.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Request = tuple[str, str, dict[str, str], bytes]
Factory = Callable[[int], Request | None]


@dataclass
class Outcome:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def summary(self) -> dict[str, float | int | dict[int, int]]:
        return {
            "requests": self.count,
            "seconds": round(self.seconds, 2),
            "per_second": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50) * 1000, 2),
            "p95_ms": round(self.percentile(95) * 1000, 2),
            "p99_ms": round(self.percentile(99) * 1000, 2),
            "statuses": dict(sorted(self.statuses.items())),
        }


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: Request) -> int:
        method, path, headers, body = request
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed by the server")
        status = int(status_line.split()[1])
        length, close, chunked = 0, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True  # e.g. a response streamed without a length (gunicorn chunks it)
            elif name == "connection" and value == "close":
                close = True
        if chunked:
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            while await self.reader.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
        elif length:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _closed(host: str, port: int, factory: Factory, connections: int, seconds: float) -> Outcome:
    outcome = Outcome()
    counter = iter(range(10**12))
    started = time.perf_counter()
    stop = started + seconds

    async def client() -> None:
        connection = Connection(host, port)
        while time.perf_counter() < stop:
            request = factory(next(counter))
            if request is None:
                break
            sent = time.perf_counter()
            try:
                status = await connection.send(request)
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                connection.close()
                status = 599
            outcome.latencies.append(time.perf_counter() - sent)
            outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
        connection.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    outcome.seconds = time.perf_counter() - started
    return outcome


async def _open(host: str, port: int, factory: Factory, rate: float, seconds: float, connections: int) -> Outcome:
    outcome = Outcome()
    due: asyncio.Queue[tuple[float, Request] | None] = asyncio.Queue()
    started = time.perf_counter()

    async def ticker() -> None:
        n = 0
        while True:
            at = started + n / rate
            if at - started >= seconds:
                break
            request = factory(n)
            if request is None:
                break
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            due.put_nowait((at, request))
            n += 1
        for _ in range(connections):
            due.put_nowait(None)

    async def client() -> None:
        connection = Connection(host, port)
        while (item := await due.get()) is not None:
            at, request = item
            try:
                status = await connection.send(request)
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                connection.close()
                status = 599
            outcome.latencies.append(time.perf_counter() - at)
            outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
        connection.close()

    await asyncio.gather(ticker(), *(client() for _ in range(connections)))
    outcome.seconds = time.perf_counter() - started
    return outcome


def closed(host: str, port: int, factory: Factory, *, connections: int, seconds: float) -> Outcome:
    return asyncio.run(_closed(host, port, factory, connections, seconds))


def open_rate(host: str, port: int, factory: Factory, *, rate: float, seconds: float, connections: int = 32) -> Outcome:
    return asyncio.run(_open(host, port, factory, rate, seconds, connections))
