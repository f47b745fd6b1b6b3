"""The programs service application."""

from __future__ import annotations

from fastapi import FastAPI

from kit.app import create_service_app
from kit.http import create_http_client
from programs.agencies.router import router as agencies_router
from programs.deliveries.router import router as deliveries_router
from programs.enrollments.router import router as enrollments_router
from programs.feed.router import router as feed_router
from programs.interventions.router import router as interventions_router
from programs.partners.router import router as partners_router
from programs.programmes.router import router as programmes_router
from programs.settings import ProgramsSettings
from programs.spending.router import router as spending_router

DESCRIPTION = "Owns agencies (OPD), programmes, enrolments, deliveries, spending and partners."


async def _close_registry(app: FastAPI) -> None:
    await app.state.registry_http.aclose()


def create_app(settings: ProgramsSettings) -> FastAPI:
    app = create_service_app(
        name="programs",
        title="Sinergi programs service",
        description=DESCRIPTION,
        settings=settings,
        routers=[agencies_router, programmes_router, enrollments_router, deliveries_router, spending_router,
                 interventions_router, partners_router, feed_router],
        body_limit_overrides={"/api/v1/programs": settings.batch_max_bytes},
        on_shutdown=[_close_registry],
    )
    # The registry lives in the targeting service; tests swap this client for one on an in-process app.
    app.state.registry_http = create_http_client(
        base_url=settings.targeting_url, timeout=settings.targeting_timeout_seconds
    )
    return app


def create_app_from_env() -> FastAPI:
    return create_app(ProgramsSettings())
