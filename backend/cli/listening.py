"""The listening socket of `serve` and `demo`, bound before anything else starts.

Binding first makes a taken port a one-line error before any work is done (and before the
demo touches its database). The socket is made with IPPROTO_TCP so that asyncio switches
Nagle off on every accepted connection: uvicorn's own socket for `--workers` has protocol 0,
asyncio then leaves Nagle on, and each small answer waits ~40 ms for the client's delayed ACK.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from backend.cli.environment import fail
from backend.observability.logs import LogFormat, logging_config


def listen(host: str, port: int, *, hint: str = "set PORT or --port") -> socket.socket:
    """A socket listening on host:port, or exit with one line saying why not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        fail(f"HOST: cannot listen on {host!r}: {error.strerror}")
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        fail(f"PORT: cannot listen on {host}:{port}: {error.strerror or error}; {hint}")
    sock.set_inheritable(True)
    return sock


def run_server(
    app: Any,
    sock: socket.socket,
    *,
    log_level: str,
    log_format: LogFormat = "text",
    workers: int = 1,
    **options: Any,
) -> None:
    """Serve `app` (an app, or an import string of a factory when workers > 1) on `sock`."""
    config = uvicorn.Config(
        app,
        factory=workers > 1,
        workers=workers,
        log_config=logging_config(log_level, log_format),
        **options,
    )
    try:
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
