"""The header's search box (issue 12, item 5): one in-memory index per county and data
version, searched by code, name or pinyin initials (韩岩村: hyc).

``build`` turns ``layers.search.searchable``'s rows into entries holding what is matched
(codes, name, the initials of every reading of the name: 长 gives c and z); ``find`` ranks
the entries that match a query and returns the first ``limit`` (at most MAX_RESULTS):

0. a code or the name equal to the query (case-insensitive)
1. a code or the name starting with the query
2. the name or a code containing the query
3. the name's initials starting with the query
4. the name's initials containing the query

Ties keep the index's order: shorter names first, then kinds in KIND_LABELS's order, later
quarters' hotspots first. Which page a hit opens depends on the user: ``web.api.search``.
"""
from __future__ import annotations

import itertools
import unicodedata

from pypinyin import Style, pinyin

KIND_LABELS = {"township": "乡镇", "village": "村（社区）", "camera": "摄像机", "hotspot": "治安乱点",
               "school": "学校", "team": "巡防队", "road": "道路"}
MAX_RESULTS = 20
MAX_READINGS = 8   # initials strings kept per name (heteronyms multiply them)


def fold(text: str) -> str:
    """``text`` as compared: NFKC (full-width letters and digits become ASCII), lower case,
    without spaces."""
    return "".join(unicodedata.normalize("NFKC", text or "").lower().split())


def _keep(part: str) -> list[str]:
    """Characters pypinyin leaves alone: letters and digits count one each, the rest none."""
    return [c for c in part if c.isalnum()]


def initials(name: str) -> list[str]:
    """The name's pinyin initials, one string per combination of readings (at most
    MAX_READINGS; past that, each character's first reading): 韩岩村 → ['hyc']."""
    letters = [sorted({fold(r)[:1] for r in readings if r}) or [""]
               for readings in pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors=_keep)]
    combos = 1
    for options in letters:
        combos *= len(options)
    if combos > MAX_READINGS:
        return ["".join(options[0] for options in letters)]
    return ["".join(c) for c in itertools.product(*letters)]


def build(rows: list[dict]) -> list[tuple]:
    """The index of ``rows`` (layers.search.searchable): one (text, codes, name, initials,
    hit) per row (text: all that is matched, joined), shorter names first, then by kind."""
    order = {kind: i for i, kind in enumerate(KIND_LABELS)}
    index = []
    for i, row in enumerate(rows):
        hit = {"kind": row["kind"], "kind_label": KIND_LABELS[row["kind"]], "code": row["code"],
               "name": row["name"], "township": row["township"], "township_code": row["township_code"],
               "extra": row["extra"], "point": row["point"], "bbox": row["bbox"]}
        key = (len(row["name"]), order[row["kind"]], i)
        codes, name, spelled = tuple(fold(c) for c in row["codes"]), fold(row["name"]), tuple(initials(row["name"]))
        index.append((key, "\x00".join((name, *codes, *spelled)), codes, name, spelled, hit))
    index.sort(key=lambda entry: entry[0])
    return [entry[1:] for entry in index]


def _rank(q: str, codes: tuple, name: str, spelled: tuple) -> int | None:
    if q == name or q in codes:
        return 0
    if name.startswith(q) or any(c.startswith(q) for c in codes):
        return 1
    if q in name or any(q in c for c in codes):
        return 2
    if any(s.startswith(q) for s in spelled):
        return 3
    if any(q in s for s in spelled):
        return 4
    return None


def find(index: list[tuple], query: str, limit: int = MAX_RESULTS) -> list[dict]:
    """The best ``limit`` hits for ``query`` (see the module doc), best first."""
    q, limit = fold(query), max(1, min(limit, MAX_RESULTS))
    if not q:
        return []
    best: list[list] = [[] for _ in range(5)]
    for text, codes, name, spelled, hit in index:
        if q not in text:  # one look at everything it is matched on: most entries stop here
            continue
        rank = _rank(q, codes, name, spelled)
        if rank is not None and len(best[rank]) < limit:
            best[rank].append(hit)
            if rank == 0 and len(best[0]) >= limit:
                break
    return list(itertools.islice(itertools.chain.from_iterable(best), limit))
