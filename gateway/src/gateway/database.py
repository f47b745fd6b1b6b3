"""The gateway's own schema (`gateway`): registered API clients."""

from sqlalchemy.orm import DeclarativeBase

from kit.database import schema_metadata

SCHEMA = "gateway"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)
