"""Request limits: a body-size cap checked before the body is read, and a time limit.

The size cap is an ASGI middleware rather than a FastAPI dependency because a dependency runs
after Starlette has already buffered the body: here ``Content-Length`` is checked first and a
streamed (chunked) body is counted chunk by chunk and dropped at the cap, so an oversize
upload is refused with 413 without ever being held whole in memory.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

DEFAULT_MAX_BODY = 50 * 1024 * 1024


class LimitBody:
    """ASGI middleware: 413 for bodies over ``max_bytes``; 504 after ``timeout`` seconds."""

    def __init__(self, app: Any, max_bytes: int = DEFAULT_MAX_BODY, timeout: float = 120.0):
        self.app, self.max_bytes, self.timeout = app, int(max_bytes), float(timeout)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _error(send, 413, f"request body over the limit of {self.max_bytes} bytes")
            return
        if length is None and scope.get("method") in ("POST", "PUT", "PATCH"):
            # A streamed body: read it up to the cap (never more), then replay it.
            chunks, seen, more = [], 0, True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    return
                chunks.append(message.get("body", b""))
                seen += len(chunks[-1])
                more = message.get("more_body", False)
                if seen > self.max_bytes:
                    await _error(
                        send, 413, f"request body over the limit of {self.max_bytes} bytes"
                    )
                    return
            receive = _replay(b"".join(chunks))
        started = False

        async def tracked(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, receive, tracked), self.timeout)
        except TimeoutError:
            if not started:
                await _error(send, 504, f"the request took longer than {self.timeout:g} s")


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _error(send: Any, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
