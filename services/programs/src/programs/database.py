"""The programs schema's declarative base."""

from sqlalchemy.orm import DeclarativeBase

from kit.database import schema_metadata

SCHEMA = "programs"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)
