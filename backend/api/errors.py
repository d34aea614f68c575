"""userErrors as data (a mutation never raises for a user's mistake) and masking of the rest."""

import logging
import uuid

import strawberry
from strawberry.extensions import MaskErrors

from backend.errors import UserInputError
from backend.tracebacks import describe
from graphql import GraphQLError

log = logging.getLogger("renkei.api")


@strawberry.type
class UserError:
    field: list[str]
    message: str
    code: str

    @classmethod
    def of(cls, error: UserInputError) -> "UserError":
        return cls(field=error.field, message=error.message, code=error.code)


class MaskUnexpectedErrors(MaskErrors):
    """Unexpected exceptions reach the client as a generic message with an error id that the log
    carries too; validation and permission errors (no original exception) stay readable."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_unexpected, error_message="予期しないエラーが発生しました。")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        error_id = uuid.uuid4().hex[:12]
        original = error.original_error
        # the exception type, id and where: messages may carry the user's text
        log.error("unexpected error id=%s path=%s type=%s\n%s", error_id, error.path, type(original).__name__,
                  describe(original) if original else "")
        return GraphQLError(message=f"{self.error_message}（エラーID: {error_id}）", nodes=error.nodes,
                            source=error.source, positions=error.positions, path=error.path,
                            extensions={"code": "INTERNAL_ERROR", "errorId": error_id})


def _unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, (GraphQLError, UserInputError, PermissionError))
