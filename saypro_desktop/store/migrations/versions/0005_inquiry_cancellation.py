"""inquiry cancellation: the status Cancelled keeps its reason, when, and the inquiry a duplicate repeats

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 11:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('duplicate_of_id', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.drop_column('duplicate_of_id')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('cancel_reason')
