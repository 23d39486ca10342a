"""Charts drawn on the server with matplotlib, in SVG or PNG, with a CJK font."""
from __future__ import annotations

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "DejaVu Sans"]


def _style() -> None:
    plt.rcParams["font.sans-serif"] = CJK_FONTS
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["svg.fonttype"] = "path"  # text as outlines: no font needed to view it


def burnup_chart(actual: list[tuple[date, float]], target: list[tuple[date, float]],
                 milestones: list[tuple[date, float]], as_of: date, title: str,
                 fmt: str = "svg") -> bytes:
    """Draw the remediated share against the plan curve; return SVG or PNG bytes."""
    _style()
    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    ax.plot([d for d, _ in target], [s * 100 for _, s in target], "--", color="#888",
            label="计划进度")
    if actual:
        ax.plot([d for d, _ in actual], [s * 100 for _, s in actual], color="#1f77b4",
                linewidth=2.2, label="实际整治比例")
    for day, share in milestones:
        ax.axhline(share * 100, color="#d62728", linewidth=0.6, alpha=0.5)
        ax.plot([day], [share * 100], "D", color="#d62728")
        ax.annotate(f"{day.month}月{day.day}日 {share:.0%}", (day, share * 100),
                    textcoords="offset points", xytext=(-70, 6), color="#d62728")
    ax.axvline(as_of, color="#2ca02c", linewidth=1, label=f"统计日 {as_of.isoformat()}")
    ax.set_ylim(0, 105)
    ax.set_ylabel("已整治偏远村比例 (%)")
    ax.set_title(title)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m月"))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    plt.close(fig)
    return buf.getvalue()
