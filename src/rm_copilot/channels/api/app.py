"""The FastAPI app factory: API routers, the tablet page, and the channels that plug in beside them."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from rm_copilot.channels.api.errors import install_error_handlers
from rm_copilot.channels.api.main import api_router
from rm_copilot.channels.api.middleware import RequestContextMiddleware
from rm_copilot.channels.api.routes import health
from rm_copilot.channels.web import pages
from rm_copilot.channels.wecom.router import router as wecom_router
from rm_copilot.channels.wecom.router import start_channel as start_wecom_channel
from rm_copilot.services import Services, get_services

log = logging.getLogger("rm_copilot.api")


def home_is_empty(services: Services) -> bool:
    """No demo customers or no indexed knowledge yet: the first serve on a fresh home."""
    return services.customers.count() == 0 or len(services.knowledge_index) == 0


def prepare_if_empty(services: Services) -> bool:
    from rm_copilot.services import ensure_composer_terms, ensure_semantic_judgements, prepare

    if not home_is_empty(services):
        # a home indexed before the composer's saved word lists or the meaning layer's saved judgements
        for ensure, what in ((ensure_composer_terms, "composer word lists"),
                             (ensure_semantic_judgements, "meaning-layer judgements")):
            try:
                ensure(services)
            except Exception as error:  # only a speed-up: answers are checked as before
                log.warning("%s not saved: %s", what, type(error).__name__)
        return False
    log.warning("首次启动：正在建立知识库索引并载入演示数据……")
    log.warning(prepare(services).describe())
    return True


def warm_up_or_log(services: Services) -> None:
    """Each worker loads its models before it accepts requests; a failure here is met again, and
    answered in Chinese, by the first request that needs the broken part."""
    from rm_copilot.services import warm_up

    try:
        warm_up(services)
    except Exception as error:
        log.warning("warm-up incomplete: %s", type(error).__name__)


def create_app(services: Services | None = None, *, prepare_on_startup: bool = True) -> FastAPI:
    services = services or get_services()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if prepare_on_startup:
            await run_in_threadpool(prepare_if_empty, services)
            await run_in_threadpool(warm_up_or_log, services)
        await run_in_threadpool(start_wecom_channel, app, services)
        yield

    app = FastAPI(
        title="rm-copilot 客户经理智能助手",
        version="0.1.0",
        description="客户标签 + 产品知识库 → 合规的营销话术与问答。所有 /api/v1 接口需要 Bearer 令牌。",
        lifespan=lifespan,
        docs_url=None,  # served by channels.web.pages with vendored Swagger UI assets (works offline)
    )
    app.state.services = services
    app.state.chat_limiter = services.chat_limiter  # counted in the store: shared by every worker process
    app.add_middleware(RequestContextMiddleware)
    install_error_handlers(app)

    app.include_router(health.router)
    app.include_router(api_router)
    app.include_router(pages.router)
    pages.mount_static(app)
    # Other channels plug in here, one line each.
    app.include_router(wecom_router)
    return app
