"""server initial schema: the desktop's synced tables plus the server's own

Revision ID: 0001
Revises:
Create Date: 2026-11-23 13:16:23.949712
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('auth_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.Column('event', sa.String(length=30), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_event'))
    )
    with op.batch_alter_table('auth_event', schema=None) as batch_op:
        batch_op.create_index('ix_auth_event_username_id', ['username', 'id'], unique=False)

    op.create_table('blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('received', sa.BigInteger(), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blob'))
    )
    op.create_table('change_feed',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('versions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_change_feed')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('change_feed', schema=None) as batch_op:
        batch_op.create_index('ix_change_feed_table_name_seq', ['table_name', 'seq'], unique=False)

    op.create_table('conflict',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('kept_value', sa.JSON(), nullable=True),
    sa.Column('kept_stamp', sa.String(length=64), nullable=False),
    sa.Column('losing_value', sa.JSON(), nullable=True),
    sa.Column('losing_stamp', sa.String(length=64), nullable=False),
    sa.Column('kept_device', sa.String(length=36), nullable=True),
    sa.Column('losing_device', sa.String(length=36), nullable=True),
    sa.Column('pushed_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('settled', sa.Boolean(), nullable=False),
    sa.Column('settled_at', sa.DateTime(), nullable=True),
    sa.Column('settled_by', sa.String(length=36), nullable=True),
    sa.Column('settled_value', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict'))
    )
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.create_index('ix_conflict_row_id', ['row_id'], unique=False)
        batch_op.create_index('ix_conflict_settled_id', ['settled', 'id'], unique=False)

    op.create_table('number_counter',
    sa.Column('month', sa.String(length=4), nullable=False),
    sa.Column('next', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_number_counter'))
    )
    op.create_table('number_lease',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('month', sa.String(length=4), nullable=False),
    sa.Column('first', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_number_lease'))
    )
    with op.batch_alter_table('number_lease', schema=None) as batch_op:
        batch_op.create_index('ix_number_lease_month_first', ['month', 'first'], unique=False)

    op.create_table('server_meta',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_server_meta'))
    )
    op.create_table('staff_user',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('access_expires_on', sa.Date(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_user')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_user_username'))
    )
    op.create_table('audit_entry',
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id'], name=op.f('fk_audit_entry_actor_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    op.create_table('blob_chunk',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('start', sa.BigInteger(), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['blob.sha256'], name=op.f('fk_blob_chunk_sha256_blob')),
    sa.PrimaryKeyConstraint('sha256', 'start', name=op.f('pk_blob_chunk'))
    )
    op.create_table('credential',
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_credential_user_id_staff_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_credential'))
    )
    op.create_table('device',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('refresh_hash', sa.String(length=64), nullable=True),
    sa.Column('prev_refresh_hash', sa.String(length=64), nullable=True),
    sa.Column('refresh_expires_at', sa.DateTime(), nullable=True),
    sa.Column('token_gen', sa.Integer(), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=True),
    sa.Column('last_seq', sa.BigInteger(), nullable=True),
    sa.Column('pulled_seq', sa.BigInteger(), nullable=True),
    sa.Column('schema', sa.String(length=40), nullable=True),
    sa.Column('build', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_device_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device'))
    )
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.create_index('ix_device_user_id', ['user_id'], unique=False)

    op.create_table('inquiry',
    sa.Column('inquiry_ref', sa.String(length=20), nullable=True),
    sa.Column('provisional_ref', sa.String(length=40), nullable=True),
    sa.Column('logged_at', sa.DateTime(), nullable=False),
    sa.Column('logged_date', sa.Date(), nullable=False),
    sa.Column('received_by_id', sa.String(length=36), nullable=True),
    sa.Column('mode', sa.String(length=40), nullable=False),
    sa.Column('user_full_name', sa.String(length=200), nullable=False),
    sa.Column('user_email', sa.String(length=254), nullable=True),
    sa.Column('user_phone', sa.String(length=40), nullable=True),
    sa.Column('user_type', sa.String(length=40), nullable=False),
    sa.Column('user_account_id', sa.String(length=80), nullable=True),
    sa.Column('user_location', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('category_other', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('priority', sa.String(length=40), nullable=False),
    sa.Column('priority_overridden', sa.Boolean(), nullable=False),
    sa.Column('assigned_to_id', sa.String(length=36), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('ack_due_at', sa.DateTime(), nullable=False),
    sa.Column('resolution_due_at', sa.DateTime(), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_date', sa.Date(), nullable=True),
    sa.Column('resolved_on_first_contact', sa.Boolean(), nullable=False),
    sa.Column('user_confirmation', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('escalated', sa.Boolean(), nullable=False),
    sa.Column('escalation_tier', sa.String(length=40), nullable=True),
    sa.Column('escalation_reason', sa.Text(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('auto_escalated', sa.Boolean(), nullable=False),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('feedback_rating', sa.Integer(), nullable=True),
    sa.Column('feedback_comment', sa.Text(), nullable=True),
    sa.Column('in_monthly_report', sa.Boolean(), nullable=False),
    sa.Column('in_quarterly_file', sa.Boolean(), nullable=False),
    sa.Column('quarter', sa.String(length=40), nullable=False),
    sa.Column('classified_category', sa.String(length=40), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['staff_user.id'], name=op.f('fk_inquiry_assigned_to_id_staff_user')),
    sa.ForeignKeyConstraint(['received_by_id'], ['staff_user.id'], name=op.f('fk_inquiry_received_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry')),
    sa.UniqueConstraint('inquiry_ref', name=op.f('uq_inquiry_inquiry_ref')),
    sa.UniqueConstraint('provisional_ref', name=op.f('uq_inquiry_provisional_ref'))
    )
    op.create_table('action_step',
    sa.Column('inquiry_id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff_user.id'], name=op.f('fk_action_step_author_id_staff_user')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiry.id'], name=op.f('fk_action_step_inquiry_id_inquiry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_step'))
    )
    op.create_table('attachment',
    sa.Column('inquiry_id', sa.String(length=36), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=120), nullable=False),
    sa.Column('added_by_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['staff_user.id'], name=op.f('fk_attachment_added_by_id_staff_user')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiry.id'], name=op.f('fk_attachment_inquiry_id_inquiry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    op.create_table('inquiry_link',
    sa.Column('inquiry_id', sa.String(length=36), nullable=False),
    sa.Column('linked_inquiry_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiry.id'], name=op.f('fk_inquiry_link_inquiry_id_inquiry')),
    sa.ForeignKeyConstraint(['linked_inquiry_id'], ['inquiry.id'], name=op.f('fk_inquiry_link_linked_inquiry_id_inquiry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry_link')),
    sa.UniqueConstraint('inquiry_id', 'linked_inquiry_id', name=op.f('uq_inquiry_link_inquiry_id_linked_inquiry_id'))
    )


def downgrade() -> None:
    op.drop_table('inquiry_link')
    op.drop_table('attachment')
    op.drop_table('action_step')
    op.drop_table('inquiry')
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_index('ix_device_user_id')

    op.drop_table('device')
    op.drop_table('credential')
    op.drop_table('blob_chunk')
    op.drop_table('audit_entry')
    op.drop_table('staff_user')
    op.drop_table('server_meta')
    with op.batch_alter_table('number_lease', schema=None) as batch_op:
        batch_op.drop_index('ix_number_lease_month_first')

    op.drop_table('number_lease')
    op.drop_table('number_counter')
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.drop_index('ix_conflict_settled_id')
        batch_op.drop_index('ix_conflict_row_id')

    op.drop_table('conflict')
    with op.batch_alter_table('change_feed', schema=None) as batch_op:
        batch_op.drop_index('ix_change_feed_table_name_seq')

    op.drop_table('change_feed')
    op.drop_table('blob')
    with op.batch_alter_table('auth_event', schema=None) as batch_op:
        batch_op.drop_index('ix_auth_event_username_id')

    op.drop_table('auth_event')
