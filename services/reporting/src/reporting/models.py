"""Every table of the reporting schema, gathered for Alembic."""

from reporting.database import Base

__all__ = ["Base"]
