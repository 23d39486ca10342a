"""Versions of the tables the maps draw from (migration 0009): each statement that changes
a tracked table raises its version, so whatever was built from the data can be kept until
one of its tables changes (``web.cache``) and a change shows at the next request.

Tracked: every layer of the catalog and the tables of listings, remediation, camera
status, the incident category mapping, the school calendar and the published township rankings (``TRACKED``); ``track(conn)`` (run at every
migrate) adds the trigger to a new layer's table without a migration of its own.
"""
from __future__ import annotations

from layers.catalog import LAYERS

TRACKED = ("remediation_events", "camera_status_events", "hotspot_lists", "hotspot_list_items",
           "hotspot_status_events", "incident_focus_map", "village_video_rules", "calendar_days", "school_terms",
           "dispute_screenings", "ranking_config", "ranking_results", "survey_calls", "problems", "problem_steps")


def tracked_tables() -> list[str]:
    return sorted({layer.table for layer in LAYERS.values()} | set(TRACKED))


def track(conn) -> None:
    """Make sure every tracked table that exists raises its version when it changes."""
    with conn.cursor() as cur:
        cur.execute("SELECT track_layer_versions(to_regclass(t)) FROM unnest(%s::text[]) AS t"
                    " WHERE to_regclass(t) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_trigger"
                    "  WHERE tgrelid = to_regclass(t) AND tgname = 'layer_version_raise')",
                    (tracked_tables(),))


def data_version(conn, tables: tuple[str, ...] | None = None) -> tuple[int, ...]:
    """The versions of every tracked table (or only of ``tables``), in name order: changes
    when any of them does."""
    with conn.cursor() as cur:
        cur.execute("SELECT coalesce(array_agg(version ORDER BY name), '{}') FROM layer_versions"
                    " WHERE %(all)s OR name = ANY(%(tables)s)", {"all": tables is None, "tables": list(tables or ())})
        return tuple(cur.fetchone()[0])


def renew(conn) -> None:
    """Move every version to a fresh random range: after a restore the tables hold other
    data under versions a running server may have seen, and must not match what it kept."""
    with conn.cursor() as cur:
        cur.execute("UPDATE layer_versions SET version = version + 1 + floor(random() * 1e15)::bigint,"
                    " changed_at = now()")
