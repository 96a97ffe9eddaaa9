"""The SQLite schema and its forward migrations.

``MIGRATIONS[n]`` takes a database from version ``n`` to ``n + 1``; the version lives in
``PRAGMA user_version`` (0 for a new file). Migrations only ever add: a database written
by an older accountcare opens in a newer one, never the other way round.

Every table keeps the record whole in ``payload`` (JSON from the one converter) beside
the few columns the queries need; instants are microseconds since 1970 UTC, dates ISO
text, so both sort correctly.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE accounts (
            id TEXT PRIMARY KEY,
            owner TEXT,
            updated_us INTEGER,
            payload TEXT NOT NULL)""",
        "CREATE INDEX accounts_by_owner ON accounts (owner)",
        "CREATE INDEX accounts_by_update ON accounts (updated_us)",
        """CREATE TABLE contacts (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            payload TEXT NOT NULL)""",
        "CREATE INDEX contacts_by_account ON contacts (account_id)",
        """CREATE TABLE orders (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            ordered_on TEXT NOT NULL,
            payload TEXT NOT NULL)""",
        "CREATE INDEX orders_by_account ON orders (account_id, ordered_on)",
        "CREATE INDEX orders_by_date ON orders (ordered_on)",
        """CREATE TABLE interactions (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            occurred_us INTEGER NOT NULL,
            payload TEXT NOT NULL)""",
        "CREATE INDEX interactions_by_account ON interactions (account_id, occurred_us)",
        """CREATE TABLE complaints (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            opened_us INTEGER NOT NULL,
            payload TEXT NOT NULL)""",
        "CREATE INDEX complaints_by_account ON complaints (account_id, opened_us)",
        """CREATE TABLE tier_assignments (
            policy TEXT NOT NULL,
            as_of TEXT NOT NULL,
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            tier TEXT NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (policy, as_of, account_id))""",
        "CREATE INDEX tiers_by_account ON tier_assignments (policy, account_id, as_of)",
        "CREATE TABLE visit_plans (name TEXT PRIMARY KEY, payload TEXT NOT NULL)",
        "CREATE TABLE care_schedules (name TEXT PRIMARY KEY, payload TEXT NOT NULL)",
        """CREATE TABLE outbox (
            key TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            next_attempt_us INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            payload TEXT NOT NULL)""",
        "CREATE INDEX outbox_due ON outbox (status, next_attempt_us)",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
