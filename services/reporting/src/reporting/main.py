"""The reporting service application: the reports, and the consumer that keeps their read models current."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import FastAPI

from kit.app import create_service_app
from kit.http import create_http_client
from reporting.consumer.leadership import Leadership
from reporting.consumer.sources import ClientCredentials, Source
from reporting.consumer.worker import Consumer
from reporting.reports.router import router as reports_router
from reporting.settings import ReportingSettings

DESCRIPTION = "Owns the read models built from the registry and programs feeds, and every report."


def create_consumer(app: FastAPI, settings: ReportingSettings) -> Consumer:
    http = create_http_client(timeout=settings.source_timeout_seconds)
    app.state.consumer_http = http
    credentials = ClientCredentials(http, settings.token_url, settings.client_id or "", settings.client_secret or "")
    return Consumer(
        app.state.sessionmaker,
        targeting=Source(create_http_client(base_url=settings.targeting_url, timeout=settings.source_timeout_seconds),
                         credentials),
        programs=Source(create_http_client(base_url=settings.programs_url, timeout=settings.source_timeout_seconds),
                        credentials),
        page_size=settings.feed_page_size, poll_interval=settings.poll_interval_seconds,
        designations_interval=settings.designations_interval_seconds, leadership=Leadership(app.state.engine),
    )


async def _start_consumer(app: FastAPI) -> None:
    settings: ReportingSettings = app.state.settings
    if not settings.client_id:
        return
    consumer = app.state.consumer = create_consumer(app, settings)
    app.state.consumer_stop = asyncio.Event()
    app.state.consumer_task = asyncio.create_task(consumer.run(app.state.consumer_stop), name="feed-consumer")


async def _stop_consumer(app: FastAPI) -> None:
    task: asyncio.Task[None] | None = getattr(app.state, "consumer_task", None)
    if task is None:
        return
    app.state.consumer_stop.set()
    try:
        await asyncio.wait_for(task, timeout=10)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    for source in app.state.consumer.sources.values():
        await source.http.aclose()
    await app.state.consumer_http.aclose()


def create_app(settings: ReportingSettings) -> FastAPI:
    return create_service_app(
        name="reporting",
        title="Sinergi reporting service",
        description=DESCRIPTION,
        settings=settings,
        routers=[reports_router],
        on_startup=[_start_consumer],
        on_shutdown=[_stop_consumer],
    )


def create_app_from_env() -> FastAPI:
    return create_app(ReportingSettings())
