"""The screens people use: server-rendered Japanese pages (Jinja2, templates/), a pinned htmx and plain
CSS (static/). Pages call the same services and policy as GraphQL, or run the contract's documents
in-process (operations.py); no scope, validation or audit rule lives here. Adding a page: docs/web.md."""

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from backend.web import security
from backend.web.core import STATIC, CsrfFailed, LoginRequired, PageNotFound, Web, check_csrf, login_url, render
from backend.web.operations import OperationFailed
from backend.web.pages import (
    account,
    admin,
    analyst,
    audit_log,
    consultation_actions,
    consultations,
    desk_report,
    home,
    intake,
    resource_pages,
    search,
    setup,
    taxonomy_admin,
    tokens,
)
from backend.web.pages.hub import ROUTERS as HUB_PAGES

log = logging.getLogger("renkei.web")
PAGES = (account.router, intake.router, search.router, consultation_actions.router, consultations.router,
         admin.router, analyst.router, setup.router, tokens.router, audit_log.router, *resource_pages.ROUTERS,
         *HUB_PAGES, desk_report.router, taxonomy_admin.router, home.router)


def mount(app: FastAPI, web: Web) -> None:
    app.state.web = web
    for router in PAGES:
        app.include_router(router, dependencies=[Depends(check_csrf)], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        from backend.web.core import redirect
        response = redirect(request, login_url(exc.next_path))
        security.clear_cookie(response, web.settings, security.session_cookie_name(web.settings))
        return response

    @app.exception_handler(PageNotFound)
    async def not_found(request: Request, exc: PageNotFound):
        return render(request, "error.html", status=404, heading="ページが見つかりません",
                      message="お探しのページは見つかりませんでした。URLが正しいか、閲覧できる範囲のページかをご確認ください。")

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed):
        log.warning("form refused: CSRF token missing or wrong on %s", request.url.path)
        return render(request, "error.html", status=403, heading="送信を受け付けられませんでした",
                      message="画面を開いてから時間がたったか、別の画面から送信された可能性があります。"
                              "ページを読み込み直してから、もう一度操作してください。",
                      back_url=request.url.path if request.method == "GET" else "/", back_label="ホームへ戻る")

    @app.exception_handler(OperationFailed)
    async def operation_failed(request: Request, exc: OperationFailed):
        return render(request, "error.html", status=500, heading="表示できませんでした",
                      message="画面の表示中にエラーが発生しました。時間をおいて再度お試しください。続く場合は管理者にご連絡ください。")

    @app.exception_handler(HTTPException)   # FastAPI's HTTPException is a subclass: one handler serves both
    async def http_error(request: Request, exc: HTTPException):
        """A browser that asked for a page gets the Japanese page; API clients keep the JSON answer."""
        wants_html = "text/html" in request.headers.get("accept", "") and "authorization" not in request.headers
        if exc.status_code == 404 and wants_html:
            return await not_found(request, PageNotFound())
        from fastapi.exception_handlers import http_exception_handler
        return await http_exception_handler(request, exc)

