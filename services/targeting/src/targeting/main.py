"""The targeting service application."""

from __future__ import annotations

from fastapi import FastAPI

from kit.app import create_service_app
from targeting.regions.router import router as regions_router
from targeting.settings import TargetingSettings

DESCRIPTION = "Owns the DTKS registry: regions, households, members, imports, the change feed and targeting."


def create_app(settings: TargetingSettings) -> FastAPI:
    return create_service_app(
        name="targeting",
        title="Sinergi targeting service",
        description=DESCRIPTION,
        settings=settings,
        routers=[regions_router],
        body_limit_overrides={"/api/v1/imports": settings.import_max_bytes},
    )


def create_app_from_env() -> FastAPI:
    return create_app(TargetingSettings())
