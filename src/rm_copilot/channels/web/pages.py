"""The tablet chat page: one Jinja2 template plus static CSS/JS (plain JS, no build step)."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def tablet_page(request: Request) -> HTMLResponse:
    """客户经理平板页面。"""
    response = templates.TemplateResponse(request, "index.html", {"title": "客户经理智能助手"})
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
