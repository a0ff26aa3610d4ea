"""audit chain: audit entries carry their device's hash chain (device, sequence, previous hash, own hash), and
the server keeps every chained entry as it received it (audit_link); entries received before have no link

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 12:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True))
    op.create_table('audit_link',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=True),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('stored_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('pushed_by', sa.String(length=36), nullable=False),
    sa.Column('pushed_from', sa.String(length=36), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_link')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('audit_link', schema=None) as batch_op:
        batch_op.create_index('ix_audit_link_device_id_seq', ['device_id', 'seq'], unique=False)
        batch_op.create_index('ix_audit_link_entry_id', ['entry_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_link', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_link_entry_id')
        batch_op.drop_index('ix_audit_link_device_id_seq')
    op.drop_table('audit_link')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('chain_seq')
        batch_op.drop_column('device_id')
