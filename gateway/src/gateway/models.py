"""Every table of the gateway schema, gathered for Alembic."""

from gateway.clients.models import ApiClient
from gateway.database import Base

__all__ = ["ApiClient", "Base"]
