"""Collect benchmark results and print them as a table at the end of `make bench`."""
import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "bench-results" / "results.jsonl"


def record(name: str, ours: float, plain: float, plain_name: str, target: str = "") -> None:
    """Append one result: our time, the plain alternative's, their ratio."""
    RESULTS.parent.mkdir(exist_ok=True)
    row = {"name": name, "ours_s": round(ours, 4), "plain_s": round(plain, 4),
           "plain": plain_name, "ratio": round(plain / ours, 2) if ours else None, "target": target}
    with RESULTS.open("a") as fh:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"\nBENCH {name}: ours {ours:.3f} s, {plain_name} {plain:.3f} s, "
          f"ratio {row['ratio']}x ({target})")
