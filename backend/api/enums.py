"""The taxonomy's enums, exposed to GraphQL under their upper-case keys."""

import strawberry

from backend import taxonomy as t

CareScene = strawberry.enum(t.CareScene)
CallerRole = strawberry.enum(t.CallerRole)
OrganizationType = strawberry.enum(t.OrganizationType)
Channel = strawberry.enum(t.Channel)
ConsultationCategory = strawberry.enum(t.ConsultationCategory)
ResponseType = strawberry.enum(t.ResponseType)
ConsultationStatus = strawberry.enum(t.ConsultationStatus)
Outcome = strawberry.enum(t.Outcome)
AgeBand = strawberry.enum(t.AgeBand)
CareLevel = strawberry.enum(t.CareLevel)
LivingSituation = strawberry.enum(t.LivingSituation)
SubjectFlag = strawberry.enum(t.SubjectFlag)
Role = strawberry.enum(t.Role)
RegionalIssueStatus = strawberry.enum(t.RegionalIssueStatus)
ContactKind = strawberry.enum(t.ContactKind)
