"""The hub manager's screens, mounted together (web/__init__.py): 地域課題ボード and an issue's page,
協議の場, メンバー."""

from backend.web.pages import hub_board, hub_issue, hub_meetings, hub_members

ROUTERS = (hub_board.router, hub_issue.router, hub_meetings.router, hub_members.router)
