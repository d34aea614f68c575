"""Regional issues (地域課題): reading, grouping and curation."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.issues.models import IssueMembership, RegionalIssue


async def issues_for_consultations(session: AsyncSession, consultation_ids: list[int]) -> dict[int, list[RegionalIssue]]:
    rows = await session.execute(
        select(IssueMembership.consultation_id, RegionalIssue)
        .join(RegionalIssue, RegionalIssue.id == IssueMembership.issue_id)
        .where(IssueMembership.consultation_id.in_(consultation_ids))
        .order_by(RegionalIssue.id))
    out: dict[int, list[RegionalIssue]] = {i: [] for i in consultation_ids}
    for cid, issue in rows:
        out[cid].append(issue)
    return out
