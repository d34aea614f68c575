"""Pages run the contract's GraphQL documents (graphql/operations/*.graphql) in-process, as the logged-in
person, through the same schema, resolvers, services and policy as /graphql: a screen shows exactly what
the API would answer that person, and the two cannot drift apart.

    data = await operations.run(request, viewer, "coordinator.graphql", "MyOpenConsultations", {"first": 50})
"""

import logging
import re
from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import Request

from backend.settings import ROOT
from backend.web.core import Viewer, web_of

log = logging.getLogger("renkei.web")
OPERATIONS = ROOT / "graphql" / "operations"


class OperationFailed(Exception):
    """The document did not run cleanly (a bug, not a person's mistake: those come back as userErrors)."""


@cache
def document(file: str, name: str) -> str:
    """One named operation of a contract file, exactly as a client sends it (read once per process)."""
    source = (OPERATIONS / Path(file).name).read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^(query|mutation|subscription) ", source, re.M)]
    for i, start in enumerate(starts):
        chunk = source[start: starts[i + 1] if i + 1 < len(starts) else len(source)]
        if re.match(rf"(query|mutation|subscription) {re.escape(name)}\b", chunk):
            return chunk
    raise KeyError(f"{name} is not in graphql/operations/{file}")


async def run(request: Request, viewer: Viewer, file: str, name: str, variables: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    """The operation's `data` as the viewer's API call would return it. GraphQL errors (never expected
    from the contract's own documents) raise OperationFailed; the log names the operation, not the data."""
    return await execute(request, viewer, document(file, name), name, variables)


async def execute(request: Request, viewer: Viewer, source: str, name: str, variables: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
    """`run` for a page's own document where the contract has none: still the API's schema, resolvers and
    scope, so the page cannot show more than /graphql would."""
    web = web_of(request)
    context = web.context_for(viewer.actor)
    async with context.trail():   # audited like the API: what the page showed, what scope refused
        result = await web.schema.execute(source, variable_values=variables or {},
                                          context_value=context, operation_name=name)
    if result.errors:
        log.error("operation %s failed: %s", name, [e.extensions.get("code") if e.extensions else None
                                                    for e in result.errors])
        raise OperationFailed(name)
    return result.data or {}
