"""Composes the Query and Mutation mixins of every domain into one schema, with its limits."""

from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import OperationDefinitionNode
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from backend.accounts.schema import AccountMutations, AccountQueries
from backend.api.errors import MaskUnexpectedErrors
from backend.api.scalars import SCALARS
from backend.api.taxonomy import TaxonomyQueries
from backend.consultations.schema import ConsultationMutations, ConsultationQueries
from backend.issues.schema import IssueMutations, IssueQueries
from backend.meetings.schema import MeetingMutations, MeetingQueries
from backend.reports.desk_schema import DeskReportMutations, DeskReportQueries
from backend.reports.schema import ReportMutations, ReportQueries
from backend.resources.schema import ResourceMutations, ResourceQueries
from backend.settings import Settings, get_settings


@strawberry.type
class Query(TaxonomyQueries, AccountQueries, ConsultationQueries, IssueQueries, MeetingQueries, ReportQueries,
            ResourceQueries, DeskReportQueries):
    pass


@strawberry.type
class Mutation(AccountMutations, ConsultationMutations, IssueMutations, MeetingMutations, ReportMutations,
               ResourceMutations, DeskReportMutations):
    pass


class _OperationAsSent(ExecutionContext):
    """The operation the client named, or the document's only one. Strawberry's own guess is the first operation
    of several when no operationName was sent, so the first would run (a mutation included) where the spec and
    graphql-core, told no name, refuse the document (the endpoint words that error in Japanese)."""

    @property
    def operation_name(self) -> str | None:
        if self._provided_operation_name is not None:
            return self._provided_operation_name
        document = self.graphql_document
        if document is None:
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        return operations[0].name.value if len(operations) == 1 and operations[0].name else None


class Schema(strawberry.Schema):
    # here rather than as a schema extension: an extension costs every request about a tenth of `{ __typename }`
    def _create_execution_context(  # noqa: PLR0917 (strawberry's signature)
        self,
        query: str | None,
        allowed_operation_types: Iterable[OperationType],
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionContext:
        return _OperationAsSent(query=query, schema=self, allowed_operations=allowed_operation_types,
                                context=context_value, root_value=root_value, variables=variable_values,
                                provided_operation_name=operation_name, operation_extensions=operation_extensions)


def build_schema(settings: Settings) -> strawberry.Schema:
    # The limits' validation rules are built once: the validation cache's key holds the rule classes, and a
    # limiter made per request makes new classes each time, so the cache would never hit.
    rules = [*QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
             *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions = [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        # bounded: the unbounded defaults grow with every distinct document a client sends
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        MaskUnexpectedErrors,
    ]
    return Schema(query=Query, mutation=Mutation, extensions=extensions,
                  config=StrawberryConfig(disable_field_suggestions=not settings.introspection, scalar_map=SCALARS))


schema = build_schema(get_settings())  # for `strawberry export-schema backend.api.schema:schema`
