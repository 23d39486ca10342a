"""Opinion calls from a call centre's file (layer ``survey_calls``, issue 16): what the
importer does beyond its usual checks, on each chunk before it is written.

* The village must be one of this county's (a row naming another is refused, with its
  row number); the township comes from the village (a trigger).
* A call with no code gets one made from what it holds (time, village, number's hash,
  scores, caller, problems, answers) and its place among identical calls of the file, so
  the same file, or a later export that repeats its calls, adds nothing the second time.
* Answers are the columns headed ``q_<key>`` or by a question's own text; no other column
  is kept (a name or a number under an unknown header is dropped, and said).
* A call without its caller is the call centre's (呼叫中心); ``created_by`` is who imports.
* Numbers called again in the same quarter are counted in a warning (not refused).
A file may not replace the layer: calls entered on the form would be lost.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter

import pandas as pd

from layers import survey as store

CALL_CENTRE = "呼叫中心"


class SurveyRows:
    """Prepares each chunk's frame of one import of opinion calls."""

    def __init__(self, conn, county_code: str, problems, actor: str | None):
        self.conn, self.county, self.problems = conn, county_code, problems
        self.actor = actor or "import"
        self.villages = {v["code"] for v in store.villages(conn, county_code)}
        self.keys = {}
        for q in store.questions(conn, county_code, active_only=False):
            self.keys[q["key"].lower()] = self.keys[f"q_{q['key']}".lower()] = self.keys[q["text"]] = q["key"]
        self.seen: Counter = Counter()
        self.dropped: set[str] = set()
        self.codes: list[str] = []

    def prepare(self, frame) -> None:
        """Check villages; set answers, caller, created_by and codes (the frame written)."""
        unknown = [i for i, v in enumerate(frame["village_code"]) if v is not None and v not in self.villages]
        self.problems.rows(unknown, "village_code", lambda i: (
            f"本县没有编码为 '{frame['village_code'].iloc[unknown[i]]}' 的行政村 (no such village in this county)"))
        answers = []
        for props in frame["props"]:
            own = {}
            for header, value in (props or {}).items():
                key = self.keys.get(str(header).strip()) or self.keys.get(str(header).strip().lower())
                if key is None and str(header).lower().startswith("q_") and len(header) > 2:
                    key = str(header)[2:].lower()
                if key is None:
                    self.dropped.add(str(header))
                elif value is not None:
                    own[key] = value
            answers.append(own)
        frame["props"] = [{} for _ in answers]
        frame["answers"] = [json.dumps(a, ensure_ascii=False, sort_keys=True) for a in answers]
        caller = frame["caller"] if "caller" in frame else pd.Series([None] * len(frame), index=frame.index)
        frame["caller"] = caller.where(caller.notna(), CALL_CENTRE)
        frame["created_by"] = self.actor
        if "problems" in frame:
            frame["problems"] = frame["problems"].where(frame["problems"].notna(), "")
        frame["code"] = [code if isinstance(code, str) and code else self._code(row)
                         for code, row in zip(frame["code"], frame.itertuples(index=False))]
        self.codes.extend(frame["code"].tolist())

    def _code(self, row) -> str:
        when = pd.Timestamp(row.called_at).isoformat() if row.called_at is not None else ""
        text = "|".join(str(v) for v in (when, row.village_code, getattr(row, "phone_hash", None), row.safety,
                                          row.satisfaction, row.caller, getattr(row, "problems", None), row.answers))
        digest = hashlib.sha256(text.encode()).hexdigest()[:20]
        self.seen[digest] += 1
        n = self.seen[digest]
        return f"DH{digest}" if n == 1 else f"DH{digest}-{n}"

    def warnings(self, fname: str) -> list[str]:
        """What the import says beyond its counts: columns not kept, numbers called again."""
        out = []
        if self.dropped:
            out.append(f"{fname}: 为保护受访者个人信息，以下列未保存：{'、'.join(sorted(self.dropped))}"
                       f"（问卷答案请用 q_题目代码 或题目原文作列名） (columns not kept: {len(self.dropped)})")
        repeated = store.repeated_numbers(self.conn, self.county, self.codes) if self.codes else 0
        if repeated:
            out.append(f"{fname}: {repeated} 个电话号码本季度已调查过，请避免重复拨打同一受访者 "
                       f"({repeated} calls reached a number already called this quarter)")
        return out
