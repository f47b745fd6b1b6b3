"""The reporting service application."""

from __future__ import annotations

from fastapi import FastAPI

from kit.app import create_service_app
from reporting.settings import ReportingSettings

DESCRIPTION = "Owns the read models built from the registry and programs feeds, and every report."


def create_app(settings: ReportingSettings) -> FastAPI:
    return create_service_app(
        name="reporting",
        title="Sinergi reporting service",
        description=DESCRIPTION,
        settings=settings,
        routers=[],
    )


def create_app_from_env() -> FastAPI:
    return create_app(ReportingSettings())
