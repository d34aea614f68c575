"""Composes the Query and Mutation mixins of every domain into one schema, with its limits."""

from collections.abc import Iterator

import strawberry
from graphql import GraphQLError, OperationDefinitionNode
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    SchemaExtension,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from backend.accounts.schema import AccountMutations, AccountQueries
from backend.api.errors import MaskUnexpectedErrors
from backend.api.scalars import SCALARS
from backend.api.taxonomy import TaxonomyQueries
from backend.consultations.schema import ConsultationMutations, ConsultationQueries
from backend.issues.schema import IssueMutations, IssueQueries
from backend.meetings.schema import MeetingMutations, MeetingQueries
from backend.reports.schema import ReportMutations, ReportQueries
from backend.resources.schema import ResourceMutations, ResourceQueries
from backend.settings import Settings, get_settings


@strawberry.type
class Query(TaxonomyQueries, AccountQueries, ConsultationQueries, IssueQueries, MeetingQueries, ReportQueries,
            ResourceQueries):
    pass


@strawberry.type
class Mutation(AccountMutations, ConsultationMutations, IssueMutations, MeetingMutations, ReportMutations,
               ResourceMutations):
    pass


class OneOperationOrItsName(SchemaExtension):
    """A document with several operations needs an operationName (the GraphQL spec); strawberry would run
    the first one. Runs after the validation cache, whose cached error list it must not change."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # operation_name itself falls back to the first operation's name: ask what the client sent
        if context._provided_operation_name is None and document is not None and \
                sum(isinstance(d, OperationDefinitionNode) for d in document.definitions) > 1:
            error = GraphQLError("文書に複数の操作があります。実行する操作を operationName で指定してください。")
            context.pre_execution_errors = [*(context.pre_execution_errors or []), error]
        yield


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
        OneOperationOrItsName,
        MaskUnexpectedErrors,
    ]
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions,
                             config=StrawberryConfig(disable_field_suggestions=not settings.introspection,
                                                     scalar_map=SCALARS))


schema = build_schema(get_settings())  # for `strawberry export-schema backend.api.schema:schema`
