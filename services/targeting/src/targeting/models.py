"""Every table of the targeting schema, gathered for Alembic."""

from targeting.audit.models import AuditEvent
from targeting.database import Base
from targeting.feed.models import RegistryChange
from targeting.households.models import Household, Member
from targeting.idempotency.models import IdempotencyKey
from targeting.imports.models import ImportJob, ImportProblem, ImportPublication
from targeting.regions.models import Region, RegionDecree, RegionVersion

__all__ = ["AuditEvent", "Base", "Household", "IdempotencyKey", "ImportJob", "ImportProblem", "ImportPublication",
           "Member", "Region", "RegionDecree", "RegionVersion", "RegistryChange"]
