"""sync trust: device keys, outboxes, push log, number gaps, upload owners

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 04:06:04.287713
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('number_gap',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('month', sa.String(length=5), nullable=False),
    sa.Column('first', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_number_gap'))
    )
    with op.batch_alter_table('number_gap', schema=None) as batch_op:
        batch_op.create_index('ix_number_gap_month_first', ['month', 'first'], unique=False)

    op.create_table('push_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('outbox_id', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('mutation_id', sa.String(length=64), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.String(length=64), nullable=False),
    sa.Column('op', sa.String(length=16), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_log')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('push_log', schema=None) as batch_op:
        batch_op.create_index('ix_push_log_at', ['at'], unique=False)
        batch_op.create_index('ix_push_log_device_id_outbox_id_seq', ['device_id', 'outbox_id', 'seq'], unique=False)

    with op.batch_alter_table('blob', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outbox_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('key_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('refresh_family', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('prev_refresh_used', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('refresh_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('refreshed_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('number_lease', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('request_id', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_number_lease_device_id_request_id', ['device_id', 'request_id'], unique=False)

    op.create_index('ix_attachment_sha256', 'attachment', ['sha256'], unique=False)

    # The token-signing secret leaves the database (a dump could mint tokens with it); it now comes from
    # SAYPRO_SERVER_SECRET or the data folder's token-secret file. Access tokens signed with the old one
    # (15-minute lifetime) get 401 and desktops refresh: refresh tokens are random and stored hashed.
    op.execute(sa.text("DELETE FROM server_meta WHERE key = 'token_secret'"))


def downgrade() -> None:
    op.drop_index('ix_attachment_sha256', table_name='attachment')

    # The deleted token secret is not put back: an older server makes a new one at its init-db.
    with op.batch_alter_table('number_lease', schema=None) as batch_op:
        batch_op.drop_index('ix_number_lease_device_id_request_id')
        batch_op.drop_column('request_id')
        batch_op.drop_column('used')

    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_column('refreshed_at')
        batch_op.drop_column('refresh_count')
        batch_op.drop_column('prev_refresh_used')
        batch_op.drop_column('refresh_family')
        batch_op.drop_column('key_hash')
        batch_op.drop_column('outbox_id')

    with op.batch_alter_table('blob', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('user_id')

    with op.batch_alter_table('push_log', schema=None) as batch_op:
        batch_op.drop_index('ix_push_log_device_id_outbox_id_seq')
        batch_op.drop_index('ix_push_log_at')

    op.drop_table('push_log')
    with op.batch_alter_table('number_gap', schema=None) as batch_op:
        batch_op.drop_index('ix_number_gap_month_first')

    op.drop_table('number_gap')
