"""knowledge base, canned replies and feedback: articles, votes, suggested edits, inquiry-article links, canned
replies, users' feedback, and the satisfaction survey's state

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _tables(op, sa, indexes: bool) -> None:
    """The tables; ``indexes``: with the desktop's indexes for its lists (the server has its own)."""
    def base():
        return [sa.Column('id', sa.String(length=36), nullable=False),
                sa.Column('created_at', sa.DateTime(), nullable=False),
                sa.Column('updated_at', sa.DateTime(), nullable=False),
                sa.Column('deleted', sa.Boolean(), server_default='0', nullable=False),
                sa.Column('field_versions', sa.JSON(), nullable=False)]

    def staff_fk(table, column):
        return sa.ForeignKeyConstraint([column], ['staff_user.id'], name=op.f(f'fk_{table}_{column}_staff_user'))

    op.create_table('kb_article',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('related_ids', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.String(length=36), nullable=True),
    sa.Column('created_by_id', sa.String(length=36), nullable=True),
    sa.Column('written_at', sa.DateTime(), nullable=False),
    sa.Column('last_reviewed_at', sa.DateTime(), nullable=False),
    sa.Column('review_every_days', sa.Integer(), nullable=False),
    *base(),
    staff_fk('kb_article', 'created_by_id'), staff_fk('kb_article', 'owner_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_article'))
    )
    if indexes:
        with op.batch_alter_table('kb_article', schema=None) as batch_op:
            batch_op.create_index('ix_kb_article_category', ['category', 'status', 'deleted'], unique=False)

    op.create_table('kb_vote',
    sa.Column('article_id', sa.String(length=36), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('voter_id', sa.String(length=36), nullable=True),
    sa.Column('voted_at', sa.DateTime(), nullable=False),
    sa.Column('inquiry_id', sa.String(length=36), nullable=True),
    *base(),
    sa.ForeignKeyConstraint(['article_id'], ['kb_article.id'], name=op.f('fk_kb_vote_article_id_kb_article')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiry.id'], name=op.f('fk_kb_vote_inquiry_id_inquiry')),
    staff_fk('kb_vote', 'voter_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_vote'))
    )
    if indexes:
        with op.batch_alter_table('kb_vote', schema=None) as batch_op:
            batch_op.create_index('ix_kb_vote_article', ['article_id'], unique=False)

    op.create_table('kb_suggestion',
    sa.Column('article_id', sa.String(length=36), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('suggested_by_id', sa.String(length=36), nullable=True),
    sa.Column('suggested_at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('handled_by_id', sa.String(length=36), nullable=True),
    sa.Column('handled_at', sa.DateTime(), nullable=True),
    *base(),
    sa.ForeignKeyConstraint(['article_id'], ['kb_article.id'], name=op.f('fk_kb_suggestion_article_id_kb_article')),
    staff_fk('kb_suggestion', 'handled_by_id'), staff_fk('kb_suggestion', 'suggested_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_suggestion'))
    )
    if indexes:
        with op.batch_alter_table('kb_suggestion', schema=None) as batch_op:
            batch_op.create_index('ix_kb_suggestion_article', ['article_id'], unique=False)

    op.create_table('inquiry_article',
    sa.Column('inquiry_id', sa.String(length=36), nullable=False),
    sa.Column('article_id', sa.String(length=36), nullable=False),
    sa.Column('linked_by_id', sa.String(length=36), nullable=True),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    *base(),
    sa.ForeignKeyConstraint(['article_id'], ['kb_article.id'], name=op.f('fk_inquiry_article_article_id_kb_article')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiry.id'], name=op.f('fk_inquiry_article_inquiry_id_inquiry')),
    staff_fk('inquiry_article', 'linked_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry_article'))
    )
    if indexes:
        with op.batch_alter_table('inquiry_article', schema=None) as batch_op:
            batch_op.create_index('ix_inquiry_article_article', ['article_id'], unique=False)
            batch_op.create_index('ix_inquiry_article_inquiry', ['inquiry_id'], unique=False)

    op.create_table('canned_reply',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('use', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('edited_by_id', sa.String(length=36), nullable=True),
    *base(),
    staff_fk('canned_reply', 'edited_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_reply'))
    )
    if indexes:
        with op.batch_alter_table('canned_reply', schema=None) as batch_op:
            batch_op.create_index('ix_canned_reply_name', ['name'], unique=False)


    op.create_table('feedback',
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('sentiment', sa.String(length=40), nullable=False),
    sa.Column('priority', sa.String(length=40), nullable=False),
    sa.Column('inquiry_id', sa.String(length=36), nullable=True),
    sa.Column('ad_id', sa.String(length=36), nullable=True),
    sa.Column('from_name', sa.String(length=200), nullable=True),
    sa.Column('from_contact', sa.String(length=254), nullable=True),
    sa.Column('recorded_by_id', sa.String(length=36), nullable=True),
    *base(),
    sa.ForeignKeyConstraint(['ad_id'], ['ad.id'], name=op.f('fk_feedback_ad_id_ad')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiry.id'], name=op.f('fk_feedback_inquiry_id_inquiry')),
    staff_fk('feedback', 'recorded_by_id'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    if indexes:
        with op.batch_alter_table('feedback', schema=None) as batch_op:
            batch_op.create_index('ix_feedback_received', ['deleted', 'received_at', 'theme', 'priority',
                                                           'sentiment'], unique=False)

    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('survey_state', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('survey_at', sa.DateTime(), nullable=True))


def _drop(op) -> None:
    with op.batch_alter_table('inquiry', schema=None) as batch_op:
        batch_op.drop_column('survey_at')
        batch_op.drop_column('survey_state')
    for table in ('feedback', 'canned_reply', 'inquiry_article', 'kb_suggestion', 'kb_vote', 'kb_article'):
        op.drop_table(table)


def upgrade() -> None:
    _tables(op, sa, indexes=False)


def downgrade() -> None:
    _drop(op)
