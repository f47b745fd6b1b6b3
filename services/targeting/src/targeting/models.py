"""Every table of the targeting schema, gathered for Alembic."""

from targeting.audit.models import AuditEvent
from targeting.changerequests.models import ChangeRequest, ChangeRequestEvent
from targeting.database import Base
from targeting.dci.models import DciTransaction
from targeting.feed.models import RegistryChange
from targeting.households.models import Household, Member
from targeting.idempotency.models import IdempotencyKey
from targeting.imports.models import ImportJob, ImportProblem, ImportPublication
from targeting.priorityareas.models import PriorityAreaDecision, PriorityAreaDesignation
from targeting.regions.models import Region, RegionDecree, RegionVersion
from targeting.targetlists.models import TargetList, TargetListHousehold

__all__ = ["AuditEvent", "Base", "ChangeRequest", "ChangeRequestEvent", "DciTransaction", "Household",
           "IdempotencyKey", "ImportJob", "ImportProblem", "ImportPublication", "Member", "PriorityAreaDecision",
           "PriorityAreaDesignation", "Region", "RegionDecree", "RegionVersion", "RegistryChange", "TargetList",
           "TargetListHousehold"]
