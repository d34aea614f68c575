"""One mutation path: a service's UserInputError becomes the payload's `userErrors` (the transaction was
rolled back, nothing is written), so no resolver repeats the try/except; and inputs become the domain's
dataclasses by one function."""

import dataclasses
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, get_args, get_type_hints

import strawberry
from strawberry.extensions import FieldExtension

from backend.api.errors import UserError
from backend.errors import UserInputError

T = TypeVar("T")


class UserErrorsAsData(FieldExtension):
    def apply(self, field: Any) -> None:
        self.field = field   # its type is the payload, resolved by the time a request runs

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except UserInputError as e:
            return self.field.type(user_errors=[UserError.of(e)])


def mutation(*, description: str | None = None, **kwargs: Any) -> Any:
    """`strawberry.mutation` whose payload carries the user's mistakes as data."""
    return strawberry.mutation(description=description, extensions=[UserErrorsAsData()], **kwargs)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _nested_dataclass(hint: Any) -> type | None:
    """The dataclass a field holds: itself, optional, or a list of it."""
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return hint
    for argument in get_args(hint):
        if (found := _nested_dataclass(argument)) is not None:
            return found
    return None


def to_domain(value: Any, cls: type[T]) -> T:
    """A strawberry input as the service's dataclass, field by field (same names). A field the client left
    out takes the dataclass's default (UNSET in a change set: "leave as is"); an explicit null stays None,
    except where the default is an empty collection."""
    kwargs: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        given = getattr(value, field.name, strawberry.UNSET)
        if given is strawberry.UNSET:
            continue
        if given is None and field.default_factory is not dataclasses.MISSING:
            given = field.default_factory()
        elif given is not None and (nested := _nested_dataclass(_hints(cls)[field.name])) is not None:
            given = [to_domain(g, nested) for g in given] if isinstance(given, list) else to_domain(given, nested)
        kwargs[field.name] = given
    return cls(**kwargs)

