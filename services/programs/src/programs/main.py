"""The programs service application."""

from __future__ import annotations

from fastapi import FastAPI

from kit.app import create_service_app
from programs.settings import ProgramsSettings

DESCRIPTION = "Owns agencies (OPD), programmes, enrolments, deliveries, spending and partners."


def create_app(settings: ProgramsSettings) -> FastAPI:
    return create_service_app(
        name="programs",
        title="Sinergi programs service",
        description=DESCRIPTION,
        settings=settings,
        routers=[],
    )


def create_app_from_env() -> FastAPI:
    return create_app(ProgramsSettings())
