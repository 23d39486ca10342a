"""The overview map's legend (Chinese), from the looks the catalog declares."""
from __future__ import annotations

from collections import Counter

from layers.catalog import Look
from web.maps.text import safe_text


def swatch(style: dict, kind: str) -> str:
    """A small HTML sample of a style: 'line', 'dot' or 'area'."""
    color = style.get("color", "#333")
    fill = style.get("fillColor", color)
    if kind == "line":
        dash = "dashed" if style.get("dashArray") else "solid"
        css = f"border-top:{min(style.get('weight', 2), 5)}px {dash} {color}"
    elif kind == "dot":
        css = f"background:{fill};border:1px solid {color if color != '#ffffff' else fill}"
    else:
        background = fill if style.get("fill", True) else "transparent"
        css = f"background:{background};border:2px solid {color}"
    return f'<span class="sw {kind}" style="{css}"></span>'


def _row(style: dict, kind: str, label: str, count: int | None = None) -> str:
    number = f' <span class="note">{count:,}</span>' if count is not None else ""
    return f'<div class="row">{swatch(style, kind)}{safe_text(label)}{number}</div>'


def groups_of(feats: list[dict]) -> list[tuple[dict, int]]:
    """Features as legend groups: (properties, 1) each."""
    return [(f.get("properties") or {}, 1) for f in feats]


def rows(look: Look, title: str, groups: list[tuple[dict, int]]) -> list[str]:
    """The legend rows of one overlay: its kinds present (all with ``legend_all``) with
    counts, or one row. groups: (properties, number of features) — one per feature, or
    counted by the database (``layers.features.grouped_counts``)."""
    total = sum(n for _, n in groups)
    if look.legend is not None or not look.kinds:
        style = {**look.style, **look.kinds[0].style} if look.kinds else look.style
        return [_row(style, look.swatch, look.legend or title, total if look.count else None)]
    counts = Counter()
    for props, n in groups:
        kind = look.kind_of(props)
        counts[kind.key if kind is not None else None] += n
    kinds = list(look.kinds) + ([look.other] if look.other is not None else [])
    return [_row({**look.style, **k.style}, look.swatch, k.label, counts.get(k.key, 0))
            for k in kinds if look.legend_all or counts.get(k.key)]


def legend_html(sections: list[tuple[str, str, str, Look, list[dict]]], notes: dict) -> str:
    """The legend panel: one section per overlay that has features.

    sections: (name, heading, title, look, groups) in drawing order, the heading being
    the title with its subtitle, groups as ``rows`` takes them; notes: per name, a line.
    """
    parts = ['<details open><summary>图例</summary>']
    for name, heading, title, look, groups in sections:
        if not sum(n for _, n in groups):
            continue
        parts.append(f"<h4>{safe_text(heading)}</h4>")
        parts += rows(look, title, groups)
        if notes.get(name):
            parts.append(f'<div class="note">{safe_text(notes[name])}</div>')
    parts.append("</details>")
    return "".join(parts)
