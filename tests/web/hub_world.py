"""A hub with something on its board, for the hub manager's screens (HTTP tests, browser journey,
screenshots): 協議の場 members, consultations logged through the API, and two issues of the same scene
raised by the manager (deterministic, unlike grouping) plus whatever grouping finds."""

from dataclasses import dataclass

from backend.accounts.actor import Actor
from backend.db import transaction
from backend.issues import service as issues
from backend.taxonomy import CareScene, Role
from tests import clock
from tests.helpers import log_input, operation

LOG = operation("coordinator.graphql", "LogConsultation")
ADD_MEMBER = operation("hub.graphql", "AddHubMember")
MEMBERS = [("佐藤 花子", "市医師会", "hanako.sato@ishikai.example.jp"),
           ("鈴木 一郎", "地域包括支援センター", "ichiro.suzuki@houkatsu.example.jp")]
DISCHARGE = ["来週退院予定の方の訪問診療医が見つからないと病院MSWから相談",
             "退院が決まったが在宅医が決まらず退院日が延びそう",
             "退院前カンファレンスに訪問診療の医師が参加できない",
             "退院後の往診医を探しているが近くの診療所に断られた",
             "退院調整で在宅の主治医が見つからずケアマネが困っている"]
NIGHT = ["退院後の夜間の連絡先がなく家族が不安を訴えている",
         "退院した方の夜間・休日の訪問看護の体制が取れない",
         "夜間に状態が変わったとき誰に連絡するか決まっていない"]


@dataclass
class HubData:
    consultation_ids: list[int]
    first_issue: int       # 在宅医の確保 (5 consultations)
    second_issue: int      # 夜間の連絡体制 (3 consultations), same scene: may be merged into the first


async def add_members(gql, world, members=MEMBERS) -> None:
    for name, organization, email in members:
        out = await gql(world.manager, ADD_MEMBER, {"input": {"hubId": str(world.hub_id), "name": name,
                                                              "organization": organization, "email": email}})
        assert out["data"]["addHubMember"]["userErrors"] == [], out


async def hub_data(gql, sessions, world, *, members: bool = True) -> HubData:
    if members:
        await add_members(gql, world)
    ids = []
    for note in DISCHARGE + NIGHT:
        out = await gql(world.coordinator, LOG, {"input": log_input(
            world.municipality_code, summary=note, callerRole="MEDICAL_SOCIAL_WORKER",
            primaryScene="ADMISSION_DISCHARGE", scenes=["ADMISSION_DISCHARGE"])})
        ids.append(int(out["data"]["logConsultation"]["consultation"]["id"]))
    manager = Actor(user_id=world.manager_id, role=Role.HUB_MANAGER, hub_id=world.hub_id)
    async with transaction(sessions) as s:
        first = await issues.raise_issue(s, actor=manager, hub_id=world.hub_id, fiscal_year=clock.fiscal_year(),
                                         scene=CareScene.ADMISSION_DISCHARGE, title="退院後の在宅医（訪問診療医）の確保",
                                         signature=f"test:doctor:{world.hub_id}", consultation_ids=ids[:5])
        second = await issues.raise_issue(s, actor=manager, hub_id=world.hub_id, fiscal_year=clock.fiscal_year(),
                                          scene=CareScene.ADMISSION_DISCHARGE, title="退院後の夜間の連絡体制",
                                          signature=f"test:night:{world.hub_id}", consultation_ids=ids[5:])
        first_id, second_id = first.id, second.id
    return HubData(consultation_ids=ids, first_issue=first_id, second_issue=second_id)
