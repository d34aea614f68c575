"""The Taxonomy query: every enum with its Japanese label, so no client hard-codes one."""

import strawberry

from backend import taxonomy as t
from backend.api import enums as e


@strawberry.type
class CareSceneOption:
    value: e.CareScene
    label: str
    description: str


@strawberry.type
class CategoryOption:
    value: e.ConsultationCategory
    label: str
    scene: e.CareScene


def _option_type(enum_gql, name: str):
    return strawberry.type(type(name, (), {"__annotations__": {"value": enum_gql, "label": str}}))


CallerRoleOption = _option_type(e.CallerRole, "CallerRoleOption")
OrganizationTypeOption = _option_type(e.OrganizationType, "OrganizationTypeOption")
ChannelOption = _option_type(e.Channel, "ChannelOption")
ResponseTypeOption = _option_type(e.ResponseType, "ResponseTypeOption")
OutcomeOption = _option_type(e.Outcome, "OutcomeOption")
StatusOption = _option_type(e.ConsultationStatus, "ConsultationStatusOption")
AgeBandOption = _option_type(e.AgeBand, "AgeBandOption")
CareLevelOption = _option_type(e.CareLevel, "CareLevelOption")
LivingSituationOption = _option_type(e.LivingSituation, "LivingSituationOption")
SubjectFlagOption = _option_type(e.SubjectFlag, "SubjectFlagOption")
RoleOption = _option_type(e.Role, "RoleOption")
IssueStatusOption = _option_type(e.RegionalIssueStatus, "RegionalIssueStatusOption")


def _all(option, enum_cls) -> list:
    return [option(value=m, label=m.label) for m in enum_cls]


@strawberry.type
class Taxonomy:
    care_scenes: list[CareSceneOption]
    caller_roles: list[CallerRoleOption]
    organization_types: list[OrganizationTypeOption]
    channels: list[ChannelOption]
    categories: list[CategoryOption]
    response_types: list[ResponseTypeOption]
    outcomes: list[OutcomeOption]
    statuses: list[StatusOption]
    age_bands: list[AgeBandOption]
    care_levels: list[CareLevelOption]
    living_situations: list[LivingSituationOption]
    subject_flags: list[SubjectFlagOption]
    roles: list[RoleOption]
    regional_issue_statuses: list[IssueStatusOption]


TAXONOMY = Taxonomy(
    care_scenes=[CareSceneOption(value=s, label=s.label, description=t.SCENE_DESCRIPTIONS[s]) for s in t.CareScene],
    caller_roles=_all(CallerRoleOption, t.CallerRole),
    organization_types=_all(OrganizationTypeOption, t.OrganizationType),
    channels=_all(ChannelOption, t.Channel),
    categories=[CategoryOption(value=c, label=c.label, scene=t.CATEGORY_SCENE[c]) for c in t.ConsultationCategory],
    response_types=_all(ResponseTypeOption, t.ResponseType),
    outcomes=_all(OutcomeOption, t.Outcome),
    statuses=_all(StatusOption, t.ConsultationStatus),
    age_bands=_all(AgeBandOption, t.AgeBand),
    care_levels=_all(CareLevelOption, t.CareLevel),
    living_situations=_all(LivingSituationOption, t.LivingSituation),
    subject_flags=_all(SubjectFlagOption, t.SubjectFlag),
    roles=_all(RoleOption, t.Role),
    regional_issue_statuses=_all(IssueStatusOption, t.RegionalIssueStatus),
)


@strawberry.type
class TaxonomyQueries:
    @strawberry.field
    def taxonomy(self) -> Taxonomy:
        return TAXONOMY
