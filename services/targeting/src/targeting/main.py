"""The targeting service application."""

from __future__ import annotations

from fastapi import FastAPI

from kit.app import create_service_app
from targeting.audit.router import router as audit_router
from targeting.feed.router import router as feed_router
from targeting.households.lookup import router as lookup_router
from targeting.households.router import router as households_router
from targeting.imports.jobs import JobSettings
from targeting.imports.router import router as imports_router
from targeting.imports.worker import ImportWorker
from targeting.people.router import router as people_router
from targeting.regions.catalog import RegionCatalog
from targeting.regions.router import router as regions_router
from targeting.settings import TargetingSettings

DESCRIPTION = "Owns the DTKS registry: regions, households, members, imports, the change feed and targeting."


async def _start_imports(app: FastAPI) -> None:
    if app.state.settings.import_worker:
        await app.state.import_worker.start()


async def _stop_imports(app: FastAPI) -> None:
    if app.state.settings.import_worker:
        await app.state.import_worker.stop()


def create_app(settings: TargetingSettings) -> FastAPI:
    app = create_service_app(
        name="targeting",
        title="Sinergi targeting service",
        description=DESCRIPTION,
        settings=settings,
        routers=[regions_router, lookup_router, households_router, people_router, imports_router, feed_router,
                 audit_router],
        body_limit_overrides={"/api/v1/imports": settings.import_max_bytes},
        on_startup=[_start_imports],
        on_shutdown=[_stop_imports],
    )
    app.state.region_catalog = RegionCatalog()
    app.state.import_worker = ImportWorker(
        settings.require_database_url(), import_job_settings(settings), poll_seconds=settings.import_poll_seconds)
    return app


def import_job_settings(settings: TargetingSettings) -> JobSettings:
    return JobSettings(heartbeat_seconds=settings.import_heartbeat_seconds,
                       stale_after_seconds=settings.import_stale_after_seconds,
                       max_attempts=settings.import_max_attempts)


def create_app_from_env() -> FastAPI:
    return create_app(TargetingSettings())
