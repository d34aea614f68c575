"""The front door and the pages listed in the navigation but not built yet."""

from fastapi import APIRouter, Depends, Request

from backend.web import nav
from backend.web.core import PageNotFound, Viewer, browser_session, redirect, render, viewer

router = APIRouter()


@router.get("/")
async def home(request: Request):
    found = await browser_session(request)
    if found is None or not found.complete:
        return redirect(request, "/login")
    return redirect(request, nav.home_of(found.actor.role))


def _placeholder(path: str, label: str):
    async def page(request: Request, me: Viewer = Depends(viewer)):
        if path not in {item.path for item in nav.for_role(me.actor.role)}:
            raise PageNotFound()
        return render(request, "placeholder.html", label=label)
    page.__name__ = f"placeholder_{path.strip('/').replace('/', '_')}"
    return page


for _path, _label in nav.placeholders().items():
    router.add_api_route(_path, _placeholder(_path, _label), methods=["GET"])
