"""The targeting service application."""

from __future__ import annotations

from fastapi import FastAPI

from kit.app import create_service_app
from targeting.audit.router import router as audit_router
from targeting.changerequests.router import router as change_requests_router
from targeting.criteria.router import router as criteria_router
from targeting.dci.callbacks import CallbackDispatcher
from targeting.dci.openapi import DCI_TAG, without_validation_problems
from targeting.dci.router import router as dci_router
from targeting.feed.router import router as feed_router
from targeting.households.lookup import router as lookup_router
from targeting.households.router import router as households_router
from targeting.imports.jobs import JobSettings
from targeting.imports.router import router as imports_router
from targeting.imports.worker import ImportWorker
from targeting.people.router import router as people_router
from targeting.priorityareas.router import router as priority_areas_router
from targeting.regions.catalog import RegionCatalog
from targeting.regions.router import router as regions_router
from targeting.settings import TargetingSettings
from targeting.targetlists.router import router as target_lists_router

DESCRIPTION = ("Owns the DTKS registry: regions, households, members, imports, the change feed and targeting, and "
               "serves it over the DCI Social Registry API.")


async def _start_imports(app: FastAPI) -> None:
    if app.state.settings.import_worker:
        await app.state.import_worker.start()


async def _stop_imports(app: FastAPI) -> None:
    if app.state.settings.import_worker:
        await app.state.import_worker.stop()


def create_app(settings: TargetingSettings) -> FastAPI:
    dispatcher = CallbackDispatcher.from_settings(settings)

    async def close_callbacks(_: FastAPI) -> None:
        await dispatcher.aclose()

    app = create_service_app(
        name="targeting",
        title="Sinergi targeting service",
        description=DESCRIPTION,
        settings=settings,
        routers=[regions_router, lookup_router, households_router, people_router, imports_router, feed_router,
                 audit_router, criteria_router, target_lists_router, priority_areas_router, change_requests_router,
                 dci_router],
        body_limit_overrides={"/api/v1/imports": settings.import_max_bytes},
        on_startup=[_start_imports],
        on_shutdown=[_stop_imports, close_callbacks],
        openapi_tags=[DCI_TAG],
    )
    app.state.region_catalog = RegionCatalog()
    app.state.dci_callbacks = dispatcher
    app.state.import_worker = ImportWorker(
        settings.require_database_url(), import_job_settings(settings), poll_seconds=settings.import_poll_seconds)
    without_validation_problems(app)
    return app


def import_job_settings(settings: TargetingSettings) -> JobSettings:
    return JobSettings(heartbeat_seconds=settings.import_heartbeat_seconds,
                       stale_after_seconds=settings.import_stale_after_seconds,
                       max_attempts=settings.import_max_attempts)


def create_app_from_env() -> FastAPI:
    return create_app(TargetingSettings())
