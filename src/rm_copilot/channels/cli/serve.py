"""`rm-copilot serve`: API + tablet page (+ the channels plugged into the app) under uvicorn."""
from __future__ import annotations

import logging
import os
import time
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="监听端口")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="工作进程数（共享同一数据库）")] = 1,
) -> None:
    """启动 HTTP 接口、平板页面和企业微信回调；首次启动时自动建立索引并载入演示数据。

    Example usage:

        rm-copilot serve
        rm-copilot serve --host 0.0.0.0 --port 8080
        rm-copilot serve --workers 4
    """
    import uvicorn

    from rm_copilot.channels.api import create_app
    from rm_copilot.channels.api.app import home_is_empty
    from rm_copilot.channels.cli.progress import embedding_progress
    from rm_copilot.services import get_services, prepare

    services = get_services()
    typer.echo(f"数据目录：{services.settings.resolved_home}    数据库：{_shown_url(services.settings.resolved_database_url)}")
    if home_is_empty(services):
        typer.echo(f"首次启动：正在为 {services.settings.resolved_home} 建立知识库索引并载入演示数据……")
        started = time.perf_counter()
        with embedding_progress() as progress:
            report = prepare(services, progress=progress)
        typer.echo(f"{report.describe()}（用时 {time.perf_counter() - started:.1f} 秒）")
        typer.echo("获取客户经理访问令牌：rm-copilot advisors token A001（令牌只显示一次，请妥善保存）")
    typer.echo(f"平板页面与接口：http://{host}:{port}/    接口文档：http://{host}:{port}/docs")
    # uvicorn's own access log prints query strings (a search may hold a name); ours prints paths only.
    if workers == 1:
        logging.getLogger("rm_copilot.api.access").setLevel(logging.INFO)
        uvicorn.run(create_app(services), host=host, port=port, access_log=False, log_config=None)
        return
    typer.echo(f"{workers} 个工作进程共享同一数据库（会话、限流、企业微信去重与活动任务都在库中）。")
    uvicorn.run("rm_copilot.channels.cli.serve:worker_app", factory=True, workers=workers, host=host, port=port,
                access_log=False, log_config=None)


def worker_app():  # noqa: ANN201 - a FastAPI app, imported by each uvicorn worker process
    """One worker's app: its own object graph over the shared home and database."""
    from rm_copilot.channels.api import create_app
    from rm_copilot.logging_setup import configure_logging

    configure_logging(os.environ.get("RM_COPILOT_LOG_LEVEL"))
    logging.getLogger("rm_copilot.api.access").setLevel(logging.INFO)
    return create_app()


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
