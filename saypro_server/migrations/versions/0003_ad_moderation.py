"""ad moderation and the site: the desktop's moderation tables (ads, decisions, reports, sanctions, appeals,
the weekly audit, the moderation policy) and the server's own (integration keys, the site's event feed, ad
images, claims)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 07:55:18.720637
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ad_claim',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('ad_ids', sa.JSON(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_claim'))
    )
    with op.batch_alter_table('ad_claim', schema=None) as batch_op:
        batch_op.create_index('ix_ad_claim_device_id_request_id', ['device_id', 'request_id'], unique=True)

    op.create_table('integration',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('key_hint', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_integration_key_hash'))
    )
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.create_index('ix_integration_name', ['name'], unique=False)

    op.create_table('site_event',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('ad_id', sa.String(length=36), nullable=True),
    sa.Column('subject_id', sa.String(length=36), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_site_event')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('site_event', schema=None) as batch_op:
        batch_op.create_index('ix_site_event_ad_id_kind', ['ad_id', 'kind'], unique=False)

    op.create_table('ad',
    sa.Column('external_id', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('price_minor', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('subcategory', sa.String(length=80), nullable=True),
    sa.Column('ad_type', sa.String(length=40), nullable=False),
    sa.Column('advertiser_id', sa.String(length=80), nullable=False),
    sa.Column('advertiser_name', sa.String(length=200), nullable=False),
    sa.Column('advertiser_email', sa.String(length=254), nullable=True),
    sa.Column('advertiser_phone', sa.String(length=40), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('images', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('decision_id', sa.String(length=36), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.String(length=36), nullable=True),
    sa.Column('claimed_by_id', sa.String(length=36), nullable=True),
    sa.Column('claim_expires_at', sa.DateTime(), nullable=True),
    sa.Column('report_count', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['staff_user.id'], name=op.f('fk_ad_claimed_by_id_staff_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_user.id'], name=op.f('fk_ad_decided_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad')),
    sa.UniqueConstraint('external_id', 'version', name=op.f('uq_ad_external_id_version'))
    )
    with op.batch_alter_table('ad', schema=None) as batch_op:
        batch_op.create_index('ix_ad_status_expires_at', ['status', 'expires_at'], unique=False)
        batch_op.create_index('ix_ad_status_submitted_at', ['status', 'submitted_at'], unique=False)

    op.create_table('moderation_policy',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('templates', sa.JSON(), nullable=False),
    sa.Column('edited_by_id', sa.String(length=36), nullable=True),
    sa.Column('edited_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['edited_by_id'], ['staff_user.id'], name=op.f('fk_moderation_policy_edited_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_policy'))
    )
    op.create_table('ad_decision',
    sa.Column('ad_id', sa.String(length=36), nullable=False),
    sa.Column('moderator_id', sa.String(length=36), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('decision', sa.String(length=40), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('rules_version', sa.Integer(), nullable=True),
    sa.Column('risk', sa.Integer(), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('follows_id', sa.String(length=36), nullable=True),
    sa.Column('settles_id', sa.String(length=36), nullable=True),
    sa.Column('standing', sa.Boolean(), nullable=False),
    sa.Column('conflict_with_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ad_id'], ['ad.id'], name=op.f('fk_ad_decision_ad_id_ad')),
    sa.ForeignKeyConstraint(['moderator_id'], ['staff_user.id'], name=op.f('fk_ad_decision_moderator_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_decision'))
    )
    with op.batch_alter_table('ad_decision', schema=None) as batch_op:
        batch_op.create_index('ix_ad_decision_ad_id', ['ad_id'], unique=False)

    op.create_table('ad_image',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('ad_id', sa.String(length=36), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['ad_id'], ['ad.id'], name=op.f('fk_ad_image_ad_id_ad')),
    sa.PrimaryKeyConstraint('sha256', 'ad_id', name=op.f('pk_ad_image'))
    )
    op.create_table('ad_report',
    sa.Column('ad_id', sa.String(length=36), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=80), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('reporter', sa.String(length=200), nullable=True),
    sa.Column('recorded_by_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ad_id'], ['ad.id'], name=op.f('fk_ad_report_ad_id_ad')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_ad_report_recorded_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_report'))
    )
    op.create_table('sanction',
    sa.Column('advertiser_id', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('ad_id', sa.String(length=36), nullable=True),
    sa.Column('issued_by_id', sa.String(length=36), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('lifted_at', sa.DateTime(), nullable=True),
    sa.Column('lifted_by_id', sa.String(length=36), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ad_id'], ['ad.id'], name=op.f('fk_sanction_ad_id_ad')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['staff_user.id'], name=op.f('fk_sanction_issued_by_id_staff_user')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['staff_user.id'], name=op.f('fk_sanction_lifted_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sanction'))
    )
    op.create_table('appeal',
    sa.Column('ad_id', sa.String(length=36), nullable=False),
    sa.Column('decision_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.String(length=36), nullable=True),
    sa.Column('inquiry_id', sa.String(length=36), nullable=True),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.Column('decided_by_id', sa.String(length=36), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ad_id'], ['ad.id'], name=op.f('fk_appeal_ad_id_ad')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_user.id'], name=op.f('fk_appeal_decided_by_id_staff_user')),
    sa.ForeignKeyConstraint(['decision_id'], ['ad_decision.id'], name=op.f('fk_appeal_decision_id_ad_decision')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiry.id'], name=op.f('fk_appeal_inquiry_id_inquiry')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_appeal_recorded_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal'))
    )
    op.create_table('moderation_audit',
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('decision_id', sa.String(length=36), nullable=False),
    sa.Column('seed', sa.String(length=40), nullable=False),
    sa.Column('drawn_by_id', sa.String(length=36), nullable=True),
    sa.Column('drawn_at', sa.DateTime(), nullable=False),
    sa.Column('auditor_id', sa.String(length=36), nullable=True),
    sa.Column('verdict', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('marked_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('field_versions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['auditor_id'], ['staff_user.id'], name=op.f('fk_moderation_audit_auditor_id_staff_user')),
    sa.ForeignKeyConstraint(['decision_id'], ['ad_decision.id'], name=op.f('fk_moderation_audit_decision_id_ad_decision')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['staff_user.id'], name=op.f('fk_moderation_audit_drawn_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_audit')),
    sa.UniqueConstraint('decision_id', name=op.f('uq_moderation_audit_decision_id'))
    )


def downgrade() -> None:
    op.drop_table('moderation_audit')
    op.drop_table('appeal')
    op.drop_table('sanction')
    op.drop_table('ad_report')
    op.drop_table('ad_image')
    with op.batch_alter_table('ad_decision', schema=None) as batch_op:
        batch_op.drop_index('ix_ad_decision_ad_id')

    op.drop_table('ad_decision')
    op.drop_table('moderation_policy')
    with op.batch_alter_table('ad', schema=None) as batch_op:
        batch_op.drop_index('ix_ad_status_submitted_at')
        batch_op.drop_index('ix_ad_status_expires_at')

    op.drop_table('ad')
    with op.batch_alter_table('site_event', schema=None) as batch_op:
        batch_op.drop_index('ix_site_event_ad_id_kind')

    op.drop_table('site_event')
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.drop_index('ix_integration_name')

    op.drop_table('integration')
    with op.batch_alter_table('ad_claim', schema=None) as batch_op:
        batch_op.drop_index('ix_ad_claim_device_id_request_id')

    op.drop_table('ad_claim')
