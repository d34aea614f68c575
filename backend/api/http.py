"""GraphQL over HTTP, as the spec draft says and graphql-http's audit checks: POST with a JSON body, GET for
queries only. A client that accepts `application/graphql-response+json` gets 4xx for a request that never
ran (malformed body, bad parameters, a document that does not parse or validate); one that asks for
`application/json` only gets those as errors in a 200 body, as the legacy format wants. Every message is
Japanese; nothing of the request is logged."""

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from backend.errors import UserInputError

from graphql import GraphQLError

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


class RequestError(Exception):
    """A request that cannot run: the status code and the Japanese message of its one error."""

    def __init__(self, status: int, message: str, code: str = "BAD_REQUEST", headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in; None when the client accepts neither JSON type."""
    if not accept:
        return JSON
    types = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    if GRAPHQL_RESPONSE in types:
        return GRAPHQL_RESPONSE
    if JSON in types or "*/*" in types or "application/*" in types:
        return JSON
    return None


def _json_parameter(raw: str, name: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise RequestError(400, f"{name} は JSON で指定してください。") from None


def read_parameters(method: str, content_type: str | None, body: bytes, query_params) -> dict:
    """The request's GraphQL parameters, checked; RequestError for anything else."""
    if method == "GET":
        params: dict[str, Any] = {"query": query_params.get("query")}
        for name in ("variables", "extensions"):
            if query_params.get(name):
                params[name] = _json_parameter(query_params[name], name)
        params["operationName"] = query_params.get("operationName") or None
    else:
        media, _, options = (content_type or "").partition(";")
        if media.strip().lower() != JSON:
            raise RequestError(415, "Content-Type: application/json で送信してください。", "UNSUPPORTED_MEDIA_TYPE")
        charset = options.strip().lower().removeprefix("charset=").strip('"') if "charset=" in options.lower() else "utf-8"
        if charset not in ("utf-8", "utf8"):
            raise RequestError(415, "文字コードは UTF-8 だけを受け付けます。", "UNSUPPORTED_MEDIA_TYPE")
        if not body:
            raise RequestError(400, "リクエスト本文がありません。")
        try:
            params = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise RequestError(400, "リクエスト本文が UTF-8 ではありません。") from None
        except ValueError:
            raise RequestError(400, "リクエスト本文を JSON として読めません。") from None
        if not isinstance(params, dict):
            raise RequestError(400, "リクエスト本文は JSON オブジェクト（query, variables, operationName）にしてください。")
    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RequestError(400, "query（GraphQL の文書）を文字列で指定してください。")
    if not isinstance(params.get("variables"), dict | None):
        raise RequestError(400, "variables はオブジェクトで指定してください。")
    if not isinstance(params.get("operationName"), str | None):
        raise RequestError(400, "operationName は文字列で指定してください。")
    if not isinstance(params.get("extensions"), dict | None):
        raise RequestError(400, "extensions はオブジェクトで指定してください。")
    return params


def _body(payload: dict, media: str, status: int, headers: dict | None = None) -> Response:
    # a lone surrogate a client sent can come back in an error message: never a reason to fail the response
    content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")
    return Response(content, status_code=status, media_type=f"{media}; charset=utf-8", headers=headers)


def error_response(error: RequestError, media: str) -> Response:
    # the legacy format answers a request error in a 200 body, except where HTTP itself decides (401, 405, 413…)
    status = 200 if media == JSON and error.status == 400 else error.status
    payload = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
    return _body(payload, media, status, error.headers)


def result_response(result: ExecutionResult, media: str) -> Response:
    payload: dict[str, Any] = {}
    if result.errors:
        payload["errors"] = [japanese(e).formatted for e in result.errors]
    ran = result.data is not None
    if ran:
        payload["data"] = result.data
    elif not result.errors:
        payload["data"] = None
    if result.extensions:
        payload["extensions"] = result.extensions
    # a document that did not parse or validate never ran: no data entry, and 400 in the new format
    status = 400 if media == GRAPHQL_RESPONSE and not ran and result.errors else 200
    return _body(payload, media, status)


ContextFactory = Callable[[Request], Awaitable[Any]]


def endpoint(schema, context_for: ContextFactory, *, ide: bool, max_document_bytes: int
             ) -> Callable[[Request], Awaitable[Response]]:
    ide_html = get_graphql_ide_html(graphql_ide="graphiql") if ide else None

    async def graphql(request: Request) -> Response:
        method = request.method
        if method == "GET" and ide_html and "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(ide_html)
        accepted = negotiate(request.headers.get("accept"))
        media = accepted or JSON
        try:
            context = await context_for(request)          # 401 / 429 before anything is parsed
            if accepted is None:
                raise RequestError(406, "application/graphql-response+json または application/json を受け付けてください。",
                                   "NOT_ACCEPTABLE")
            params = read_parameters(method, request.headers.get("content-type"),
                                     await request.body() if method == "POST" else b"", request.query_params)
            if len(params["query"]) > max_document_bytes:
                raise RequestError(413, f"GraphQL の文書が大きすぎます（{max_document_bytes:,}文字まで）。", "TOO_LARGE")
            allowed = {OperationType.QUERY} if method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
            try:
                async with context.trail():   # what the request showed and what scope refused, audited
                    result = await schema.execute(params["query"], variable_values=params.get("variables"),
                                                  context_value=context, operation_name=params.get("operationName"),
                                                  allowed_operation_types=allowed)
            except InvalidOperationTypeError:
                raise RequestError(405, "GET で送れるのは問い合わせ（query）だけです。更新は POST で送信してください。",
                                   "METHOD_NOT_ALLOWED", {"Allow": "POST"}) from None
            except CannotGetOperationTypeError:
                raise RequestError(400, "operationName に一致する操作が文書にありません。") from None
        except RequestError as e:
            return error_response(e, media)
        return result_response(result, media)

    return graphql


def japanese(error: GraphQLError) -> GraphQLError:
    """A request-level error (parse, validation, limits) with a Japanese lead and the original detail,
    which names the field or the limit for the developer of the client; a user's mistake in a query's
    argument (a page size, a year) carries its stable code and field like a mutation's userErrors."""
    original = error.original_error
    if isinstance(original, UserInputError):
        error.extensions = {**(error.extensions or {}), "code": original.code, "field": original.field}
        return error
    if original is not None or error.path is not None or (error.extensions or {}).get("code"):
        return error   # an execution error: its message is already ours
    return GraphQLError(f"クエリを実行できません: {error.message}", nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path,
                        extensions={**(error.extensions or {}), "code": "GRAPHQL_VALIDATION_FAILED"})

