"""The trivial upstream of the gateway benchmark: the kit's service shell (the same middleware, error
handlers and token verification as every service) with one authenticated endpoint that touches no
database, so a run measures what the gateway adds to the cheapest request a service can answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI

from kit.app import create_service_app
from kit.auth import Principal, current_principal
from kit.settings import ProcessSettings

PATH = "/api/v1/targeting/ping"

router = APIRouter()


@router.get(PATH)
async def ping(principal: Annotated[Principal, Depends(current_principal)]) -> dict[str, str]:
    return {"client_id": principal.client_id, "region": principal.region}


def create_app_from_env() -> FastAPI:
    return create_service_app(
        name="bench-stub", title="Benchmark stub", description="A trivial authenticated endpoint.",
        settings=ProcessSettings(), routers=[router],
    )
