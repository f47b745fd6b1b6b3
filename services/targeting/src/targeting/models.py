"""Every table of the targeting schema, gathered for Alembic."""

from targeting.database import Base
from targeting.regions.models import Region, RegionDecree, RegionVersion

__all__ = ["Base", "Region", "RegionDecree", "RegionVersion"]
