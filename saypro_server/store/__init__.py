"""The server's store: tables, engines and transactions, migrations."""
