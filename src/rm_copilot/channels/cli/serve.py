"""`rm-copilot serve`: API + tablet page (+ the channels plugged into the app) under uvicorn."""
from __future__ import annotations

import logging
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="监听端口")] = 8000,
) -> None:
    """启动 HTTP 接口、平板页面和企业微信回调；首次启动时自动建立索引并载入演示数据。

    Example usage:

        rm-copilot serve
        rm-copilot serve --host 0.0.0.0 --port 8080
    """
    import uvicorn

    from rm_copilot.bootstrap import prepare
    from rm_copilot.channels.api import create_app
    from rm_copilot.channels.api.app import home_is_empty
    from rm_copilot.services import get_services

    services = get_services()
    if home_is_empty(services):
        typer.echo(f"首次启动：正在为 {services.settings.resolved_home} 建立知识库索引并载入演示数据……")
        typer.echo(prepare(services).describe())
        typer.echo("获取客户经理访问令牌：rm-copilot advisors token A001（令牌只显示一次，请妥善保存）")
    logging.getLogger("rm_copilot.api.access").setLevel(logging.INFO)
    typer.echo(f"平板页面与接口：http://{host}:{port}/    接口文档：http://{host}:{port}/docs")
    # uvicorn's own access log prints query strings (a search may hold a name); ours prints paths only.
    uvicorn.run(create_app(services), host=host, port=port, access_log=False, log_config=None)
