"""Alembic plumbing shared by every schema's environment: version table inside the schema, autogenerate
filtered to it, so one service's migration can never propose touching another's tables."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, create_engine, pool, text

from kit.database import sqlalchemy_url

ROOT = Path(__file__).resolve().parents[4]
ALEMBIC_INI = ROOT / "alembic.ini"


def run_environment(metadata: MetaData, schema: str) -> None:
    """Body of a schema's env.py (online mode only: migrations always run against a live database)."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("Set DATABASE_URL to migrate.")
    engine = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)

    def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
        if type_ == "schema":
            return name == schema
        return True

    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.commit()
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=include_name,
            compare_type=True,
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def alembic_config(schema: str, database_url: str) -> Config:
    config = Config(str(ALEMBIC_INI), ini_section=schema)
    config.set_main_option("script_location", str(ROOT / "migrations" / schema))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(schemas: list[str], database_url: str) -> None:
    for schema in schemas:
        command.upgrade(alembic_config(schema, database_url), "head")
