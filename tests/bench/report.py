"""Collect benchmark results and print them as a table at the end of `make bench`.

Each ``record`` appends a row to bench-results/results.jsonl; at the end of the session
(tests/bench/conftest.py) ``table`` turns them into the Markdown table of README's
Benchmarks section (what | target | ours | plain alternative | plain | ratio), printed and
written to bench-results/results.md.
"""
import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "bench-results" / "results.jsonl"
TABLE = RESULTS.with_name("results.md")
HEADER = ["| what | target | ours | plain alternative | plain | ratio |", "|---|---|---|---|---|---|"]


def record(name: str, ours: float, plain: float, plain_name: str, target: str = "",
           ours_shown: str = "", plain_shown: str = "") -> None:
    """Append one result: our time, the plain alternative's, their ratio (plain / ours: above
    1 is ours faster). ``ours_shown``/``plain_shown``: how the table shows them, when not
    as a time (throughput and percentiles, say)."""
    RESULTS.parent.mkdir(exist_ok=True)
    row = {"name": name, "ours_s": round(ours, 6), "plain_s": round(plain, 6),
           "plain": plain_name, "ratio": round(plain / ours, 2) if ours else None, "target": target}
    if ours_shown or plain_shown:
        row.update(ours_shown=ours_shown, plain_shown=plain_shown)
    with RESULTS.open("a") as fh:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"\nBENCH {name}: ours {ours:.3f} s, {plain_name} {plain:.3f} s, "
          f"ratio {row['ratio']}x ({target})")


def seconds(value: float) -> str:
    """A time for people: 850 µs, 12.5 ms, 3.4 s."""
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"
    return f"{value:.1f} s" if value < 100 else f"{value:.0f} s"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(rows: list[dict] | None = None) -> str:
    """The results (default: those recorded in this run) as README's Markdown table."""
    if rows is None:
        rows = [json.loads(line) for line in RESULTS.read_text().splitlines()] if RESULTS.exists() else []
    lines = list(HEADER)
    for row in rows:
        ratio = "—" if row.get("ratio") is None else f"{row['ratio']:g}×"
        lines.append(f"| {_cell(row['name'])} | {_cell(row.get('target') or '—')} | "
                     f"{_cell(row.get('ours_shown') or seconds(row['ours_s']))} | {_cell(row['plain'])} | "
                     f"{_cell(row.get('plain_shown') or seconds(row['plain_s']))} | {ratio} |")
    return "\n".join(lines) + "\n"


def write_table() -> str:
    """Write bench-results/results.md from this run's results; return the table."""
    text = table()
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text(text)
    return text
