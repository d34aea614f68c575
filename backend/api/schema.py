"""Composes the Query and Mutation mixins of every domain into one schema, with its limits."""

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (AddValidationRules, MaxAliasesLimiter, MaxTokensLimiter, ParserCache,
                                   QueryDepthLimiter, ValidationCache)
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
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions,
                             config=StrawberryConfig(disable_field_suggestions=not settings.introspection,
                                                     scalar_map=SCALARS))


schema = build_schema(get_settings())  # for `strawberry export-schema backend.api.schema:schema`
