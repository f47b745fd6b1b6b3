"""Load Indonesia's regions (idn-area-data 3.1.2, ODbL) as the first decree version

Revision ID: 5b0c1f7e2a10
Revises: d2fe094de3bf
Create Date: 2026-11-30 07:39:00+00:00
"""

from collections.abc import Sequence
from datetime import date

from alembic import op

from targeting.regions.loader import load_decree

revision: str = "5b0c1f7e2a10"
down_revision: str | None = "d2fe094de3bf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERENCE = "Kepmendagri 300.2.2-2138/2025"


def upgrade() -> None:
    load_decree(op.get_bind(), reference=REFERENCE, effective_from=date(2025, 1, 1),
                source="idn-area-data 3.1.2 (ODbL)")


def downgrade() -> None:
    op.execute("DELETE FROM targeting.region_version")
    op.execute("DELETE FROM targeting.region")
    op.execute("DELETE FROM targeting.region_decree")
