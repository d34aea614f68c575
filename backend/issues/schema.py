"""GraphQL for the hub workbench: the issue board, grouping requests, curation, job status."""

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.enums import RegionalIssueStatus
from backend.api.errors import UserError
from backend.api.mutations import mutation
from backend.errors import UserInputError, parse_id
from backend.issues import service
from backend.issues.types import RegionalIssue
from backend.jobs import service as jobs
from backend.jobs.types import Job
from backend.regions import service as regions
from backend.regions.types import Hub


@strawberry.input
class UpdateRegionalIssueInput:
    id: strawberry.ID
    title: str | None = None
    status: RegionalIssueStatus | None = None
    note: str | None = strawberry.UNSET


@strawberry.input
class MergeRegionalIssuesInput:
    into_id: strawberry.ID
    from_ids: list[strawberry.ID]


@strawberry.input
class MoveConsultationInput:
    consultation_id: strawberry.ID
    from_issue_id: strawberry.ID
    to_issue_id: strawberry.ID | None = None


@strawberry.type
class JobPayload:
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RegionalIssuePayload:
    regional_issue: RegionalIssue | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MoveConsultationPayload:
    from_: RegionalIssue | None = strawberry.field(default=None, name="from")
    to: RegionalIssue | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class IssueQueries:
    @strawberry.field(description="A hub in the caller's scope, or null.")
    async def hub(self, info: Info[Context, None], id: strawberry.ID) -> Hub | None:
        try:
            hub_id = parse_id(id, ["id"], "拠点")
        except UserInputError:
            return None
        async with info.context.read() as session:
            hub = await regions.get_visible_hub(session, actor=info.context.actor, hub_id=hub_id)
        return Hub.of(hub) if hub else None

    @strawberry.field
    async def regional_issue(self, info: Info[Context, None], id: strawberry.ID) -> RegionalIssue | None:
        async with info.context.read() as session:
            row = await service.get_visible(session, actor=info.context.actor, issue_id=id)
        return RegionalIssue.of(row) if row else None

    @strawberry.field(description="A job the caller started or that concerns the caller's hub or prefecture.")
    async def job(self, info: Info[Context, None], id: strawberry.ID) -> Job | None:
        try:
            job_id = parse_id(id, ["id"], "ジョブ")
        except UserInputError:
            return None
        async with info.context.read() as session:
            row = await jobs.get_visible(session, actor=info.context.actor, job_id=job_id)
        return Job.of(row) if row else None


@strawberry.type
class IssueMutations:
    @mutation(description="Asks the workers to (re)group the hub's consultations of that fiscal year.")
    async def request_issue_grouping(self, info: Info[Context, None], hub_id: strawberry.ID, fiscal_year: int) -> JobPayload:
        async with info.context.transaction() as session:
            job = await service.request_grouping(session, actor=info.context.actor, hub_id=hub_id, fiscal_year=fiscal_year)
        await info.context.dispatch()
        return JobPayload(job=Job.of(job))

    @mutation()
    async def update_regional_issue(self, info: Info[Context, None], input: UpdateRegionalIssueInput) -> RegionalIssuePayload:
        async with info.context.transaction() as session:
            row = await service.update_issue(session, actor=info.context.actor, issue_id=input.id, title=input.title,
                                             status=input.status, note=None if input.note is strawberry.UNSET else input.note,
                                             note_given=input.note is not strawberry.UNSET)
        return RegionalIssuePayload(regional_issue=RegionalIssue.of(row))

    @mutation(description="Merges issues of the same hub, scene and year into one.")
    async def merge_regional_issues(self, info: Info[Context, None], input: MergeRegionalIssuesInput) -> RegionalIssuePayload:
        async with info.context.transaction() as session:
            row = await service.merge(session, actor=info.context.actor, into_id=input.into_id, from_ids=input.from_ids)
        return RegionalIssuePayload(regional_issue=RegionalIssue.of(row))

    @mutation(description="Moves a consultation to another issue of the same scene, or takes it out (toIssueId null).")
    async def move_consultation_between_issues(self, info: Info[Context, None], input: MoveConsultationInput) -> MoveConsultationPayload:
        async with info.context.transaction() as session:
            src, dst = await service.move(session, actor=info.context.actor, consultation_id=input.consultation_id,
                                          from_issue_id=input.from_issue_id, to_issue_id=input.to_issue_id)
        return MoveConsultationPayload(from_=RegionalIssue.of(src), to=RegionalIssue.of(dst) if dst else None)
