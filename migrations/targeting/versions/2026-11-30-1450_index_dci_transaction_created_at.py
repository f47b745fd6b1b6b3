"""index dci_transaction created_at, for the retention purge

Revision ID: 3c8e2f71d5a4
Revises: 9b51c3e0a7d2
Create Date: 2026-11-30 14:50:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '3c8e2f71d5a4'
down_revision: str | None = '9b51c3e0a7d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_dci_transaction_created_at', 'dci_transaction', ['created_at'], unique=False,
                    schema='targeting')


def downgrade() -> None:
    op.drop_index('ix_dci_transaction_created_at', table_name='dci_transaction', schema='targeting')
