"""The edge every HTTP request passes, as plain ASGI (no per-request task or stream wrapping): a request
id for the logs and audit rows, a cap on the body however it is sent (a Content-Length over it is refused
before a byte is read, a chunked body as soon as it passes it), and one access-log line without the query
string (search words must never reach a log)."""

import json
import logging
import os
import time

from backend.audit.service import request_id

log = logging.getLogger("renkei.access")


class EdgeMiddleware:
    def __init__(self, app, *, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes
        # shaped as a GraphQL error, the body most clients of a request body (POST /graphql) read
        message = f"リクエストが大きすぎます（{max_body_bytes:,}バイトまで）。"
        self.too_large = json.dumps({"errors": [{"message": message, "extensions": {"code": "TOO_LARGE"}}]},
                                    ensure_ascii=False).encode()

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

        token = request_id.set(os.urandom(8).hex())    # 16 hex digits, as uuid4().hex[:16] but cheaper
        try:
            if scope["method"] in ("POST", "PUT", "PATCH"):
                too_large = _declared_length(scope["headers"]) > self.max_body_bytes
                body = None if too_large else await self._read_body(receive)
                if body is None:
                    await _refuse(send_status, 413, self.too_large)
                    return
                receive = _replay(body, receive)
            await self.app(scope, receive, send_status)
        finally:
            request_id.reset(token)
            log.info("%s %s %s %.1fms", scope["method"], scope["path"], status, (time.perf_counter() - started) * 1000)

    async def _read_body(self, receive) -> bytes | None:
        """The whole body, or None as soon as it passes the cap (a chunked body is not read further)."""
        chunks: list[bytes] = []
        size = 0
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


def _declared_length(headers) -> int:
    """The Content-Length the client declared; 0 without one (a chunked body is counted as it comes)."""
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0    # the server refuses a malformed one before the app sees it
    return 0


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
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(text)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": text})
