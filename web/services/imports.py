"""The import history (issue 13, item 4): what the admin's page and the API list, and the
undo of a layer's last import.

Entries are those of ``layers.import_history`` with the layer's Chinese title added
(``layer_title``) and, for an undo, ``kind`` 'undo' (else 'import'). Refusals are typed
errors: FeatureNotFound (404) for an unknown id, Conflict (409) when an import may not be
undone, with a message saying why.
"""
from __future__ import annotations

from layers import import_history
from layers.catalog import importable
from web.services.accounts import Actor


def _shown(entry: dict) -> dict:
    layer = importable().get(entry["layer"])
    return {**entry, "layer_title": layer.title if layer else entry["layer"],
            "kind": "undo" if entry["undoes"] is not None else "import"}


def listing(conn, county_code: str, *, layer: str | None = None, limit: int = 100,
            before_id: int | None = None) -> dict:
    """The newest entries first, of one layer when given; ``next_before`` pages on (None
    on the last page)."""
    rows = [_shown(e) for e in import_history.entries(conn, county_code, layer=layer, limit=limit,
                                                      before_id=before_id)]
    return {"imports": rows, "next_before": rows[-1]["id"] if len(rows) == limit else None}


def entry(conn, county_code: str, import_id: int) -> dict:
    """One entry (FeatureNotFound when unknown)."""
    return _shown(import_history.entry(conn, county_code, import_id))


def last_per_layer(conn, county_code: str) -> dict[str, dict]:
    """Each layer's newest entry by layer name (layers never imported are absent)."""
    return {name: _shown(e) for name, e in import_history.last_per_layer(conn, county_code).items()}


def undo(conn, county_code: str, import_id: int, actor: Actor | str | None) -> dict:
    """Undo import ``import_id`` (its layer's last import not yet undone): the layer is
    back as it was before it. Returns the history entry of the undo."""
    name = actor.name if isinstance(actor, Actor) else actor
    undo_id = import_history.undo(conn, county_code, import_id, name)
    return entry(conn, county_code, undo_id)


def undo_last(conn, county_code: str, layer: str, actor: Actor | str | None) -> dict:
    """Undo the last import of ``layer`` not yet undone (Conflict when there is none)."""
    from layers.catalog import importable_layer
    from layers.errors import Conflict

    title = importable_layer(layer).title  # LayerNotFound for an unknown layer
    last = import_history.last_undoable(conn, county_code, layer)
    if last is None:
        raise Conflict(f"图层“{title}”没有可以撤销的导入")
    return undo(conn, county_code, last, actor)
