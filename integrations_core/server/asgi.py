"""The ASGI plumbing of the server: read one HTTP request, write one :class:`Response`.

No web framework: the ASGI 3 interface only (``scope``, ``receive``, ``send``), so the
application runs on any ASGI server and mounts in any ASGI framework.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from ..responses import Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass
class Request:
    """What a route handler sees of an HTTP request."""

    method: str
    path: str
    """The path below the mount point (``root_path``), percent-decoded, as ASGI gives it."""
    query: str
    """The raw query string (not decoded)."""
    headers: dict[str, str]
    """Header names lower-cased; a repeated header keeps its first value."""
    body: bytes = b""
    body_too_large: bool = False
    site_url: str = ""
    """``scheme://host`` plus the mount point: where the server is reached."""
    client: str = "-"
    user: str | None = field(default=None)
    """The user the request authenticated as, for the request log."""


async def read_request(scope: Scope, receive: Receive, max_body: int) -> Request:
    """The request of an ``http`` scope, its body read up to ``max_body`` bytes."""
    headers: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    root = scope.get("root_path", "") or ""
    path = scope.get("path", "/") or "/"
    if root and path.startswith(root):
        path = path[len(root):] or "/"
    host = headers.get("host") or _server(scope)
    client = scope.get("client")
    request = Request(
        method=str(scope.get("method", "GET")).upper(),
        path=path,
        query=bytes(scope.get("query_string", b"")).decode("utf-8", "replace"),
        headers=headers,
        site_url=f"{scope.get('scheme', 'http')}://{host}{root}",
        client=f"{client[0]}:{client[1]}" if client else "-",
    )
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_body:
            request.body_too_large = True
        elif chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    request.body = b"" if request.body_too_large else b"".join(chunks)
    return request


def _server(scope: Scope) -> str:
    server = scope.get("server")
    if not server:
        return "localhost"
    host, port = server[0], server[1]
    return host if port is None else f"{host}:{port}"


async def write_response(send: Send, response: Response, *, head: bool = False) -> None:
    """Send ``response`` (its JSON body, unless ``head``)."""
    body = response.json().encode("utf-8", "surrogatepass")
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1"))
               for name, value in response.headers.items()]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


async def lifespan(receive: Receive, send: Send) -> None:
    """Answer the ``lifespan`` protocol: nothing to start or stop."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
