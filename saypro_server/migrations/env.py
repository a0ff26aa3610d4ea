"""Alembic environment of the server store. ``saypro_server.store.migrate`` passes an open connection; the
alembic CLI (autogenerate during development) passes ``-x url=...``."""

from alembic import context
from sqlalchemy import create_engine

from saypro_server.store.migrate import VERSION_TABLE, render_item
from saypro_server.store.schema import metadata

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE,
                      render_as_batch=True, render_item=render_item,
                      transactional_ddl=True, compare_type=True)
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
