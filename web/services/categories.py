"""The incident category mapping (R4): what the admin page and the API list and change.

Each change is recorded in the audit log (who, when, the category, its focus before and
after, how many incidents moved). Refusals are typed errors (InvalidInput naming the field).
"""
from __future__ import annotations

from layers import audit, categories
from layers.catalog import INCIDENT_FOCUS
from layers.categories import FOCUS_LABELS
from web.services.accounts import Actor


def listing(conn, county_code: str) -> dict:
    """The focus groups with their Chinese labels and every known or used category with its
    group, where that comes from and how many incidents are written so."""
    rows = categories.mapping(conn, county_code)
    for row in rows:
        row["focus_label"] = FOCUS_LABELS[row["focus"]]
        row["fixed"] = categories.category_key(row["category"]) in INCIDENT_FOCUS  # a group's own code
    return {"focus": [{"code": c, "label": FOCUS_LABELS[c]} for c in INCIDENT_FOCUS],
            "categories": rows, "sources": categories.SOURCES}


def set_focus(conn, county_code: str, actor: Actor, category: str, focus: str) -> dict:
    """Map ``category`` (as written) to ``focus`` for the county; the county's incidents
    written so move to that group at once. Returns {category, focus, before, incidents}."""
    done = categories.set_focus(conn, county_code, category, focus, actor.name)
    audit.record(conn, "category_mapped", actor=actor.name, target=category,
                 before={"focus": done["before"]}, after={"focus": focus, "incidents": done["incidents"]},
                 address=actor.address)
    return done
