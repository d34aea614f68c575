"""GraphQL for hub meetings and their packets."""

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError
from backend.api.mutations import mutation
from backend.api.scalars import Date, DateTime
from backend.jobs.types import Job
from backend.meetings import members, models, service


@strawberry.enum
class MeetingStatus(Enum):
    SCHEDULED = "scheduled"
    SENT = "sent"


@strawberry.enum
class PacketStatus(Enum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


@strawberry.type(description="An example note as the packet shows it (masked), for the manager's check.")
class PacketExample:
    issue_id: strawberry.ID
    consultation_id: strawberry.ID
    text: str


@strawberry.type
class MeetingPacket:
    status: PacketStatus
    generated_at: DateTime | None
    html: str | None
    text: str | None
    error: str | None = strawberry.field(description="Why the packet could not be built or sent (Japanese).")
    row: strawberry.Private[models.HubMeeting]

    @strawberry.field(description="Each masked example note the packet carries; dropPacketExample takes one out.")
    async def examples(self, info: Info[Context, None]) -> list[PacketExample]:
        async with info.context.read() as session:
            rows = await service.packet_examples(session, meeting=self.row)
        return [PacketExample(issue_id=strawberry.ID(str(i)), consultation_id=strawberry.ID(str(c)), text=t)
                for i, c, t in rows]


@strawberry.type
class AgendaItem:
    position: int
    issue: Annotated["RegionalIssue", strawberry.lazy("backend.issues.types")]  # noqa: F821


@strawberry.type
class HubMeeting:
    id: strawberry.ID
    title: str
    held_on: Date
    status: MeetingStatus
    packet: MeetingPacket
    recipient_emails: list[str]
    row_id: strawberry.Private[int]

    @strawberry.field
    async def agenda(self, info: Info[Context, None]) -> list[AgendaItem]:
        from backend.issues.types import RegionalIssue
        async with info.context.read() as session:
            items = (await service.agendas(session, [self.row_id]))[self.row_id]
        return [AgendaItem(position=p, issue=RegionalIssue.of(issue)) for p, issue in items]

    @classmethod
    def of(cls, row: models.HubMeeting) -> "HubMeeting":
        return cls(id=strawberry.ID(str(row.id)), title=row.title, held_on=row.held_on, status=MeetingStatus(row.status),
                   packet=MeetingPacket(status=PacketStatus(row.packet_status), generated_at=row.packet_generated_at,
                                        html=row.packet_html, text=row.packet_text, error=row.packet_error,
                                        row=row),
                   recipient_emails=list(row.recipient_emails), row_id=row.id)


@strawberry.type(description="A member of the hub's 協議の場: the people a meeting packet may be sent to.")
class HubMember:
    id: strawberry.ID
    name: str
    organization: str | None
    email: str

    @classmethod
    def of(cls, row: models.HubMember) -> "HubMember":
        return cls(id=strawberry.ID(str(row.id)), name=row.name, organization=row.organization, email=row.email)


@strawberry.input
class AddHubMemberInput:
    hub_id: strawberry.ID
    name: str
    organization: str | None = None
    email: str


@strawberry.type
class HubMemberPayload:
    member: HubMember | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ScheduleHubMeetingInput:
    hub_id: strawberry.ID
    title: str
    held_on: Date
    issue_ids: list[strawberry.ID]
    recipient_emails: list[str]


@strawberry.type
class HubMeetingPayload:
    meeting: HubMeeting | None = None
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SendPacketPayload:
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MeetingQueries:
    @strawberry.field(description="A meeting of the caller's hub, or null.")
    async def hub_meeting(self, info: Info[Context, None], id: strawberry.ID) -> HubMeeting | None:
        async with info.context.read() as session:
            row = await service.get_visible(session, actor=info.context.actor, meeting_id=id)
        return HubMeeting.of(row) if row else None


@strawberry.type
class MeetingMutations:
    @mutation(description="Schedules a meeting; its packet is built by the workers; agenda issues become ON_AGENDA.")
    async def schedule_hub_meeting(self, info: Info[Context, None], input: ScheduleHubMeetingInput) -> HubMeetingPayload:
        async with info.context.transaction() as session:
            meeting, job = await service.schedule(session, actor=info.context.actor, hub_id=input.hub_id,
                                                  title=input.title, held_on=input.held_on, issue_ids=input.issue_ids,
                                                  recipient_emails=input.recipient_emails)
        await info.context.dispatch()
        return HubMeetingPayload(meeting=HubMeeting.of(meeting), job=Job.of(job))

    @mutation(description="Adds a member to the hub's 協議の場 (the hub's manager or an admin).")
    async def add_hub_member(self, info: Info[Context, None], input: AddHubMemberInput) -> HubMemberPayload:
        async with info.context.transaction() as session:
            row = await members.add(session, actor=info.context.actor, hub_id=input.hub_id, name=input.name,
                                    organization=input.organization, email=input.email)
        return HubMemberPayload(member=HubMember.of(row))

    @mutation(description="Removes a member from the hub's 協議の場; packets already sent stay on record.")
    async def remove_hub_member(self, info: Info[Context, None], id: strawberry.ID) -> HubMemberPayload:
        async with info.context.transaction() as session:
            row = await members.remove(session, actor=info.context.actor, member_id=id)
        return HubMemberPayload(member=HubMember.of(row))

    @mutation(description="Takes an example note out of the packet before it is sent; the packet is rebuilt.")
    async def drop_packet_example(self, info: Info[Context, None], meeting_id: strawberry.ID,
                                  consultation_id: strawberry.ID) -> HubMeetingPayload:
        async with info.context.transaction() as session:
            meeting = await service.drop_example(session, actor=info.context.actor, meeting_id=meeting_id,
                                                 consultation_id=consultation_id)
        return HubMeetingPayload(meeting=HubMeeting.of(meeting))

    @mutation(description="Sends the packet to the meeting's recipients, one message each.")
    async def send_hub_meeting_packet(self, info: Info[Context, None], meeting_id: strawberry.ID) -> SendPacketPayload:
        async with info.context.transaction() as session:
            job = await service.request_send(session, actor=info.context.actor, meeting_id=meeting_id)
        await info.context.dispatch()
        return SendPacketPayload(job=Job.of(job))
