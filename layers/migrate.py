"""Numbered schema migrations, applied in order, each once."""
from __future__ import annotations

import logging
from pathlib import Path

LOGGER = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
LOCK_ID = 4109990001  # advisory lock so two starting processes do not race


def migration_files() -> list[Path]:
    """Return the migration files in the order they apply (0001_…, 0002_…)."""
    return sorted(MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.sql"))


def migrate(conn) -> list[str]:
    """Apply the migrations not yet applied; return their names.

    Runs in the caller's connection and commits each migration on its own.
    """
    applied_now = []
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", (LOCK_ID,))
        try:
            cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
            conn.commit()
            cur.execute("SELECT name FROM schema_migrations")
            done = {row[0] for row in cur.fetchall()}
            for path in migration_files():
                if path.name in done:
                    continue
                LOGGER.info("applying migration %s", path.name)
                cur.execute(path.read_text(encoding="utf-8"))
                if path.name == "0011_village_video_rule.sql":  # past remediations on an exception,
                    from layers import remediation  # in the migration's own transaction

                    LOGGER.info("recorded %d past remediations as exceptions to R2", remediation.mark_legacy(conn))
                cur.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (path.name,))
                conn.commit()
                applied_now.append(path.name)
            if "0009_layer_versions.sql" in done or "0009_layer_versions.sql" in applied_now:
                from layers import versions
                versions.track(conn)
                conn.commit()
        except Exception:
            conn.rollback()
            raise
        finally:
            cur.execute("SELECT pg_advisory_unlock(%s)", (LOCK_ID,))
            conn.commit()
    return applied_now
