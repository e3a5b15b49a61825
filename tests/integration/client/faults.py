"""A TCP proxy in front of a gRPC server that breaks calls on purpose, to prove
how the client behaves when a response is lost. It reads the HTTP/2 frames that
pass through (9-byte frame headers) so it can act on the first *response*: the
server has then already done the work, and only the answer goes missing."""

from __future__ import annotations

import asyncio
import contextlib

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
HEADERS = 0x1


def _frames(buffer: bytearray):
    """Yields (type, stream id, frame bytes) for each whole frame in `buffer`, consuming them."""
    while len(buffer) >= 9:
        length = int.from_bytes(buffer[0:3], "big")
        if len(buffer) < 9 + length:
            return
        frame = bytes(buffer[: 9 + length])
        del buffer[: 9 + length]
        yield frame[3], int.from_bytes(frame[5:9], "big") & 0x7FFFFFFF, frame


class FaultyProxy:
    """Modes: `cut_first_response` closes the connection when the server starts
    answering the first call (the client sees UNAVAILABLE); `delay_first_response`
    holds everything the server sends from its first answer on for that many
    seconds, then passes it on in order (HPACK state stays consistent), so a client
    whose deadline is shorter sees DEADLINE_EXCEEDED on that call."""

    def __init__(self, upstream: str, *, cut_first_response: bool = False, delay_first_response: float = 0.0) -> None:
        host, _, port = upstream.rpartition(":")
        self.upstream = (host, int(port))
        self.cut_first_response = cut_first_response
        self.delay_first_response = delay_first_response
        self.calls = 0  # request HEADERS frames seen (one per RPC attempt)
        self.broken_responses = 0
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> FaultyProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*self.upstream)
        self._writers |= {client_w, server_w}
        up = asyncio.create_task(self._client_to_server(client_r, server_w))
        down = asyncio.create_task(self._server_to_client(server_r, client_w, server_w))
        self._tasks |= {up, down}
        await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        for task in (up, down):
            task.cancel()
        for writer in (client_w, server_w):
            writer.transport.abort()

    async def _client_to_server(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buffer = bytearray()
        preface_left = len(PREFACE)
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
            if preface_left:
                skip = min(preface_left, len(data))
                data, preface_left = data[skip:], preface_left - skip
            buffer += data
            for kind, stream, _ in _frames(buffer):
                if kind == HEADERS and stream:
                    self.calls += 1

    async def _server_to_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upstream_w: asyncio.StreamWriter) -> None:
        buffer = bytearray()
        held = bytearray()
        release_at: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            timeout = None if release_at is None else max(0.0, release_at - loop.time())
            try:
                data = await asyncio.wait_for(reader.read(65536), timeout)
            except TimeoutError:
                data = None
            if data == b"":
                return
            if release_at is not None and loop.time() >= release_at:
                writer.write(bytes(held))
                held.clear()
                release_at = None
            if data is None:
                await writer.drain()
                continue
            buffer += data
            out = bytearray()
            for _kind, stream, frame in _frames(buffer):
                breaking = self.cut_first_response or self.delay_first_response
                if stream and breaking and self.broken_responses == 0:
                    self.broken_responses += 1
                    if self.cut_first_response:
                        writer.transport.abort()
                        upstream_w.transport.abort()
                        return
                    release_at = loop.time() + self.delay_first_response
                if release_at is not None:
                    held += frame
                else:
                    out += frame
            if out:
                writer.write(bytes(out))
                await writer.drain()
