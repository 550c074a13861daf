"""Run an ASGI app with uvicorn in a background thread on an ephemeral port (tests, `demo`).

    with BackgroundServer(create_demo_zendesk(generate_account())) as server:
        httpx.get(f"{server.url}/api/v2/users/me", headers=...)

Binding to port 0 lets many test processes run side by side; the real port is read back from
the bound socket, and `start()` returns only once the server accepts connections.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from types import TracebackType
from typing import Any

import uvicorn


class _Server(uvicorn.Server):
    # The thread has no signal handlers to install; stopping goes through should_exit.
    def install_signal_handlers(self) -> None:
        pass


class BackgroundServer:
    """An ASGI app served on `host:port` (port 0: any free one) from a daemon thread."""

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        startup_timeout: float = 10.0,
        log_level: str = "warning",
    ) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._startup_timeout = startup_timeout
        self._log_level = log_level
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._error: BaseException | None = None

    @property
    def app(self) -> Any:
        """The ASGI app being served (tests reach the backend's state through it)."""
        return self._app

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("server is not running")
        port: int = self._socket.getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:40123 (no trailing slash)."""
        return f"http://{self._host}:{self.port}"

    def start(self) -> BackgroundServer:
        # Bind here rather than in uvicorn, so the port is known before the thread starts.
        self._socket = socket.create_server((self._host, self._port), reuse_port=False)
        # asyncio does not switch Nagle off on a socket it did not create; without this every
        # small response waits for the peer's delayed ACK (~40 ms on loopback).
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        config = uvicorn.Config(
            self._app,
            log_level=self._log_level,
            lifespan="on",
            timeout_graceful_shutdown=2,
            access_log=False,
        )
        self._server = _Server(config)
        self._thread = threading.Thread(target=self._run, name="demo-zendesk", daemon=True)
        self._thread.start()
        self._wait_until_started()
        return self

    def _run(self) -> None:
        assert self._server is not None and self._socket is not None
        try:
            asyncio.run(self._server.serve(sockets=[self._socket]))
        except BaseException as error:  # reported by start() or stop()
            self._error = error

    def _wait_until_started(self) -> None:
        assert self._server is not None and self._thread is not None
        deadline = threading.Event()
        waited = 0.0
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the server thread stopped during start-up") from self._error
            if waited >= self._startup_timeout:
                self.stop()
                raise TimeoutError(f"server did not start within {self._startup_timeout} s")
            deadline.wait(0.01)
            waited += 0.01

    def stop(self) -> None:
        """Ask uvicorn to exit, wait for the thread, close the socket. Safe to call twice."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():  # last resort: stop waiting for open connections
                assert self._server is not None
                self._server.force_exit = True
                self._thread.join(timeout=5)
        if self._socket is not None:
            self._socket.close()
        self._thread = None
        self._server = None

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
