"""Alembic environment of the desktop store. The app passes an open connection; the alembic CLI
(for autogenerate during development) passes a URL with ``-x url=sqlite:///...``."""

from alembic import context
from sqlalchemy import create_engine

from saypro_desktop.models import Base

config = context.config


def _include(obj, name, type_, reflected, compare_to):
    # The FTS5 search index and its shadow tables are managed by hand in migrations; Alembic cannot
    # compare expression indexes (ix_inquiry_list sorts with COLLATE NOCASE) on SQLite.
    if type_ == "table" and name and name.startswith(("inquiry_fts", "kb_fts")):
        return False
    return not (type_ == "index" and name == "ix_inquiry_list")


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      include_object=_include, transactional_ddl=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()
