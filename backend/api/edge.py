"""The edge every HTTP request passes, as plain ASGI (no per-request task or stream wrapping): a request
id for the logs and audit rows, a cap on the body however it is sent (Content-Length or chunked), and
one access-log line without the query string (search words must never reach a log)."""

import logging
import time
import uuid

from backend.audit.service import request_id

log = logging.getLogger("renkei.access")
_TOO_LARGE = "リクエストが大きすぎます。".encode()


class EdgeMiddleware:
    def __init__(self, app, *, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_status(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = request_id.set(uuid.uuid4().hex[:16])
        try:
            if scope["method"] in ("POST", "PUT", "PATCH"):
                body = await self._read_body(receive)
                if body is None:
                    await _refuse(send_status, 413, _TOO_LARGE)
                    return
                receive = _replay(body, receive)
            await self.app(scope, receive, send_status)
        finally:
            request_id.reset(token)
            log.info("%s %s %s %.1fms", scope["method"], scope["path"], status, (time.perf_counter() - started) * 1000)

    async def _read_body(self, receive) -> bytes | None:
        """The whole body, or None as soon as it passes the cap (a chunked body is not read further)."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()   # after the body: the client's disconnect, when it comes
    return replay


async def _refuse(send, status: int, text: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": text})
