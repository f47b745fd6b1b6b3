"""Every table of the programs schema, gathered for Alembic."""

from programs.database import Base

__all__ = ["Base"]
