"""Loopback ports for the embedded stack, and bounded waiting for what listens on them.

Nothing here assumes a well-known port (4222, 5432, ...) is free: other programs, and other
test sessions on the same machine, may hold them. Every wait is bounded and polls; none
sleeps a fixed time and hopes.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ServerStartError(RuntimeError):
    """A server process exited or did not become ready; the message ends with its log tail."""


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """Returns `count` distinct TCP ports on `host` that were free a moment ago.

    All sockets are held open until every port is chosen, so the ports differ from each other.
    Another process may still take one before the caller binds it; launchers here retry then.
    """
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind((host, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port(host: str = "127.0.0.1") -> int:
    """Returns a TCP port on `host` that was free a moment ago (the kernel's choice for port 0)."""
    return free_ports(1, host)[0]


def port_is_open(host: str, port: int, timeout: float = 0.2) -> bool:
    """True when something accepts TCP connections on host:port right now."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(
    check: Callable[[], T | None],
    timeout: float,
    *,
    what: str,
    interval: float = 0.02,
    max_interval: float = 0.25,
) -> T:
    """Calls `check` until it returns something truthy and returns that; bounded by `timeout`.

    The poll interval starts at `interval` and doubles up to `max_interval`. Exceptions from
    `check` propagate, so a check can abort the wait (e.g. when the process it waits on died).
    Raises TimeoutError naming `what` when time runs out.
    """
    deadline = time.monotonic() + timeout
    delay = interval
    while True:
        result = check()
        if result:
            return result
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"{what}: not ready within {timeout:g} s")
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, max_interval)


def wait_for_port(host: str, port: int, timeout: float) -> None:
    """Returns once host:port accepts TCP connections; raises TimeoutError after `timeout` s."""
    wait_until(lambda: port_is_open(host, port), timeout, what=f"TCP {host}:{port}")


def log_tail(path, lines: int = 40) -> str:
    """The last `lines` lines of a log file, or a note that there is none (for error messages)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])
