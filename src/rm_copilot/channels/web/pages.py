"""The tablet page (one Jinja2 template plus static CSS/JS, plain JS, no build step) and `/docs`,
whose Swagger UI assets are vendored under static/ so the API documentation works offline."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
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


SWAGGER = "/static/vendor/swagger-ui"


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """OpenAPI 文档（Swagger UI，资源在本地，无需外网）。"""
    response = get_swagger_ui_html(
        openapi_url=request.app.openapi_url, title=f"{request.app.title} - 接口文档",
        swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js", swagger_css_url=f"{SWAGGER}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
    )
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response
