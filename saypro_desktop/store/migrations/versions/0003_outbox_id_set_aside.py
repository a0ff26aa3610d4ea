"""outbox id per store; changes set aside by sync

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 04:06:04.754171
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('set_aside_change',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('server_seq', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.String(length=64), nullable=False),
    sa.Column('change', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('build', sa.String(length=40), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_tried', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_aside_change'))
    )
    with op.batch_alter_table('device_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outbox_id', sa.String(length=32), nullable=True))
    # The outbox this store's existing sequence numbers counted in so far.
    op.execute("UPDATE device_state SET outbox_id = lower(hex(randomblob(16)))")
    with op.batch_alter_table('device_state', schema=None) as batch_op:
        batch_op.alter_column('outbox_id', existing_type=sa.String(length=32), nullable=False)
    # A store made before device keys registers its first key as it is (sync.identity), instead of being
    # taken for a copied data folder.
    op.execute("INSERT INTO setting (key, value) SELECT 'sync.device_key_pending', 'true' "
               "WHERE EXISTS (SELECT 1 FROM device_state)")



def downgrade() -> None:
    with op.batch_alter_table('device_state', schema=None) as batch_op:
        batch_op.drop_column('outbox_id')

    op.drop_table('set_aside_change')
