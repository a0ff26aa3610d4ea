"""audit chain: every audit entry chained by hash per device (device, sequence, previous hash, own hash), and
the device's newest link; the entries the store holds are chained here, in their order (time, then insertion)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 12:40:00
"""
import json

from alembic import op
import sqlalchemy as sa

from saypro_desktop.core.audit_chain import CONTENT_FIELDS, entry_hash


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_audit_entry_chain', ['device_id', 'chain_seq'], unique=False)
    with op.batch_alter_table('device_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_seq', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('audit_hash', sa.String(length=64), nullable=True))
    _chain_existing(op.get_bind())


def _chain_existing(conn: sa.Connection) -> None:
    """Whoever wrote them (this desktop, or another one whose entries were pulled), the entries held now become
    the start of this device's chain: from here on an edit of any of them is seen. The server never had their
    hashes (they were sent before); it witnesses the entries chained from now on."""
    device = conn.execute(sa.text("SELECT device_id FROM device_state WHERE id = 1")).scalar()
    if device is None:
        return  # a new store: nothing to chain yet
    rows = conn.execute(sa.text(
        f"SELECT rowid, {', '.join(CONTENT_FIELDS)} FROM audit_entry ORDER BY at, rowid")).mappings().all()
    prev, seq = None, 0
    for row in rows:
        seq += 1
        content = dict(row)
        content["changes"] = json.loads(row["changes"]) if isinstance(row["changes"], str) else row["changes"]
        digest = entry_hash(content, device, seq, prev)
        conn.execute(sa.text("UPDATE audit_entry SET device_id = :d, chain_seq = :s, prev_hash = :p, entry_hash = :h "
                             "WHERE rowid = :r"), {"d": device, "s": seq, "p": prev, "h": digest, "r": row["rowid"]})
        prev = digest
    conn.execute(sa.text("UPDATE device_state SET audit_seq = :s, audit_hash = :h WHERE id = 1"),
                 {"s": seq, "h": prev})


def downgrade() -> None:
    with op.batch_alter_table('device_state', schema=None) as batch_op:
        batch_op.drop_column('audit_hash')
        batch_op.drop_column('audit_seq')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_chain')
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('chain_seq')
        batch_op.drop_column('device_id')
