"""Every table of the programs schema, gathered for Alembic."""

from programs.agencies.models import Agency
from programs.database import Base
from programs.deliveries.models import Delivery
from programs.enrollments.models import Enrollment
from programs.feed.models import FeedEntry
from programs.idempotency.models import IdempotencyKey
from programs.partners.models import Partner
from programs.programmes.models import Program, ProgramPartner
from programs.spending.models import Spending

__all__ = [
    "Agency", "Base", "Delivery", "Enrollment", "FeedEntry", "IdempotencyKey", "Partner", "Program",
    "ProgramPartner", "Spending",
]
