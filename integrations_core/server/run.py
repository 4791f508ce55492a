"""``serve()``: run the ASGI application on uvicorn (the optional extra ``server``)."""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Callable
from typing import Any, TextIO

from .app import LOG, IntegrationsServer

INSTALL_HINT = 'the server needs uvicorn: pip install "integrations_core[server]"'


class ServerUnavailable(RuntimeError):
    """uvicorn is not installed, or the address cannot be bound."""


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: one the system picks)."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(info[0], socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[4])
        sock.listen(128)
    except OSError as exc:
        raise ServerUnavailable(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def url_of(sock: socket.socket) -> str:
    """The base URL a socket from :func:`bind` is reached at."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(
    app: IntegrationsServer,
    host: str = "127.0.0.1",
    port: int = 3000,
    *,
    ready: Callable[[str], Any] | None = None,
    log: TextIO | None = None,
) -> None:
    """Serve ``app`` until interrupted (Ctrl-C or SIGTERM stop it cleanly).

    ``ready(url)`` is called once the socket listens; one line per request is logged to
    ``log`` (default: standard error).
    """
    try:
        import uvicorn
    except ImportError:
        raise ServerUnavailable(INSTALL_HINT) from None
    sock = bind(host, port)
    handler = logging.StreamHandler(log or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    try:
        if ready is not None:
            ready(url_of(sock))
        config = uvicorn.Config(app, access_log=False, log_level="warning", lifespan="on")
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled, once it has stopped
        pass
    finally:
        LOG.removeHandler(handler)
        sock.close()
