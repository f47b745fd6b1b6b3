"""Every table of the reporting schema, gathered for Alembic."""

from reporting.database import Base
from reporting.readmodels import models as readmodels  # noqa: F401 - registers the tables

__all__ = ["Base"]
