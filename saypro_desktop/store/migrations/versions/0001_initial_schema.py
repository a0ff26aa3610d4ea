"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 12:16:33.232252
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


# Full-text search over inquiries. A plain FTS5 table keyed by the inquiry's rowid, kept current by
# triggers so every write path (services, import, sync) updates it. Rowids of a table without an
# INTEGER PRIMARY KEY may change on VACUUM: store.search.rebuild_index() must run after one.
FTS_SQL = [
    """CREATE VIRTUAL TABLE inquiry_fts USING fts5(
        ref, subject, description, actions, resolution, user_name, user_email,
        tokenize = "unicode61 remove_diacritics 2")""",
    """CREATE TRIGGER inquiry_fts_insert AFTER INSERT ON inquiry WHEN NEW.deleted = 0 BEGIN
        INSERT INTO inquiry_fts(rowid, ref, subject, description, actions, resolution, user_name, user_email)
        VALUES (NEW.rowid, trim(coalesce(NEW.inquiry_ref, '') || ' ' || coalesce(NEW.provisional_ref, '')),
                NEW.subject, NEW.description,
                (SELECT coalesce(group_concat(text, ' '), '') FROM action_step
                 WHERE inquiry_id = NEW.id AND deleted = 0),
                coalesce(NEW.resolution, ''), NEW.user_full_name, coalesce(NEW.user_email, ''));
    END""",
    """CREATE TRIGGER inquiry_fts_update AFTER UPDATE OF inquiry_ref, provisional_ref, subject, description,
        resolution, user_full_name, user_email, deleted ON inquiry BEGIN
        DELETE FROM inquiry_fts WHERE rowid = OLD.rowid;
        INSERT INTO inquiry_fts(rowid, ref, subject, description, actions, resolution, user_name, user_email)
        SELECT NEW.rowid, trim(coalesce(NEW.inquiry_ref, '') || ' ' || coalesce(NEW.provisional_ref, '')),
               NEW.subject, NEW.description,
               (SELECT coalesce(group_concat(text, ' '), '') FROM action_step
                WHERE inquiry_id = NEW.id AND deleted = 0),
               coalesce(NEW.resolution, ''), NEW.user_full_name, coalesce(NEW.user_email, '')
        WHERE NEW.deleted = 0;
    END""",
    """CREATE TRIGGER action_step_fts_insert AFTER INSERT ON action_step WHEN NEW.deleted = 0 BEGIN
        UPDATE inquiry_fts SET actions = actions || ' ' || NEW.text
        WHERE rowid = (SELECT rowid FROM inquiry WHERE id = NEW.inquiry_id);
    END""",
]


def upgrade() -> None:

    op.create_table('change_log',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('mutation_id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('hlc', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_change_log')),
    sa.UniqueConstraint('mutation_id', name=op.f('uq_change_log_mutation_id'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index('ix_change_log_state_seq', ['state', 'seq'], unique=False)

    op.create_table('device_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('device_tag', sa.String(length=4), nullable=False),
    sa.Column('hlc_wall_ms', sa.Integer(), nullable=False),
    sa.Column('hlc_counter', sa.Integer(), nullable=False),
    sa.Column('provisional_counter', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_state'))
    )
    op.create_table('id_block',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('month_key', sa.String(length=4), nullable=False),
    sa.Column('first', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.Column('next', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_id_block')),
    sa.UniqueConstraint('month_key', 'first', name=op.f('uq_id_block_month_key_first'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
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
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_entity', ['entity', 'entity_id', 'at'], unique=False)

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
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.create_index('ix_inquiry_list', ['deleted', 'logged_at', 'status', 'priority', 'category', 'mode',
                                                  'assigned_to_id', 'resolution_due_at',
                                                  sa.text('subject COLLATE NOCASE'),
                                                  sa.text('user_full_name COLLATE NOCASE')], unique=False)
        batch_op.create_index('ix_inquiry_status_logged_at', ['status', 'deleted', 'logged_at', 'priority',
                                                              'category', 'mode', 'assigned_to_id'], unique=False)
        batch_op.create_index('ix_inquiry_assigned_logged_at', ['assigned_to_id', 'deleted', 'logged_at'],
                              unique=False)
        batch_op.create_index('ix_inquiry_logged_date', ['logged_date'], unique=False)
        batch_op.create_index('ix_inquiry_resolution_due', ['resolution_due_at'], unique=False)

    op.create_table('local_credential',
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_local_credential_user_id_staff_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_local_credential'))
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
    with op.batch_alter_table('action_step', schema=None) as batch_op:
        batch_op.create_index('ix_action_step_inquiry_at', ['inquiry_id', 'at'], unique=False)

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
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index('ix_attachment_inquiry', ['inquiry_id'], unique=False)

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
    with op.batch_alter_table('inquiry_link', schema=None) as batch_op:
        batch_op.create_index('ix_inquiry_link_linked', ['linked_inquiry_id'], unique=False)


    for statement in FTS_SQL:
        op.execute(statement)


def downgrade() -> None:
    for name in ('action_step_fts_insert', 'inquiry_fts_update', 'inquiry_fts_insert'):
        op.execute(f'DROP TRIGGER IF EXISTS {name}')
    op.execute('DROP TABLE IF EXISTS inquiry_fts')

    with op.batch_alter_table('inquiry_link', schema=None) as batch_op:
        batch_op.drop_index('ix_inquiry_link_linked')

    op.drop_table('inquiry_link')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index('ix_attachment_inquiry')

    op.drop_table('attachment')
    with op.batch_alter_table('action_step', schema=None) as batch_op:
        batch_op.drop_index('ix_action_step_inquiry_at')

    op.drop_table('action_step')
    op.drop_table('local_credential')
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.drop_index('ix_inquiry_resolution_due')
        batch_op.drop_index('ix_inquiry_logged_date')
        batch_op.drop_index('ix_inquiry_assigned_logged_at')
        batch_op.drop_index('ix_inquiry_status_logged_at')
        batch_op.drop_index('ix_inquiry_list')

    op.drop_table('inquiry')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_entity')

    op.drop_table('audit_entry')
    op.drop_table('staff_user')
    op.drop_table('setting')
    op.drop_table('id_block')
    op.drop_table('device_state')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_state_seq')

    op.drop_table('change_log')

