"""GraphQL over HTTP, as the spec draft says and graphql-http's audit checks (tests/api/test_graphql_over_http.py
runs it): POST with a JSON body, GET for queries only, UTF-8 only. Every message is Japanese; nothing of
the request is logged.

Three kinds of failure, three answers:
- a request that is not well-formed GraphQL over HTTP (no or broken JSON, a body that is not an object,
  parameters of the wrong type): 400 in either media type; 413/415/405/406 where HTTP has its own code;
- a GraphQL request error, found before execution (the document does not parse or validate, variables do
  not coerce, no or an unknown operation name): no `data` entry; 400 for a client that accepts
  `application/graphql-response+json`, 200 for one that accepts `application/json` only (the legacy format);
- field errors during execution: 200 with `data` (null where a non-null field failed) in either format."""

import json
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

from graphql import GraphQLError
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from backend.errors import UserInputError

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_CONTENT_TYPE = {GRAPHQL_RESPONSE: f"{GRAPHQL_RESPONSE}; charset=utf-8", JSON: f"{JSON}; charset=utf-8"}
_GET_ALLOWS = frozenset({OperationType.QUERY})
_POST_ALLOWS = frozenset({OperationType.QUERY, OperationType.MUTATION})
# built once: json.dumps with options builds a new encoder on every call
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_encode_ascii = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


class RequestError(Exception):
    """A request that cannot run: its HTTP status and the Japanese message of its one error. `graphql` marks
    a GraphQL request error (the legacy format answers those with 200), as opposed to a malformed request."""

    def __init__(self, status: int, message: str, code: str = "BAD_REQUEST", headers: dict | None = None,
                 *, graphql: bool = False) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.headers, self.graphql = status, message, code, headers, graphql


@lru_cache(maxsize=64)
def negotiate(accept: str | None) -> str | None:
    """The media type to answer in, by the Accept header's q-values; None when the client accepts neither
    JSON type. Equal preference goes to the spec's own type; `*/*` and a missing header mean JSON."""
    if not accept:
        return JSON
    best, best_rank = None, (0.0, 0)
    for part in accept.split(","):
        media, *options = part.split(";")
        media = media.strip().lower()
        if media == GRAPHQL_RESPONSE:
            candidate, specificity = GRAPHQL_RESPONSE, 2
        elif media == JSON:
            candidate, specificity = JSON, 1
        elif media in ("*/*", "application/*"):
            candidate, specificity = JSON, 0
        else:
            continue
        quality = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (quality, specificity) > best_rank:
            best, best_rank = candidate, (quality, specificity)
    return best


@lru_cache(maxsize=64)
def _content_type_problem(content_type: str | None) -> str | None:
    """Why a POST body of this Content-Type is refused (415), or None."""
    media, _, options = (content_type or "").partition(";")
    if media.strip().lower() != JSON:
        return "Content-Type: application/json で送信してください。"
    for option in options.split(";"):
        name, _, value = option.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return "文字コードは UTF-8 だけを受け付けます。"
    return None


def _json_parameter(raw: str, name: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise RequestError(400, f"{name} は JSON で指定してください。") from None


def _query_string_parameters(query_params: QueryParams) -> dict[str, Any]:
    params: dict[str, Any] = {"query": query_params.get("query"), "operationName": query_params.get("operationName")}
    for name in ("variables", "extensions"):
        if query_params.get(name):
            params[name] = _json_parameter(query_params[name], name)
    return params


def _body_parameters(content_type: str | None, body: bytes) -> Any:
    if problem := _content_type_problem(content_type):
        raise RequestError(415, problem, "UNSUPPORTED_MEDIA_TYPE")
    if not body:
        raise RequestError(400, "リクエスト本文がありません。")
    try:
        return json.loads(body.decode("utf-8"))     # strict: json.loads(bytes) would also take UTF-16/32
    except UnicodeDecodeError:
        raise RequestError(400, "リクエスト本文が UTF-8 ではありません。") from None
    except (ValueError, RecursionError):            # RecursionError: arrays nested thousands deep
        raise RequestError(400, "リクエスト本文を JSON として読めません。") from None


def check_parameters(params: Any) -> dict[str, Any]:
    """The GraphQL parameters, each of its type, or RequestError."""
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
    try:
        content = _encode(payload).encode("utf-8")
    except UnicodeEncodeError:
        # a lone surrogate (from the client's variables, echoed in an error) is not UTF-8: escape it
        content = _encode_ascii(payload).encode("ascii")
    return Response(content, status_code=status, headers=headers, media_type=_CONTENT_TYPE[media])


def error_response(error: RequestError, media: str) -> Response:
    status = 200 if error.graphql and media == JSON else error.status
    payload = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
    return _body(payload, media, status, error.headers)


def result_response(result: ExecutionResult, media: str) -> Response:
    errors = result.errors
    payload: dict[str, Any] = {}
    status = 200
    if errors:
        payload["errors"] = [japanese(e).formatted for e in errors]
        # field errors carry a path; errors without one were raised before execution began
        if result.data is None and not any(e.path for e in errors):
            if media == GRAPHQL_RESPONSE:
                unexpected = any((e.extensions or {}).get("code") == "INTERNAL_ERROR" for e in errors)
                status = 500 if unexpected else 400
        else:
            payload["data"] = result.data
    else:
        payload["data"] = result.data
    if result.extensions:
        payload["extensions"] = result.extensions
    return _body(payload, media, status)


ContextFactory = Callable[[Request], Awaitable[Any]]


def endpoint(schema, context_for: ContextFactory, *, ide: bool, max_document_bytes: int
             ) -> Callable[[Request], Awaitable[Response]]:
    ide_html = get_graphql_ide_html(graphql_ide="graphiql") if ide else None
    too_large = f"GraphQL の文書が大きすぎます（{max_document_bytes:,}文字まで）。"

    async def graphql(request: Request) -> Response:
        headers = request.headers
        post = request.method == "POST"
        if not post and ide_html and "text/html" in headers.get("accept", ""):
            return HTMLResponse(ide_html)
        accepted = negotiate(headers.get("accept"))
        media = accepted or JSON
        try:
            context = await context_for(request)          # 401 / 429 before anything is parsed
            if accepted is None:
                raise RequestError(406, "application/graphql-response+json か application/json を受け付けてください。",
                                   "NOT_ACCEPTABLE")
            if post:
                params = check_parameters(_body_parameters(headers.get("content-type"), await request.body()))
            else:
                params = check_parameters(_query_string_parameters(request.query_params))
            if len(params["query"]) > max_document_bytes:
                raise RequestError(413, too_large, "TOO_LARGE")
            try:
                async with context.trail():   # what the request showed and what scope refused, audited
                    result = await schema.execute(params["query"], variable_values=params.get("variables"),
                                                  context_value=context,
                                                  operation_name=params.get("operationName") or None,
                                                  allowed_operation_types=_POST_ALLOWS if post else _GET_ALLOWS)
            except InvalidOperationTypeError:
                raise RequestError(405, "GET で送れるのは問い合わせ（query）だけです。更新は POST で送信してください。",
                                   "METHOD_NOT_ALLOWED", {"Allow": "POST"}) from None
            except CannotGetOperationTypeError:
                raise RequestError(400, "operationName に一致する操作が文書にありません。", "UNKNOWN_OPERATION",
                                   graphql=True) from None
        except RequestError as e:
            return error_response(e, media)
        return result_response(result, media)

    return graphql


# graphql-core's request errors that need more than a Japanese lead
_TRANSLATED = {
    "Must provide operation name if query contains multiple operations.":
        ("文書に操作が複数あります。実行する操作を operationName で指定してください。", "OPERATION_NAME_REQUIRED"),
}


def japanese(error: GraphQLError) -> GraphQLError:
    """A request error (parse, validation, limits, variables) with a Japanese lead and graphql-core's detail,
    which names the field, variable or limit for the developer of the client; a user's mistake in a query's
    argument (a page size, a year) carries its stable code and field like a mutation's userErrors. Other
    field errors (with a path) and ours (with a code) stay as they are."""
    original = error.original_error
    if isinstance(original, UserInputError):
        error.extensions = {**(error.extensions or {}), "code": original.code, "field": original.field}
        return error
    if error.path is not None or (error.extensions and "code" in error.extensions):
        return error
    message, code = _TRANSLATED.get(error.message) or (f"クエリを実行できません: {error.message}",
                                                       "GRAPHQL_VALIDATION_FAILED")
    return GraphQLError(message, nodes=error.nodes, source=error.source, positions=error.positions,
                        extensions={**(error.extensions or {}), "code": code})
