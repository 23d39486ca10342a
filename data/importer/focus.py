"""The R4 focus group of each incident written, from the county's category mapping
(``layers.categories``): categories the mapping does not know count as 'other' and are
named in one warning per import; they never refuse a file."""
from __future__ import annotations

from collections import Counter

from layers import categories

SHOWN = 20      # categories the warning names (the most frequent first)


class Focus:
    """Looks up each category once per import and counts the incidents of unknown ones."""

    def __init__(self, conn, county_code: str):
        self.conn, self.county = conn, county_code
        self.known: dict[str, str | None] = {}
        self.unmapped: Counter = Counter()

    def assign(self, frame) -> None:
        """Set ``frame['focus']`` from ``frame['category']`` (the frame upsert_layer writes)."""
        written = frame["category"]
        new = [w for w in written.dropna().unique().tolist() if w not in self.known]
        if new:
            self.known.update(categories.focus_of(self.conn, self.county, new))
        focus = written.map(self.known)
        for w, n in written[focus.isna() & written.notna()].value_counts().items():
            self.unmapped[w] += int(n)
        frame["focus"] = focus.fillna("other")

    def warning(self, fname: str) -> str | None:
        """One sentence naming the unknown categories and their counts, or None."""
        if not self.unmapped:
            return None
        total = sum(self.unmapped.values())
        top = sorted(self.unmapped.items(), key=lambda kv: (-kv[1], kv[0]))
        named = "、".join(f"{w} {n}" for w, n in top[:SHOWN])
        if len(top) > SHOWN:
            named += f" 等 {len(top)} 类"
        return (f"{fname}: {total} 起案件的类别未对应重点类别，按“其他”计：{named}"
                f"（管理员可在“警情类别映射”中指定）({total} incidents of {len(top)} categories with no "
                f"focus group are counted as 'other'; an admin can map them)")
